package io.hifadhi.api.s3;

import io.hifadhi.api.store.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * PutObjectTagging, GetObjectTagging, DeleteObjectTagging. Tags are part of the object's record: a change is a new
 * version of it with the same body, so it replicates like a write; a new body (PUT, copy, completed upload) brings
 * its own tags.
 */
final class ObjectTagging {
    /** Ten tags of 128 + 256 characters, escaped, with room for the markup. */
    private static final int MAX_BODY = 64 * 1024;

    private final S3Services services;
    /** Room for far more tags than allowed, so a client sending 11 or 50 hears InvalidTag's "at most 10". */
    private final XmlReader xml = new XmlReader(MAX_BODY, 1000);

    ObjectTagging(S3Services services) {
        this.services = services;
    }

    void get(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        StoredObject object = services.store().get(r.bucket(), r.key()).orElseThrow(() -> noSuchKey(r));
        S3Responses.xml(r.exchange(), 200, ObjectTags.toXml(object.info().tags()));
    }

    void put(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        InputStream body = PutObject.smallBody(r);
        XmlElement root = xml.read(body);
        body.transferTo(java.io.OutputStream.nullOutputStream()); // reach EOF so digests are checked
        retag(r, ObjectTags.fromXml(root));
        S3Responses.empty(r.exchange(), 200);
    }

    void delete(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        retag(r, Map.of());
        S3Responses.empty(r.exchange(), 204);
    }

    private void retag(S3Request r, Map<String, String> tags) throws IOException, S3Exception {
        services.store().retag(r.bucket(), r.key(), tags).orElseThrow(() -> noSuchKey(r));
    }

    private static S3Exception noSuchKey(S3Request r) {
        return new S3Exception(S3Error.NoSuchKey, "The specified key does not exist.", Map.of("Key", r.key()));
    }
}
