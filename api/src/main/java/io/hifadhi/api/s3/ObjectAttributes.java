package io.hifadhi.api.s3;

import io.hifadhi.api.http.HttpDates;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.ObjectPart;
import io.undertow.util.Headers;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GetObjectAttributes ({@code GET ?attributes}): the attributes {@code x-amz-object-attributes} names, from the
 * object's record without reading its body: ETag, Checksum, ObjectParts (the part boundaries and part checksums a
 * multipart object keeps, paged with {@code x-amz-max-parts} and {@code x-amz-part-number-marker}), StorageClass,
 * ObjectSize.
 */
final class ObjectAttributes {
    private static final Set<String> KNOWN = Set.of("ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize");
    private static final int MAX_PARTS = 1000;

    private final S3Services services;

    ObjectAttributes(S3Services services) {
        this.services = services;
    }

    void handle(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        Set<String> wanted = wanted(r);
        int maxParts = headerInt(r, "x-amz-max-parts", MAX_PARTS);
        int marker = headerInt(r, "x-amz-part-number-marker", 0);
        ObjectInfo info = services.store().get(r.bucket(), r.key()).orElseThrow(() -> new S3Exception(
                S3Error.NoSuchKey, "The specified key does not exist.", Map.of("Key", r.key()))).info();
        XmlWriter doc = XmlWriter.document("GetObjectAttributesResponse");
        if (wanted.contains("ETag")) {
            doc.element("ETag", info.etag()); // unquoted here, as S3 writes it
        }
        ObjectChecksum checksum = info.checksum();
        if (wanted.contains("Checksum") && checksum != null) {
            doc.start("Checksum");
            Checksums.write(doc, checksum);
            doc.end();
        }
        if (wanted.contains("ObjectParts") && !info.parts().isEmpty()) {
            parts(doc, info.parts(), checksum, maxParts, marker);
        }
        if (wanted.contains("StorageClass")) {
            doc.element("StorageClass", "STANDARD");
        }
        if (wanted.contains("ObjectSize")) {
            doc.element("ObjectSize", info.size());
        }
        r.exchange().getResponseHeaders().put(Headers.LAST_MODIFIED, HttpDates.format(info.lastModified()));
        S3Responses.xml(r.exchange(), 200, doc);
    }

    /** Parts numbered after the marker (the numbers they were uploaded under), at most {@code max}. */
    private static void parts(XmlWriter doc, List<ObjectPart> parts, ObjectChecksum checksum, int max, int marker) {
        List<ObjectPart> after = parts.stream().filter(p -> p.number() > marker).toList();
        List<ObjectPart> page = after.subList(0, Math.min(max, after.size()));
        doc.start("ObjectParts")
                .element("PartsCount", parts.size()) // the SDKs' TotalPartsCount
                .element("PartNumberMarker", marker)
                .element("NextPartNumberMarker", page.isEmpty() ? marker : page.get(page.size() - 1).number())
                .element("MaxParts", max)
                .element("IsTruncated", page.size() < after.size());
        for (ObjectPart p : page) {
            doc.start("Part").element("PartNumber", p.number()).element("Size", p.size());
            if (p.checksum() != null && checksum != null) {
                doc.element(Checksums.element(checksum.algorithm()), p.checksum());
            }
            doc.end();
        }
        doc.end();
    }

    /** The attributes asked for: at least one, each one S3 knows (InvalidArgument otherwise). */
    private static Set<String> wanted(S3Request r) throws S3Exception {
        Set<String> wanted = new LinkedHashSet<>();
        for (String header : r.exchange().getRequestHeaders().get("x-amz-object-attributes")) {
            for (String a : header.split(",")) {
                String name = a.trim();
                if (name.isEmpty()) {
                    continue;
                }
                if (!KNOWN.contains(name)) {
                    throw new S3Exception(S3Error.InvalidArgument, "Invalid attribute name specified: '" + name
                            + "'; x-amz-object-attributes takes ETag, Checksum, ObjectParts, StorageClass and ObjectSize.",
                            Map.of("ArgumentName", "x-amz-object-attributes"));
                }
                wanted.add(name);
            }
        }
        if (wanted.isEmpty()) {
            throw new S3Exception(S3Error.InvalidArgument, "The x-amz-object-attributes header specifying the attributes"
                    + " to be retrieved is either missing or empty.", Map.of("ArgumentName", "x-amz-object-attributes"));
        }
        return wanted;
    }

    private static int headerInt(S3Request r, String name, int dflt) throws S3Exception {
        String v = r.header(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 0) {
                return name.equals("x-amz-max-parts") ? Math.min(n, MAX_PARTS) : n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new S3Exception(S3Error.InvalidArgument, name + " must be a non-negative integer.", Map.of("ArgumentName", name));
    }
}
