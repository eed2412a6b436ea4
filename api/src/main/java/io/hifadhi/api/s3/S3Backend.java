package io.hifadhi.api.s3;

import io.hifadhi.api.signature.SecretLookup;

import java.util.Objects;

/** What a node supplies to serve S3 besides the object store: buckets, uploads, keys, settings. */
public record S3Backend(BucketCatalog buckets, MultipartStore uploads, SecretLookup secrets, S3Settings settings) {
    public S3Backend {
        Objects.requireNonNull(buckets);
        Objects.requireNonNull(uploads);
        Objects.requireNonNull(secrets);
        Objects.requireNonNull(settings);
    }
}
