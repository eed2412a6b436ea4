package io.hifadhi.api.s3;

import io.hifadhi.api.Endpoint;
import io.hifadhi.api.http.BoundedInputStream;
import io.hifadhi.api.signature.ChecksumAlgorithm;
import io.hifadhi.api.signature.ChecksumVerifyingInputStream;
import io.hifadhi.api.signature.ExpectedDigest;
import io.hifadhi.api.signature.S3AuthException;
import io.hifadhi.api.store.ObjectTooLargeException;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;
import io.undertow.util.Headers;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
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
        boolean publicRead = acls.forObjectWrite(r);
        conditions.check(r.bucket(), r.key(), condition); // early: a refused write stages nothing
        Map<String, String> metadata = ObjectHeaders.fromRequest(r.exchange().getRequestHeaders());
        Map<String, String> tags = tags(r);
        String contentType = r.header("Content-Type");
        StagedBody staged = stageBody(r, services);
        PutResult result = conditions.write(r.bucket(), r.key(), condition,
                () -> commit(services, r, new ObjectWrite(r.bucket(), r.key(), contentType, metadata, null, tags), staged));
        if (publicRead) {
            acls.applyToObject(r.bucket(), r.key(), true);
        }
        r.exchange().getResponseHeaders().put(Headers.ETAG, "\"" + result.object().etag() + "\"");
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
     * body is complete and verified.
     */
    static StagedBody stageBody(S3Request r, S3Services services) throws IOException, S3Exception {
        long max = services.settings().maxObjectSize();
        OptionalLong declared = r.auth().decodedContentLength().isPresent() ? r.auth().decodedContentLength()
                : contentLength(r);
        if (declared.isPresent() && declared.getAsLong() > max) {
            throw new S3Exception(S3Error.EntityTooLarge, "Your proposed upload exceeds the maximum allowed object size of "
                    + max + " bytes.", Map.of("ProposedSize", Long.toString(declared.getAsLong()), "MaxSizeAllowed", Long.toString(max)));
        }
        List<ExpectedDigest> expected = expectedDigests(r);
        AtomicLong bytesIn = Endpoint.bytesIn(r.exchange());
        InputStream raw = new BoundedInputStream(r.exchange().getInputStream(), Long.MAX_VALUE, bytesIn);
        InputStream body = r.auth().payload(raw);
        if (!expected.isEmpty()) {
            body = new ChecksumVerifyingInputStream(body, expected, false, List.of());
        }
        body = new BoundedInputStream(body, max, new AtomicLong());
        try {
            return services.store().stage(body);
        } catch (ObjectTooLargeException e) {
            throw new S3Exception(S3Error.EntityTooLarge, "Your upload exceeds the maximum allowed object size of " + max + " bytes.");
        }
    }

    /** A small request body (XML) through its signature checks and any Content-MD5 / x-amz-checksum-* it declares. */
    static InputStream smallBody(S3Request r) throws IOException {
        List<ExpectedDigest> expected = expectedDigests(r);
        InputStream body = r.auth().payload(r.exchange().getInputStream());
        return expected.isEmpty() ? body : new ChecksumVerifyingInputStream(body, expected, false, List.of());
    }

    /** Content-MD5 and x-amz-checksum-* headers (a trailer is checked by the aws-chunked decoder itself). */
    static List<ExpectedDigest> expectedDigests(S3Request r) throws S3AuthException {
        List<ExpectedDigest> out = new ArrayList<>();
        String md5 = r.header("Content-MD5");
        if (md5 != null) {
            out.add(ExpectedDigest.contentMd5(md5));
        }
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
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
