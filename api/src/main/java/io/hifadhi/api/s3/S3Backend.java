package io.hifadhi.api.s3;

import io.hifadhi.api.signature.SecretLookup;

import java.util.Objects;

/**
 * What a node supplies to serve S3 besides the object store: buckets, uploads, keys, what each key
 * may do, settings.
 *
 * @param keys the secret and the permissions of a key from one read (what S3 requests use); the same answers as
 *             {@code secrets} and {@code permissions}
 */
public record S3Backend(BucketCatalog buckets, MultipartStore uploads, SecretLookup secrets, S3Settings settings,
                        PermissionLookup permissions, AccessKeyLookup keys) {
    public S3Backend {
        Objects.requireNonNull(buckets);
        Objects.requireNonNull(uploads);
        Objects.requireNonNull(secrets);
        Objects.requireNonNull(settings);
        Objects.requireNonNull(permissions);
        Objects.requireNonNull(keys);
    }

    /** Secrets and permissions from separate lookups: a key is read twice for each request. */
    public S3Backend(BucketCatalog buckets, MultipartStore uploads, SecretLookup secrets, S3Settings settings,
                     PermissionLookup permissions) {
        this(buckets, uploads, secrets, settings, permissions, AccessKeyLookup.of(secrets, permissions));
    }

    /** Every key that signs is a root key. */
    public S3Backend(BucketCatalog buckets, MultipartStore uploads, SecretLookup secrets, S3Settings settings) {
        this(buckets, uploads, secrets, settings, PermissionLookup.ALL_ROOT);
    }
}
