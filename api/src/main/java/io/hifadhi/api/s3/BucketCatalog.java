package io.hifadhi.api.s3;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The bucket table the S3 surface needs; the node supplies it (local RocksDB today, the
 * fully-replicated table later). Names are validated by the caller ({@link BucketNames}).
 */
public interface BucketCatalog {

    /**
     * @param owner access key id of the creator
     * @param cors      the bucket's CORS configuration document (as {@link CorsConfiguration#toXml()} wrote it), or null
     * @param lifecycle the bucket's lifecycle configuration document (as {@link LifecycleConfiguration#toXml()} wrote
     *                  it), or null
     * @param tagging   the bucket's tags, a Tagging document (as {@link ObjectTags#toXml} wrote it), or null
     */
    record Bucket(String name, String owner, Instant created, String cors, String lifecycle, String tagging) {
        public Bucket(String name, String owner, Instant created) {
            this(name, owner, created, null, null, null);
        }
    }

    enum CreateOutcome { CREATED, ALREADY_OWNED, OWNED_BY_OTHER }

    CreateOutcome create(String name, String owner) throws IOException;

    Optional<Bucket> get(String name) throws IOException;

    /** Removes the bucket record; the caller has checked it is empty. Returns whether it existed. */
    boolean delete(String name) throws IOException;

    /**
     * Replaces (null: removes) the bucket's CORS configuration. Returns whether the bucket exists.
     * A catalog that cannot store it keeps this default, and PutBucketCors answers NotImplemented.
     */
    default boolean setCors(String name, String corsXml) throws IOException {
        throw new UnsupportedOperationException("this bucket catalog does not store CORS configurations");
    }

    /**
     * Replaces (null: removes) the bucket's lifecycle configuration. Returns whether the bucket exists. A catalog that
     * cannot store it keeps this default, and PutBucketLifecycleConfiguration answers NotImplemented.
     */
    default boolean setLifecycle(String name, String lifecycleXml) throws IOException {
        throw new UnsupportedOperationException("this bucket catalog does not store lifecycle configurations");
    }

    /**
     * Replaces (null: removes) the bucket's tags. Returns whether the bucket exists. A catalog that cannot store them
     * keeps this default, and PutBucketTagging answers NotImplemented.
     */
    default boolean setTagging(String name, String taggingXml) throws IOException {
        throw new UnsupportedOperationException("this bucket catalog does not store bucket tags");
    }

    /** All buckets in name order. */
    List<Bucket> list() throws IOException;
}
