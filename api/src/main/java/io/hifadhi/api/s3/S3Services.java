package io.hifadhi.api.s3;

import io.hifadhi.api.store.ObjectStore;

import java.io.IOException;
import java.time.Clock;
import java.util.Objects;

/** The collaborators every S3 handler uses. */
public record S3Services(ObjectStore store, MultipartStore uploads, BucketCatalog buckets, S3Settings settings, Clock clock) {
    public S3Services {
        Objects.requireNonNull(store);
        Objects.requireNonNull(uploads);
        Objects.requireNonNull(buckets);
        Objects.requireNonNull(settings);
        Objects.requireNonNull(clock);
    }

    /**
     * The request's bucket, which must exist. Every handler passes here before it touches the store,
     * so a name the catalog never accepted cannot reach storage. Whether the caller's key may use the
     * bucket was decided before the handler ran ({@link PermissionCheck}, copy sources included).
     */
    public BucketCatalog.Bucket requireBucket(S3Request r) throws IOException, S3Exception {
        return requireBucket(r.bucket(), r.accessKey());
    }

    public BucketCatalog.Bucket requireBucket(String name, String accessKey) throws IOException, S3Exception {
        BucketCatalog.Bucket b = buckets.get(name).orElseThrow(() -> new S3Exception(S3Error.NoSuchBucket,
                "The specified bucket does not exist.", java.util.Map.of("BucketName", name)));
        return b;
    }
}
