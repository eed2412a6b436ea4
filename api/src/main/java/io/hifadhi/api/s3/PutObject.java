package io.hifadhi.api.s3;

import io.hifadhi.api.Endpoint;
import io.hifadhi.api.http.BoundedInputStream;
import io.hifadhi.api.signature.AwsChunkedInputStream;
import io.hifadhi.api.signature.ChecksumAlgorithm;
import io.hifadhi.api.signature.ChecksumVerifyingInputStream;
import io.hifadhi.api.signature.ExpectedDigest;
import io.hifadhi.api.signature.S3AuthException;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.ObjectTooLargeException;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;
import io.undertow.util.Headers;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * PutObject. The body is staged while every declared digest is checked (signed payload hash or
 * aws-chunked signatures and trailer, Content-MD5, x-amz-checksum-*); only after the body ended
 * cleanly and all of them matched is the object committed, so a bad upload publishes nothing.
 */
final class PutObject {
    private final S3Services services;
    private final ConditionalWrites conditions;
    private final Acls acls;

    PutObject(S3Services services, ConditionalWrites conditions, Acls acls) {
        this.services = services;
        this.conditions = conditions;
        this.acls = acls;
    }

    void handle(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        ConditionalWrites.Condition condition = ConditionalWrites.of(r);
        refuseUnsupported(r, false);
        Acls.ObjectAcl acl = acls.forObjectWrite(r);
        conditions.check(r.bucket(), r.key(), condition); // early: a refused write stages nothing
        Map<String, String> metadata = ObjectHeaders.fromRequest(r.exchange().getRequestHeaders());
        Map<String, String> tags = tags(r);
        Checksums.Declared declared = Checksums.declared(r); // early: a contradictory one stages nothing
        String contentType = r.header("Content-Type");
        Checksums.CheckedBody staged = stageBody(r, services, declared);
        ObjectWrite write = new ObjectWrite(r.bucket(), r.key(), contentType, metadata, null, tags, staged.checksum(), List.of(),
                acl.grants(), acl.stored());
        PutResult result = conditions.write(r.bucket(), r.key(), condition, () -> commit(services, r, write, staged.body()));
        r.exchange().getResponseHeaders().put(Headers.ETAG, "\"" + result.object().etag() + "\"");
        if (staged.checksum() != null) {
            Checksums.put(r.exchange().getResponseHeaders(), staged.checksum());
        }
        S3Responses.empty(r.exchange(), 200);
    }

    /** The tags an {@code x-amz-tagging} header asks for (none without it), checked before any byte is staged. */
    static Map<String, String> tags(S3Request r) throws S3Exception {
        String header = r.header("x-amz-tagging");
        return header == null ? Map.of() : ObjectTags.fromHeader(header);
    }

    /** Commits unless the bucket disappeared while the body was arriving. */
    static PutResult commit(S3Services services, S3Request r, ObjectWrite write, StagedBody staged)
            throws IOException, S3Exception {
        services.requireBucket(write.bucket(), r.accessKey());
        return services.store().commit(write, staged);
    }

    /**
     * Reads the request body through every check the client asked for, into the store; the returned
     * body is complete and verified, with the checksum to keep (null when the client named none): the one
     * the client declared in a header or trailer (it matched), or one computed here while the body streamed
     * when the client named only the algorithm.
     */
    static Checksums.CheckedBody stageBody(S3Request r, S3Services services, Checksums.Declared declared)
            throws IOException, S3Exception {
        long max = services.settings().maxObjectSize();
        OptionalLong size = r.auth().decodedContentLength().isPresent() ? r.auth().decodedContentLength()
                : contentLength(r);
        if (size.isPresent() && size.getAsLong() > max) {
            throw new S3Exception(S3Error.EntityTooLarge, "Your proposed upload exceeds the maximum allowed object size of "
                    + max + " bytes.", Map.of("ProposedSize", Long.toString(size.getAsLong()), "MaxSizeAllowed", Long.toString(max)));
        }
        List<ExpectedDigest> expected = expectedDigests(r);
        AtomicLong bytesIn = Endpoint.bytesIn(r.exchange());
        InputStream raw = new BoundedInputStream(r.exchange().getInputStream(), Long.MAX_VALUE, bytesIn);
        InputStream payload = r.auth().payload(raw);
        InputStream body = payload;
        boolean compute = declared.algorithm() != null && declared.value() == null && !declared.trailer();
        ChecksumVerifyingInputStream checked = null;
        if (!expected.isEmpty() || compute) {
            checked = new ChecksumVerifyingInputStream(body, expected, false,
                    compute ? List.of(declared.algorithm()) : List.of());
            body = checked;
        }
        body = new BoundedInputStream(body, max, new AtomicLong());
        StagedBody staged;
        try {
            staged = services.store().stage(body);
        } catch (ObjectTooLargeException e) {
            throw new S3Exception(S3Error.EntityTooLarge, "Your upload exceeds the maximum allowed object size of " + max + " bytes.");
        }
        return new Checksums.CheckedBody(staged, kept(declared, payload, checked));
    }

    /** The checksum of a body that streamed to its end and passed every check. */
    private static ObjectChecksum kept(Checksums.Declared declared, InputStream payload, ChecksumVerifyingInputStream checked)
            throws S3AuthException {
        ChecksumAlgorithm algorithm = declared.algorithm();
        if (algorithm == null) {
            return null;
        }
        byte[] value;
        if (declared.value() != null) {
            value = Base64.getDecoder().decode(declared.value());
        } else if (declared.trailer() && payload instanceof AwsChunkedInputStream chunked) {
            value = algorithm.decode(chunked.trailers().get(algorithm.headerName()));
        } else {
            value = checked.checksums().get(algorithm);
        }
        return ObjectChecksum.fullObject(algorithm, Base64.getEncoder().encodeToString(value));
    }

    /** A small request body (XML) through its signature checks and any Content-MD5 / x-amz-checksum-* it declares. */
    static InputStream smallBody(S3Request r) throws IOException {
        return smallBody(r, true);
    }

    /**
     * @param checksumHeaders whether x-amz-checksum-* headers describe this body (in CompleteMultipartUpload they
     *                        describe the object being completed instead)
     */
    static InputStream smallBody(S3Request r, boolean checksumHeaders) throws IOException {
        List<ExpectedDigest> expected = expectedDigests(r, checksumHeaders);
        InputStream body = r.auth().payload(r.exchange().getInputStream());
        return expected.isEmpty() ? body : new ChecksumVerifyingInputStream(body, expected, false, List.of());
    }

    /** Content-MD5 and x-amz-checksum-* headers (a trailer is checked by the aws-chunked decoder itself). */
    static List<ExpectedDigest> expectedDigests(S3Request r) throws S3AuthException {
        return expectedDigests(r, true);
    }

    private static List<ExpectedDigest> expectedDigests(S3Request r, boolean checksumHeaders) throws S3AuthException {
        List<ExpectedDigest> out = new ArrayList<>();
        String md5 = r.header("Content-MD5");
        if (md5 != null) {
            out.add(ExpectedDigest.contentMd5(md5));
        }
        for (ChecksumAlgorithm a : checksumHeaders ? ChecksumAlgorithm.values() : new ChecksumAlgorithm[0]) {
            String v = r.header(a.headerName());
            if (v != null) {
                out.add(ExpectedDigest.checksum(a, v));
            }
        }
        return out;
    }

    private static OptionalLong contentLength(S3Request r) throws S3Exception {
        String v = r.header("Content-Length");
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            throw new S3Exception(S3Error.InvalidArgument, "Content-Length is not a number.");
        }
    }

    /**
     * Headers asking for something this store does not do. Storing the object anyway would be a
     * success the client did not ask for (unencrypted, unlocked), so they are refused. ACL headers are
     * {@link Acls}' to check.
     */
    static void refuseUnsupported(S3Request r) throws S3Exception {
        refuseUnsupported(r, true);
    }

    /** @param conditions whether If-Match / If-None-Match are refused too (the operation has no conditional form) */
    static void refuseUnsupported(S3Request r, boolean conditions) throws S3Exception {
        if (conditions) {
            for (String h : List.of("If-Match", "If-None-Match")) {
                if (r.header(h) != null) {
                    throw new S3Exception(S3Error.NotImplemented, "The " + h + " header is not supported by this operation.",
                            Map.of("Header", h));
                }
            }
        }
        for (String h : List.of("x-amz-server-side-encryption", "x-amz-server-side-encryption-customer-algorithm",
                "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date",
                "x-amz-object-lock-legal-hold", "x-amz-website-redirect-location")) {
            if (r.header(h) != null) {
                throw new S3Exception(S3Error.NotImplemented, "The " + h + " header is not supported by this endpoint.",
                        Map.of("Header", h));
            }
        }
        String storageClass = r.header("x-amz-storage-class");
        if (storageClass != null && !storageClass.equals("STANDARD")) {
            throw new S3Exception(S3Error.NotImplemented, "Storage class '" + storageClass + "' is not supported; use STANDARD.");
        }
    }
}
