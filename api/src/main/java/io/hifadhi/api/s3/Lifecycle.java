package io.hifadhi.api.s3;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Bucket lifecycle: PutBucketLifecycleConfiguration / GetBucketLifecycleConfiguration / DeleteBucketLifecycle. The
 * rules are stored with the bucket (its table is on every node); the node's lifecycle pass enforces them.
 */
final class Lifecycle {
    /** 1000 rules with long IDs and prefixes fit; the stored document travels in the bucket table's messages. */
    static final int MAX_BODY = 256 * 1024;

    private final S3Services services;
    private final XmlReader xml = new XmlReader(MAX_BODY, 16 * LifecycleConfiguration.MAX_RULES + 10);

    Lifecycle(S3Services services) {
        this.services = services;
    }

    void put(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        InputStream body = PutObject.smallBody(r);
        XmlElement root = xml.read(body);
        body.transferTo(java.io.OutputStream.nullOutputStream()); // reach EOF so digests are checked
        store(r.bucket(), LifecycleConfiguration.parse(root).toXml());
        S3Responses.empty(r.exchange(), 200);
    }

    void get(S3Request r) throws IOException, S3Exception {
        BucketCatalog.Bucket b = services.requireBucket(r);
        if (b.lifecycle() == null) {
            throw new S3Exception(S3Error.NoSuchLifecycleConfiguration, "The lifecycle configuration does not exist.",
                    Map.of("BucketName", r.bucket()));
        }
        S3Responses.xml(r.exchange(), b.lifecycle());
    }

    void delete(S3Request r) throws IOException, S3Exception {
        BucketCatalog.Bucket b = services.requireBucket(r);
        if (b.lifecycle() != null) {
            store(r.bucket(), null);
        }
        S3Responses.empty(r.exchange(), 204);
    }

    private void store(String bucket, String doc) throws IOException, S3Exception {
        try {
            if (!services.buckets().setLifecycle(bucket, doc)) {
                throw new S3Exception(S3Error.NoSuchBucket, "The specified bucket does not exist.", Map.of("BucketName", bucket));
            }
        } catch (UnsupportedOperationException e) {
            throw new S3Exception(S3Error.NotImplemented, "This node's bucket table cannot store lifecycle configurations.");
        }
    }
}
