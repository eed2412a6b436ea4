package io.hifadhi.api.s3;

import io.hifadhi.api.signature.SecretLookup;

import java.util.Objects;

/**
 * What a node supplies to serve S3 besides the object store: buckets, uploads, keys, what each key
 * may do, settings.
 */
public record S3Backend(BucketCatalog buckets, MultipartStore uploads, SecretLookup secrets, S3Settings settings,
                        PermissionLookup permissions) {
    public S3Backend {
        Objects.requireNonNull(buckets);
        Objects.requireNonNull(uploads);
        Objects.requireNonNull(secrets);
        Objects.requireNonNull(settings);
        Objects.requireNonNull(permissions);
    }

    /** Every key that signs is a root key. */
    public S3Backend(BucketCatalog buckets, MultipartStore uploads, SecretLookup secrets, S3Settings settings) {
        this(buckets, uploads, secrets, settings, PermissionLookup.ALL_ROOT);
    }
}
