package io.hifadhi.api.s3;

import io.hifadhi.api.signature.SecretLookup;

import java.util.Optional;

/**
 * The key table read once for one S3 request: the signature check asks for the key's secret, the access check (and
 * ListBuckets) for what the same key may do, and both answers come from that one read. Made per request and used by its
 * thread alone; never kept, so the next request sees a key changed or deleted meanwhile, as without it.
 */
final class RequestKey implements SecretLookup {
    private final AccessKeyLookup keys;
    private String accessKeyId;
    private Optional<AccessKey> read;

    RequestKey(AccessKeyLookup keys) {
        this.keys = keys;
    }

    @Override
    public Optional<String> secretKey(String accessKeyId) {
        return read(accessKeyId).map(AccessKey::secret);
    }

    /** {@link Permissions#NONE} for an unsigned request (no key) and for a key the table does not hold. */
    Permissions permissions(String accessKeyId) {
        return accessKeyId == null ? Permissions.NONE : read(accessKeyId).map(AccessKey::permissions).orElse(Permissions.NONE);
    }

    private Optional<AccessKey> read(String id) {
        if (read == null || !id.equals(accessKeyId)) {
            read = keys.key(id);
            accessKeyId = id;
        }
        return read;
    }
}
