package io.hifadhi.api.s3;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.function.Function;

/**
 * A configuration document kept with a bucket (its CORS rules, its lifecycle rules): PUT parses and validates the
 * body and stores the document in canonical form, GET answers it (or the configuration's own 404), DELETE removes it.
 */
final class BucketDocument {

    /** Validates a parsed body; returns the document to store. */
    @FunctionalInterface
    interface Canonical {
        String of(XmlElement root) throws S3Exception;
    }

    /** Replaces (null: removes) the document; false when the bucket does not exist. */
    @FunctionalInterface
    interface Store {
        boolean set(BucketCatalog catalog, String bucket, String document) throws IOException;
    }

    private final S3Services services;
    private final XmlReader xml;
    private final Canonical canonical;
    private final Function<BucketCatalog.Bucket, String> stored;
    private final Store store;
    private final S3Error missing;
    private final String what;

    /** @param what the configuration's name in messages, e.g. "lifecycle configuration" */
    BucketDocument(S3Services services, XmlReader xml, Canonical canonical, Function<BucketCatalog.Bucket, String> stored,
                   Store store, S3Error missing, String what) {
        this.services = services;
        this.xml = xml;
        this.canonical = canonical;
        this.stored = stored;
        this.store = store;
        this.missing = missing;
        this.what = what;
    }

    void put(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        InputStream body = PutObject.smallBody(r);
        XmlElement root = xml.read(body);
        body.transferTo(java.io.OutputStream.nullOutputStream()); // reach EOF so digests are checked
        store(r.bucket(), canonical.of(root));
        S3Responses.empty(r.exchange(), 200);
    }

    void get(S3Request r) throws IOException, S3Exception {
        String doc = stored.apply(services.requireBucket(r));
        if (doc == null) {
            throw new S3Exception(missing, "The " + what + " does not exist.", Map.of("BucketName", r.bucket()));
        }
        S3Responses.xml(r.exchange(), doc);
    }

    void delete(S3Request r) throws IOException, S3Exception {
        if (stored.apply(services.requireBucket(r)) != null) {
            store(r.bucket(), null);
        }
        S3Responses.empty(r.exchange(), 204);
    }

    private void store(String bucket, String doc) throws IOException, S3Exception {
        try {
            if (!store.set(services.buckets(), bucket, doc)) {
                throw new S3Exception(S3Error.NoSuchBucket, "The specified bucket does not exist.", Map.of("BucketName", bucket));
            }
        } catch (UnsupportedOperationException e) {
            throw new S3Exception(S3Error.NotImplemented, "This node's bucket table cannot store a " + what + ".");
        }
    }
}
