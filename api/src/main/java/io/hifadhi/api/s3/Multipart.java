package io.hifadhi.api.s3;

import io.hifadhi.api.http.ByteRange;
import io.hifadhi.api.signature.ChecksumAlgorithm;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StoredObject;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Multipart uploads: Create, UploadPart, UploadPartCopy, Complete (with S3's ETag
 * "md5-of-part-md5s-N"), Abort, ListMultipartUploads, ListParts.
 */
final class Multipart {
    static final long MIN_PART_SIZE = 5L << 20;
    static final int MAX_PART_NUMBER = 10_000;
    private static final int MAX_COMPLETE_BODY = 4 << 20;

    private final S3Services services;
    private final XmlReader xml = new XmlReader(MAX_COMPLETE_BODY, 5 * MAX_PART_NUMBER + 10);

    private final ConditionalWrites conditions;

    private final KeyLocks quotaLocks = new KeyLocks();
    private final Acls acls;

    Multipart(S3Services services, ConditionalWrites conditions, Acls acls) {
        this.services = services;
        this.conditions = conditions;
        this.acls = acls;
    }

    void create(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        PutObject.refuseUnsupported(r);
        ObjectWrite write = new ObjectWrite(r.bucket(), r.key(), r.header("Content-Type"),
                ObjectHeaders.fromRequest(r.exchange().getRequestHeaders()), null, PutObject.tags(r));
        Acls.ObjectAcl acl = acls.forObjectWrite(r);
        if (!acl.others().entries().isEmpty()) {
            // The upload's state keeps whether it is public-read only; a richer ACL would be dropped at Complete.
            throw new S3Exception(S3Error.NotImplemented, "CreateMultipartUpload takes an object ACL of private or"
                    + " public-read here, not " + String.join(", ", acl.others().describe()) + "; set it with PutObjectAcl"
                    + " after CompleteMultipartUpload.");
        }
        boolean publicRead = acl.publicRead();
        String named = r.header(Checksums.ALGORITHM_HEADER);
        ChecksumAlgorithm algorithm = named == null ? null : Checksums.algorithm(named, Checksums.ALGORITHM_HEADER);
        ObjectChecksum.Type type = Checksums.uploadType(r, algorithm);
        MultipartStore.Upload upload;
        synchronized (quotaLocks.of(owner(r))) {
            refuseOverQuota(r);
            upload = services.uploads().create(write, owner(r), algorithm, type, publicRead);
        }
        if (algorithm != null) {
            r.exchange().getResponseHeaders().put(new HttpString(Checksums.ALGORITHM_HEADER), algorithm.name());
            r.exchange().getResponseHeaders().put(new HttpString(Checksums.TYPE_HEADER), type.name());
        }
        S3Responses.xml(r.exchange(), 200, XmlWriter.document("InitiateMultipartUploadResult")
                .element("Bucket", r.bucket()).element("Key", r.key()).element("UploadId", upload.uploadId()));
    }

    /**
     * An access key, and one object key, may have only so many uploads open: each is a row on every node
     * until completed or aborted. Counted and created under the access key's lock, so the quotas are exact
     * for creates through one node (across nodes, see {@link KeyLocks}). Uploads are listed by object key,
     * so with the key as the prefix its own come before any longer key's, and at most quota + 1 rows are read.
     */
    private void refuseOverQuota(S3Request r) throws IOException, S3Exception {
        int perKey = services.settings().quotas().uploadsPerKey();
        int keyOpen = services.uploads().openUploads(r.accessKey(), perKey);
        if (keyOpen >= perKey) {
            throw new S3Exception(S3Error.TooManyUploads, "Your access key already has " + keyOpen
                    + " multipart uploads in progress on this cluster; the limit is " + perKey + " a key. Complete or"
                    + " abort some (ListMultipartUploads shows them, bucket by bucket), or ask the operator to raise"
                    + " --max-uploads-per-key.", Map.of("Key", r.key()));
        }
        int quota = services.settings().quotas().uploadsPerObject();
        long open = services.uploads().list(r.bucket(), r.key(), null, null, quota + 1).stream()
                .filter(u -> u.key().equals(r.key())).count();
        if (open >= quota) {
            throw new S3Exception(S3Error.TooManyUploads, "The key already has " + open + " multipart uploads in progress;"
                    + " the limit is " + quota + ". Complete or abort them (ListMultipartUploads with this key as the"
                    + " prefix shows them), or ask the operator to raise --max-uploads-per-object.",
                    Map.of("Key", r.key()));
        }
    }

    void uploadPart(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        int number = partNumber(r);
        MultipartStore.Upload upload = upload(r);
        Checksums.Declared declared = Checksums.declared(r);
        ChecksumAlgorithm required = upload.checksumAlgorithm();
        if (required != null && declared.algorithm() == null) {
            declared = new Checksums.Declared(required, null, false); // computed as the part streams in
        } else if (required != null && declared.algorithm() != required) {
            throw checksumMismatch(required, declared.algorithm());
        }
        Checksums.CheckedBody staged = PutObject.stageBody(r, services, declared);
        MultipartStore.Part part = services.uploads().putPart(upload, number, staged.body(), staged.checksum());
        r.exchange().getResponseHeaders().put(Headers.ETAG, "\"" + part.etag() + "\"");
        if (part.checksum() != null) {
            r.exchange().getResponseHeaders().put(new HttpString(part.checksum().algorithm().headerName()),
                    part.checksum().value());
        }
        S3Responses.empty(r.exchange(), 200);
    }

    private static S3Exception checksumMismatch(ChecksumAlgorithm expected, ChecksumAlgorithm actual) {
        return new S3Exception(S3Error.InvalidRequest, "Checksum Type mismatch occurred, expected checksum Type: "
                + expected.name().toLowerCase(Locale.ROOT) + ", actual checksum Type: " + actual.name().toLowerCase(Locale.ROOT)
                + " (the upload was created with x-amz-checksum-algorithm " + expected.name() + ").");
    }

    void uploadPartCopy(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        int number = partNumber(r);
        MultipartStore.Upload upload = upload(r);
        StoredObject source = CopyObject.openSource(services, r);
        ObjectInfo info = source.info();
        long offset = 0;
        long length = info.size();
        String range = r.header("x-amz-copy-source-range");
        if (range != null) {
            ByteRange b = copyRange(range, info.size());
            offset = b.first();
            length = b.length();
        }
        Checksums.CheckedBody staged;
        try (InputStream in = source.open(offset, length)) {
            // The part's checksum, when the upload keeps them, is of the bytes copied.
            staged = Checksums.stage(services, in, upload.checksumAlgorithm());
        }
        MultipartStore.Part part = services.uploads().putPart(upload, number, staged.body(), staged.checksum());
        XmlWriter doc = XmlWriter.document("CopyPartResult")
                .element("LastModified", S3Responses.isoTime(part.lastModified()))
                .element("ETag", "\"" + part.etag() + "\"");
        if (part.checksum() != null) {
            doc.element(Checksums.element(part.checksum().algorithm()), part.checksum().value());
        }
        S3Responses.xml(r.exchange(), 200, doc);
    }

    /** "bytes=first-last", both given and inside the source, as S3 requires for UploadPartCopy. */
    static ByteRange copyRange(String header, long size) throws S3Exception {
        String h = header.trim();
        S3Exception bad = new S3Exception(S3Error.InvalidArgument, "The x-amz-copy-source-range value must be of the form"
                + " bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
                Map.of("ArgumentName", "x-amz-copy-source-range"));
        if (!h.startsWith("bytes=")) {
            throw bad;
        }
        String[] ends = h.substring(6).split("-", -1);
        if (ends.length != 2) {
            throw bad;
        }
        long first;
        long last;
        try {
            first = Long.parseLong(ends[0]);
            last = Long.parseLong(ends[1]);
        } catch (NumberFormatException e) {
            throw bad;
        }
        if (first < 0 || last < first) {
            throw bad;
        }
        if (last >= size) {
            throw new S3Exception(S3Error.InvalidRange, "The requested range " + first + "-" + last
                    + " is not satisfiable for a source of " + size + " bytes.");
        }
        return new ByteRange(first, last);
    }

    void complete(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        ConditionalWrites.Condition condition = ConditionalWrites.of(r);
        Optional<MultipartStore.Upload> open = findUpload(r);
        InputStream body = PutObject.smallBody(r, false);
        XmlElement root = xml.read(body);
        body.transferTo(java.io.OutputStream.nullOutputStream()); // reach EOF so digests are checked
        if (!root.name().equals("CompleteMultipartUpload")) {
            throw new S3Exception(S3Error.MalformedXML, "The body must be a CompleteMultipartUpload document.");
        }
        List<XmlElement> requested = root.children("Part");
        if (requested.isEmpty()) {
            throw new S3Exception(S3Error.MalformedXML, "You must specify at least one part.");
        }
        // Order first (whole list), then existence, then sizes: S3 reports InvalidPartOrder before EntityTooSmall.
        Map<Integer, String> requestedEtags = new java.util.LinkedHashMap<>();
        Map<Integer, XmlElement> requestedParts = new java.util.HashMap<>();
        int previous = 0;
        for (XmlElement p : requested) {
            int number;
            try {
                number = Integer.parseInt(p.childText("PartNumber").orElse(""));
            } catch (NumberFormatException e) {
                throw new S3Exception(S3Error.MalformedXML, "Every Part needs a numeric PartNumber.");
            }
            if (number <= previous) {
                throw new S3Exception(S3Error.InvalidPartOrder, "The list of parts was not in ascending order."
                        + " Parts must be ordered by part number.");
            }
            previous = number;
            requestedEtags.put(number, unquote(p.childText("ETag").orElse("")));
            requestedParts.put(number, p);
        }
        if (open.isEmpty()) {
            answerRepeatedComplete(r, requestedEtags);
            return;
        }
        MultipartStore.Upload upload = open.get();
        Map<Integer, MultipartStore.Part> stored = services.uploads().parts(upload).stream()
                .collect(Collectors.toMap(MultipartStore.Part::number, Function.identity()));
        List<MultipartStore.Part> chosen = new ArrayList<>();
        for (Map.Entry<Integer, String> e : requestedEtags.entrySet()) {
            MultipartStore.Part part = stored.get(e.getKey());
            if (part == null || !part.etag().equals(e.getValue())) {
                throw new S3Exception(S3Error.InvalidPart, "One or more of the specified parts could not be found."
                        + " The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
                        Map.of("PartNumber", Integer.toString(e.getKey()), "ETag", e.getValue()));
            }
            chosen.add(part);
        }
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            MultipartStore.Part part = chosen.get(i);
            if (i < chosen.size() - 1 && part.size() < MIN_PART_SIZE) {
                throw new S3Exception(S3Error.EntityTooSmall, "Your proposed upload is smaller than the minimum allowed size:"
                        + " every part but the last must be at least 5 MiB.",
                        Map.of("PartNumber", Integer.toString(part.number()), "ProposedSize", Long.toString(part.size()),
                                "MinSizeAllowed", Long.toString(MIN_PART_SIZE)));
            }
            numbers.add(part.number());
        }
        String etag = multipartEtag(requestedEtags.values());
        ObjectChecksum checksum = objectChecksum(r, upload, chosen, requestedParts);
        services.requireBucket(r);
        // The ACL asked for at Create goes into the object's one record, with the body.
        MultipartStore.Upload publishing = upload.publicRead() ? upload.withGrants(Acls.toEveryone()) : upload;
        PutResult result = conditions.write(r.bucket(), r.key(), condition,
                () -> services.uploads().complete(publishing, numbers, etag, checksum));
        completed(r, result.object().etag(), checksum);
    }

    /**
     * The checksum the completed object gets (null when the upload was created without one), from the chosen
     * parts' checksums: every part must have one of the upload's algorithm, a checksum the client restates for a
     * part in the Complete document must be the part's, and one it gives for the whole object in an
     * x-amz-checksum-* header must be the result.
     */
    private static ObjectChecksum objectChecksum(S3Request r, MultipartStore.Upload upload, List<MultipartStore.Part> chosen,
                                                 Map<Integer, XmlElement> requestedParts) throws S3Exception {
        ChecksumAlgorithm algorithm = upload.checksumAlgorithm();
        for (MultipartStore.Part part : chosen) {
            ObjectChecksum stored = part.checksum();
            for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
                String restated = Checksums.inPartElement(requestedParts.get(part.number()), a);
                if (restated != null && (stored == null || stored.algorithm() != a || !stored.value().equals(restated))) {
                    throw new S3Exception(S3Error.InvalidPart, "The " + Checksums.element(a) + " given for part "
                            + part.number() + " does not match the checksum the part was uploaded with.",
                            Map.of("PartNumber", Integer.toString(part.number())));
                }
            }
            if (algorithm != null && (stored == null || stored.algorithm() != algorithm)) {
                throw new S3Exception(S3Error.InvalidPart, "Part " + part.number() + " has no " + algorithm.name()
                        + " checksum, which this upload (created with x-amz-checksum-algorithm " + algorithm.name()
                        + ") requires of every part; upload the part again.",
                        Map.of("PartNumber", Integer.toString(part.number())));
            }
        }
        String askedType = r.header(Checksums.TYPE_HEADER);
        if (askedType != null && (upload.checksumType() == null || !askedType.trim().equalsIgnoreCase(upload.checksumType().name()))) {
            throw new S3Exception(S3Error.InvalidRequest, "The x-amz-checksum-type header (" + askedType + ") does not match"
                    + " the upload's checksum type (" + (upload.checksumType() == null ? "none" : upload.checksumType()) + ").");
        }
        Checksums.Declared declared = Checksums.declared(r);
        if (algorithm == null) {
            if (declared.value() != null) {
                throw new S3Exception(S3Error.InvalidRequest, "The upload was created without x-amz-checksum-algorithm,"
                        + " so the object has no checksum to compare " + declared.algorithm().headerName() + " with.");
            }
            return null;
        }
        if (declared.algorithm() != null && declared.algorithm() != algorithm) {
            throw checksumMismatch(algorithm, declared.algorithm());
        }
        ObjectChecksum checksum = Checksums.ofParts(algorithm, upload.checksumType(),
                chosen.stream().map(p -> p.checksum().value()).toList(), chosen.stream().map(MultipartStore.Part::size).toList());
        String expected = r.header(algorithm.headerName());
        if (expected != null && !checksum.value().equals(expected.trim())
                && !checksum.value().equals(expected.trim() + "-" + chosen.size())) {
            throw new S3Exception(S3Error.BadDigest, "The " + algorithm.headerName() + " you specified (" + expected.trim()
                    + ") did not match the checksum of the parts (" + checksum.value() + ").");
        }
        return checksum;
    }

    /**
     * A Complete whose upload is gone: SDKs retry Complete after a timeout, and the first attempt may
     * have succeeded. If the object now under the key is exactly what these parts make (its ETag is
     * the MD5 of their MD5s and their count), answer as the first Complete did; otherwise the upload
     * really is unknown (aborted, never created, or completed and overwritten since).
     */
    private void answerRepeatedComplete(S3Request r, Map<Integer, String> requestedEtags) throws IOException, S3Exception {
        String etag;
        try {
            etag = multipartEtag(requestedEtags.values());
        } catch (IllegalArgumentException notHex) {
            throw noSuchUpload(r);
        }
        Optional<StoredObject> current = services.store().get(r.bucket(), r.key());
        if (current.isEmpty() || !current.get().info().etag().equals(etag)) {
            throw noSuchUpload(r);
        }
        completed(r, etag, current.get().info().checksum());
    }

    /** Who began an upload: its key, or "anonymous" for an upload a bucket ACL or policy opened to everyone. */
    private static String owner(S3Request r) {
        return r.accessKey() == null ? "anonymous" : r.accessKey();
    }

    private static String multipartEtag(java.util.Collection<String> partEtags) {
        MessageDigest md5s = md5();
        for (String e : partEtags) {
            md5s.update(HexFormat.of().parseHex(e));
        }
        return HexFormat.of().formatHex(md5s.digest()) + "-" + partEtags.size();
    }

    private static void completed(S3Request r, String etag, ObjectChecksum checksum) {
        XmlWriter doc = XmlWriter.document("CompleteMultipartUploadResult")
                .element("Location", "/" + r.bucket() + "/" + r.key())
                .element("Bucket", r.bucket())
                .element("Key", r.key())
                .element("ETag", "\"" + etag + "\"");
        if (checksum != null) {
            Checksums.write(doc, checksum);
        }
        S3Responses.xml(r.exchange(), 200, doc);
    }

    void abort(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        services.uploads().abort(upload(r));
        S3Responses.empty(r.exchange(), 204);
    }

    void listParts(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        MultipartStore.Upload upload = upload(r);
        int max = intParam(r, "max-parts", 1000);
        int marker = intParam(r, "part-number-marker", 0);
        List<MultipartStore.Part> parts = services.uploads().parts(upload).stream().filter(p -> p.number() > marker).toList();
        boolean truncated = parts.size() > max;
        List<MultipartStore.Part> page = parts.subList(0, Math.min(max, parts.size()));
        Owner owner = Owner.of(upload.owner());
        XmlWriter doc = XmlWriter.document("ListPartsResult")
                .element("Bucket", r.bucket()).element("Key", r.key()).element("UploadId", upload.uploadId());
        owner.write(doc, "Initiator");
        owner.write(doc, "Owner");
        doc.element("StorageClass", "STANDARD");
        uploadChecksum(doc, upload);
        doc.element("PartNumberMarker", marker)
                .element("NextPartNumberMarker", page.isEmpty() ? marker : page.get(page.size() - 1).number())
                .element("MaxParts", max)
                .element("IsTruncated", truncated);
        for (MultipartStore.Part p : page) {
            doc.start("Part").element("PartNumber", p.number())
                    .element("LastModified", S3Responses.isoTime(p.lastModified()))
                    .element("ETag", "\"" + p.etag() + "\"")
                    .element("Size", p.size());
            if (p.checksum() != null) {
                doc.element(Checksums.element(p.checksum().algorithm()), p.checksum().value());
            }
            doc.end();
        }
        S3Responses.xml(r.exchange(), 200, doc);
    }

    void listUploads(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        String prefix = r.param("prefix").orElse("");
        String delimiter = r.param("delimiter").filter(d -> !d.isEmpty()).orElse(null);
        String keyMarker = r.param("key-marker").filter(k -> !k.isEmpty()).orElse(null);
        String uploadIdMarker = keyMarker == null ? null : r.param("upload-id-marker").filter(k -> !k.isEmpty()).orElse(null);
        int max = Math.min(intParam(r, "max-uploads", 1000), 1000);
        boolean url = ListObjects.urlEncoding(r);
        List<MultipartStore.Upload> uploads = new ArrayList<>();
        Set<String> prefixes = new LinkedHashSet<>();
        boolean truncated = false;
        String nextKey = null;
        String nextUploadId = null;
        String cursorKey = keyMarker;
        String cursorId = uploadIdMarker;
        outer:
        for (int round = 0; round < 100; round++) {
            List<MultipartStore.Upload> batch = services.uploads().list(r.bucket(), prefix, cursorKey, cursorId, max + 1);
            for (MultipartStore.Upload u : batch) {
                cursorKey = u.key();
                cursorId = u.uploadId();
                String cp = delimiter == null ? null : Listing.commonPrefix(u.key(), prefix, delimiter);
                if (cp != null && prefixes.contains(cp)) {
                    continue;
                }
                if (uploads.size() + prefixes.size() == max) {
                    truncated = true;
                    break outer;
                }
                if (cp != null) {
                    prefixes.add(cp);
                    nextKey = cp;
                    nextUploadId = null;
                } else {
                    uploads.add(u);
                    nextKey = u.key();
                    nextUploadId = u.uploadId();
                }
            }
            if (batch.size() <= max) {
                break;
            }
        }
        XmlWriter doc = XmlWriter.document("ListMultipartUploadsResult")
                .element("Bucket", r.bucket())
                .element("KeyMarker", keyMarker == null ? "" : ListObjects.enc(keyMarker, url))
                .element("UploadIdMarker", uploadIdMarker == null ? "" : uploadIdMarker);
        if (truncated) {
            doc.element("NextKeyMarker", ListObjects.enc(nextKey, url)).element("NextUploadIdMarker", nextUploadId);
        }
        doc.element("Prefix", ListObjects.enc(prefix, url))
                .element("Delimiter", delimiter == null ? null : ListObjects.enc(delimiter, url))
                .element("MaxUploads", max)
                .element("IsTruncated", truncated);
        if (url) {
            doc.element("EncodingType", "url");
        }
        for (MultipartStore.Upload u : uploads) {
            Owner owner = Owner.of(u.owner());
            doc.start("Upload").element("Key", ListObjects.enc(u.key(), url)).element("UploadId", u.uploadId());
            owner.write(doc, "Initiator");
            owner.write(doc, "Owner");
            doc.element("StorageClass", "STANDARD").element("Initiated", S3Responses.isoTime(u.initiated()));
            uploadChecksum(doc, u);
            doc.end();
        }
        for (String p : prefixes) {
            doc.start("CommonPrefixes").element("Prefix", ListObjects.enc(p, url)).end();
        }
        S3Responses.xml(r.exchange(), 200, doc);
    }

    /**
     * ChecksumAlgorithm and ChecksumType of an upload created with x-amz-checksum-algorithm (nothing otherwise), as
     * ListParts and ListMultipartUploads show them: SDKs read them to choose the checksum of the parts they resume.
     */
    private static void uploadChecksum(XmlWriter doc, MultipartStore.Upload upload) {
        if (upload.checksumAlgorithm() != null) {
            doc.element("ChecksumAlgorithm", upload.checksumAlgorithm().name())
                    .element("ChecksumType", upload.checksumType().name());
        }
    }

    private MultipartStore.Upload upload(S3Request r) throws IOException, S3Exception {
        return findUpload(r).orElseThrow(() -> noSuchUpload(r));
    }

    /** The open upload the request names; AccessDenied when it belongs to another key. */
    private Optional<MultipartStore.Upload> findUpload(S3Request r) throws IOException, S3Exception {
        Optional<MultipartStore.Upload> upload = services.uploads().upload(r.bucket(), r.key(), r.param("uploadId").orElse(""));
        if (upload.isPresent() && !upload.get().owner().equals(owner(r))) {
            throw new S3Exception(S3Error.AccessDenied, "Access Denied: the upload belongs to another access key.");
        }
        return upload;
    }

    private static S3Exception noSuchUpload(S3Request r) {
        return new S3Exception(S3Error.NoSuchUpload, "The specified multipart upload does not exist. The upload ID may be"
                + " invalid, or the upload may have been aborted or completed.", Map.of("UploadId", r.param("uploadId").orElse("")));
    }

    private static int partNumber(S3Request r) throws S3Exception {
        String v = r.param("partNumber").orElse("");
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= MAX_PART_NUMBER) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new S3Exception(S3Error.InvalidArgument, "Part number must be an integer between 1 and " + MAX_PART_NUMBER + ", inclusive.",
                Map.of("ArgumentName", "partNumber"));
    }

    private static int intParam(S3Request r, String name, int dflt) throws S3Exception {
        String v = r.param(name).orElse(null);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.InvalidArgument, name + " must be a non-negative integer.", Map.of("ArgumentName", name));
        }
    }

    static String unquote(String etag) {
        String e = etag.trim();
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
