package io.hifadhi.api.s3;

import io.hifadhi.api.signature.SecretLookup;

import java.util.Optional;

/** Finds an access key's secret and permissions in one read, so an S3 request reads the key table once. */
@FunctionalInterface
public interface AccessKeyLookup {
    /** Empty for a key that is unknown (or was just deleted). */
    Optional<AccessKey> key(String accessKeyId);

    /** From two separate lookups (two reads a key): for backends whose secrets and permissions live apart. */
    static AccessKeyLookup of(SecretLookup secrets, PermissionLookup permissions) {
        return id -> secrets.secretKey(id).map(secret -> new AccessKey(secret, permissions.of(id)));
    }
}
