package io.hifadhi.api.s3;

import io.hifadhi.api.signature.ExpectedDigest;
import io.hifadhi.api.signature.S3AuthException;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;


/** DeleteObject and DeleteObjects (POST ?delete, Quiet mode included). */
final class DeleteObjects {
    static final int MAX_KEYS = 1000;
    /** 1000 keys of 1024 bytes, escaped, with their envelope fit well inside this. */
    private static final int MAX_BODY = 8 << 20;

    private final S3Services services;
    private final XmlReader xml = new XmlReader(MAX_BODY, 6 * MAX_KEYS + 10);

    DeleteObjects(S3Services services) {
        this.services = services;
    }

    /** S3 answers 204 whether or not the key existed. */
    void deleteOne(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        services.store().delete(r.bucket(), r.key());
        S3Responses.empty(r.exchange(), 204);
    }

    void deleteMany(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        List<ExpectedDigest> expected = PutObject.expectedDigests(r);
        if (expected.isEmpty() && r.auth().trailerChecksums().isEmpty()) {
            // S3 insists on an integrity check for this one call; older clients send Content-MD5, newer a CRC32.
            throw new S3Exception(S3Error.InvalidRequest,
                    "Missing required header for this request: Content-MD5 (or an x-amz-checksum-* header).");
        }
        InputStream body = PutObject.smallBody(r);
        XmlElement root;
        try {
            root = xml.read(body);
            body.transferTo(java.io.OutputStream.nullOutputStream()); // reach EOF so digests are checked
        } catch (S3AuthException e) {
            throw S3Exception.of(e);
        }
        if (!root.name().equals("Delete")) {
            throw new S3Exception(S3Error.MalformedXML, "The body must be a Delete document.");
        }
        boolean quiet = root.childText("Quiet").map(q -> q.equalsIgnoreCase("true")).orElse(false);
        List<XmlElement> objects = root.children("Object");
        if (objects.isEmpty() || objects.size() > MAX_KEYS) {
            throw new S3Exception(S3Error.MalformedXML, "A Delete document must name between 1 and " + MAX_KEYS + " objects.");
        }
        List<String> keys = new ArrayList<>();
        for (XmlElement o : objects) {
            String key = o.childText("Key").orElseThrow(() -> new S3Exception(S3Error.MalformedXML, "Every Object needs a Key."));
            keys.add(key);
        }
        XmlWriter doc = XmlWriter.document("DeleteResult");
        for (int i = 0; i < objects.size(); i++) {
            String key = keys.get(i);
            String version = objects.get(i).childText("VersionId").orElse(null);
            String problem = null;
            String code = null;
            if (ObjectKeys.problemWith(key) != null) {
                code = key.isEmpty() ? S3Error.InvalidArgument.name() : S3Error.KeyTooLongError.name();
                problem = ObjectKeys.problemWith(key);
            } else if (version != null && !version.equals("null")) {
                code = S3Error.NotImplemented.name();
                problem = "Versioning is not supported: there is only the current version.";
            }
            if (problem != null) {
                doc.start("Error").element("Key", echo(key)).element("Code", code).element("Message", problem).end();
                continue;
            }
            services.store().delete(r.bucket(), key);
            if (!quiet) {
                doc.start("Deleted").element("Key", key).end();
            }
        }
        S3Responses.xml(r.exchange(), 200, doc);
    }

    /** A key as the error list repeats it: one too long for a key is cut, so a huge key is not sent back whole. */
    static String echo(String key) {
        if (key.length() <= ObjectKeys.MAX_KEY_BYTES) {
            return key;
        }
        int cut = Character.isHighSurrogate(key.charAt(ObjectKeys.MAX_KEY_BYTES - 1)) ? ObjectKeys.MAX_KEY_BYTES - 1 : ObjectKeys.MAX_KEY_BYTES;
        return key.substring(0, cut) + "... (" + key.length() + " characters)";
    }
}
