package io.hifadhi.api.s3;

import io.hifadhi.api.store.ObjectInfo;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** ListObjects (v1) and ListObjectsV2 over {@link Listing}. */
final class ListObjects {
    private final S3Services services;

    ListObjects(S3Services services) {
        this.services = services;
    }

    void v1(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        String prefix = r.param("prefix").orElse("");
        String delimiter = r.param("delimiter").orElse(null);
        String marker = r.param("marker").orElse(null);
        int maxKeys = maxKeys(r);
        boolean url = urlEncoding(r);
        Listing.Page page = Listing.list(source(r.bucket()), prefix, delimiter, marker == null || marker.isEmpty() ? null : marker, maxKeys);
        XmlWriter doc = XmlWriter.document("ListBucketResult")
                .element("Name", r.bucket())
                .element("Prefix", enc(prefix, url))
                .element("Marker", enc(marker == null ? "" : marker, url))
                .element("MaxKeys", maxKeys)
                .element("Delimiter", delimiter == null ? null : enc(delimiter, url))
                .element("IsTruncated", page.truncated());
        if (page.truncated() && page.last() != null) {
            doc.element("NextMarker", enc(page.last(), url));
        }
        if (url) {
            doc.element("EncodingType", "url");
        }
        contents(doc, page, url, Owner.of(r.accessKey()));
        S3Responses.xml(r.exchange(), 200, doc);
    }

    void v2(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        if (!r.param("list-type").orElse("").equals("2")) {
            throw new S3Exception(S3Error.InvalidArgument, "list-type must be 2.", Map.of("ArgumentName", "list-type"));
        }
        String prefix = r.param("prefix").orElse("");
        String delimiter = r.param("delimiter").orElse(null);
        String token = r.param("continuation-token").orElse(null);
        String startAfter = r.param("start-after").orElse(null);
        boolean fetchOwner = r.param("fetch-owner").map("true"::equals).orElse(false);
        int maxKeys = maxKeys(r);
        boolean url = urlEncoding(r);
        String after = token != null ? decodeToken(token) : (startAfter == null || startAfter.isEmpty() ? null : startAfter);
        Listing.Page page = Listing.list(source(r.bucket()), prefix, delimiter, after, maxKeys);
        XmlWriter doc = XmlWriter.document("ListBucketResult")
                .element("Name", r.bucket())
                .element("Prefix", enc(prefix, url))
                .element("MaxKeys", maxKeys)
                .element("KeyCount", page.keyCount())
                .element("Delimiter", delimiter == null ? null : enc(delimiter, url))
                .element("IsTruncated", page.truncated())
                .element("ContinuationToken", token)
                .element("StartAfter", startAfter == null ? null : enc(startAfter, url));
        if (page.truncated() && page.last() != null) {
            doc.element("NextContinuationToken", encodeToken(page.last()));
        }
        if (url) {
            doc.element("EncodingType", "url");
        }
        contents(doc, page, url, fetchOwner ? Owner.of(r.accessKey()) : null);
        S3Responses.xml(r.exchange(), 200, doc);
    }

    private Listing.Source source(String bucket) {
        return (prefix, startAfter, max) -> services.store().list(bucket, prefix, startAfter, max);
    }

    private static void contents(XmlWriter doc, Listing.Page page, boolean url, Owner owner) {
        for (ObjectInfo o : page.objects()) {
            doc.start("Contents")
                    .element("Key", enc(o.key(), url))
                    .element("LastModified", S3Responses.isoTime(o.lastModified()))
                    .element("ETag", "\"" + o.etag() + "\"")
                    .element("Size", o.size());
            if (owner != null) {
                owner.write(doc, "Owner");
            }
            doc.element("StorageClass", "STANDARD").end();
        }
        for (String p : page.commonPrefixes()) {
            doc.start("CommonPrefixes").element("Prefix", enc(p, url)).end();
        }
    }

    static int maxKeys(S3Request r) throws S3Exception {
        String v = r.param("max-keys").orElse(null);
        if (v == null) {
            return Listing.MAX_KEYS;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.min(n, Listing.MAX_KEYS);
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.InvalidArgument, "max-keys must be a non-negative integer.", Map.of("ArgumentName", "max-keys"));
        }
    }

    static boolean urlEncoding(S3Request r) throws S3Exception {
        String v = r.param("encoding-type").orElse(null);
        if (v == null) {
            return false;
        }
        if (!v.equals("url")) {
            throw new S3Exception(S3Error.InvalidArgument, "Invalid Encoding Method specified in Request; only 'url' is supported.",
                    Map.of("ArgumentName", "encoding-type"));
        }
        return true;
    }

    /** encoding-type=url: percent-encoded UTF-8 with '+' for space, as S3 writes it and SDKs decode it. */
    static String enc(String s, boolean url) {
        return url ? URLEncoder.encode(s, StandardCharsets.UTF_8) : s;
    }

    /** Opaque to clients: the position to resume after, base64url. */
    static String encodeToken(String last) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.UTF_8));
    }

    static String decodeToken(String token) throws S3Exception {
        try {
            byte[] raw = Base64.getUrlDecoder().decode(token);
            String s = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(raw)).toString();
            if (s.isEmpty()) {
                throw new IllegalArgumentException();
            }
            return s;
        } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
            throw new S3Exception(S3Error.InvalidArgument, "The continuation token provided is incorrect.",
                    Map.of("ArgumentName", "continuation-token"));
        }
    }
}
