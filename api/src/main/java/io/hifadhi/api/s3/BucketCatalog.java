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
     * @param acl       the bucket's access control list (as {@link BucketAcl#encode()} wrote it), or null: private
     * @param publicAccessBlock the bucket's PublicAccessBlockConfiguration (as {@link PublicAccessBlock#toXml()} wrote
     *                  it), or null: none
     * @param policy    the bucket policy document (JSON, as the client sent it after validation), or null
     */
    record Bucket(String name, String owner, Instant created, String cors, String lifecycle, String tagging, String acl,
                  String publicAccessBlock, String policy) {
        public Bucket(String name, String owner, Instant created) {
            this(name, owner, created, null, null);
        }

        public Bucket(String name, String owner, Instant created, String cors, String lifecycle) {
            this(name, owner, created, cors, lifecycle, null, null, null, null);
        }

        public Bucket withCors(String doc) {
            return new Bucket(name, owner, created, doc, lifecycle, tagging, acl, publicAccessBlock, policy);
        }

        public Bucket withLifecycle(String doc) {
            return new Bucket(name, owner, created, cors, doc, tagging, acl, publicAccessBlock, policy);
        }

        public Bucket withTagging(String doc) {
            return new Bucket(name, owner, created, cors, lifecycle, doc, acl, publicAccessBlock, policy);
        }

        public Bucket withAcl(String doc) {
            return new Bucket(name, owner, created, cors, lifecycle, tagging, doc, publicAccessBlock, policy);
        }

        public Bucket withPublicAccessBlock(String doc) {
            return new Bucket(name, owner, created, cors, lifecycle, tagging, acl, doc, policy);
        }

        public Bucket withPolicy(String doc) {
            return new Bucket(name, owner, created, cors, lifecycle, tagging, acl, publicAccessBlock, doc);
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

    /**
     * Replaces the bucket's stored record with {@code change} applied to it (the ACL, public access block and policy
     * documents are set this way). Returns whether the bucket exists. A catalog that cannot store them keeps this
     * default, and the operations setting them answer NotImplemented.
     */
    default boolean update(String name, java.util.function.UnaryOperator<Bucket> change) throws IOException {
        throw new UnsupportedOperationException("this bucket catalog does not store access control documents");
    }

    /** All buckets in name order. */
    List<Bucket> list() throws IOException;
}
