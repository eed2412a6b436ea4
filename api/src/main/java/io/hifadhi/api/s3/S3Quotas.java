package io.hifadhi.api.s3;

/**
 * What one S3 client may accumulate in the tables every node holds in full, so that a careless or hostile
 * key cannot grow them without bound.
 *
 * @param bucketsPerKey      buckets one access key may own; CreateBucket beyond it is TooManyBuckets
 * @param uploadsPerObject   multipart uploads open at once for one object key; CreateMultipartUpload
 *                           beyond it is TooManyUploads (a client that keeps starting uploads and never
 *                           completes or aborts them)
 * @param uploadsPerKey      multipart uploads open at once for one access key, in all buckets;
 *                           CreateMultipartUpload beyond it is TooManyUploads (the same client, spreading
 *                           its uploads over many object keys)
 */
public record S3Quotas(int bucketsPerKey, int uploadsPerObject, int uploadsPerKey) {
    /** S3's own default bucket quota is 10,000 an account; a node's table is smaller and fully replicated. */
    public static final S3Quotas DEFAULTS = new S3Quotas(1000, 100, 10_000);

    public S3Quotas {
        if (bucketsPerKey < 1 || uploadsPerObject < 1 || uploadsPerKey < 1) {
            throw new IllegalArgumentException("S3 quotas must be at least 1: " + bucketsPerKey + " buckets a key, "
                    + uploadsPerObject + " open uploads an object, " + uploadsPerKey + " open uploads a key");
        }
    }
}
