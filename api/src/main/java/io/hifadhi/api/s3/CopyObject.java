package io.hifadhi.api.s3;

import io.hifadhi.api.http.PercentDecoder;
import io.hifadhi.api.http.Preconditions;
import io.hifadhi.api.signature.ChecksumAlgorithm;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * CopyObject: streams the source through {@link io.hifadhi.api.store.ObjectStore#stage}, so memory
 * stays bounded whatever the size; x-amz-metadata-directive COPY (default) or REPLACE;
 * x-amz-tagging-directive COPY (default: the source's tags) or REPLACE (the x-amz-tagging header's, or none).
 */
final class CopyObject {
    private final S3Services services;
    private final Acls acls;

    CopyObject(S3Services services, Acls acls) {
        this.services = services;
        this.acls = acls;
    }

    /** Bucket and key named by x-amz-copy-source ("bucket/key" or "/bucket/key", URL-encoded). */
    record Source(String bucket, String key) {
    }

    static Source parseSource(String header) throws S3Exception {
        String v = header.startsWith("/") ? header.substring(1) : header;
        int q = v.indexOf('?');
        if (q >= 0) {
            String query = v.substring(q + 1);
            v = v.substring(0, q);
            if (query.startsWith("versionId=") && !query.equals("versionId=null")) {
                throw new S3Exception(S3Error.NotImplemented, "Copying a specific version is not supported.");
            }
        }
        int slash = v.indexOf('/');
        if (slash <= 0 || slash == v.length() - 1) {
            throw new S3Exception(S3Error.InvalidArgument, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.",
                    Map.of("ArgumentName", "x-amz-copy-source"));
        }
        try {
            return new Source(PercentDecoder.decodePath(v.substring(0, slash)), PercentDecoder.decodePath(v.substring(slash + 1)));
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.InvalidArgument, "x-amz-copy-source is not validly URL-encoded UTF-8.",
                    Map.of("ArgumentName", "x-amz-copy-source"));
        }
    }

    /** The source object after access and x-amz-copy-source-if-* checks. */
    static StoredObject openSource(S3Services services, S3Request r) throws IOException, S3Exception {
        Source src = parseSource(r.header("x-amz-copy-source"));
        services.requireBucket(src.bucket(), r.accessKey());
        StoredObject object = services.store().get(src.bucket(), src.key()).orElseThrow(() -> new S3Exception(
                S3Error.NoSuchKey, "The specified copy source key does not exist.", Map.of("Key", src.key())));
        ObjectInfo info = object.info();
        Preconditions.Outcome outcome = Preconditions.evaluate("GET", "\"" + info.etag() + "\"", info.lastModified(),
                r.header("x-amz-copy-source-if-match"), r.header("x-amz-copy-source-if-unmodified-since"),
                r.header("x-amz-copy-source-if-none-match"), r.header("x-amz-copy-source-if-modified-since"));
        if (outcome != Preconditions.Outcome.PROCEED) {
            throw new S3Exception(S3Error.PreconditionFailed, "At least one of the copy-source preconditions you specified did not hold.");
        }
        return object;
    }

    /** Whether a directive header says REPLACE; absent or COPY is false, anything else refused. */
    private static boolean replaces(S3Request r, String header) throws S3Exception {
        String directive = r.header(header);
        if (directive == null || directive.equals("COPY")) {
            return false;
        }
        if (directive.equals("REPLACE")) {
            return true;
        }
        throw new S3Exception(S3Error.InvalidArgument, "Unknown " + header.substring("x-amz-".length()).replace('-', ' ') + " '"
                + LifecycleConfiguration.clip(directive) + "'; use COPY or REPLACE.", Map.of("ArgumentName", header));
    }

    void handle(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        PutObject.refuseUnsupported(r);
        Acls.ObjectAcl acl = acls.forObjectWrite(r);
        boolean replace = replaces(r, "x-amz-metadata-directive");
        boolean replaceTags = replaces(r, "x-amz-tagging-directive");
        Map<String, String> newTags = PutObject.tags(r);
        StoredObject source = openSource(services, r);
        ObjectInfo info = source.info();
        Map<String, String> tags = replaceTags ? newTags : info.tags();
        Source names = parseSource(r.header("x-amz-copy-source"));
        if (!replace && names.bucket().equals(r.bucket()) && names.key().equals(r.key())) {
            throw new S3Exception(S3Error.InvalidRequest, "This copy request is illegal because it is trying to copy an object to itself"
                    + " without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }
        ObjectWrite write = replace
                ? new ObjectWrite(r.bucket(), r.key(), r.header("Content-Type"), ObjectHeaders.fromRequest(r.exchange().getRequestHeaders()),
                null, tags)
                : new ObjectWrite(r.bucket(), r.key(), info.contentType(), info.userMetadata(), null, tags);
        // The copy is one piece: a checksum (the one asked for, else the source's algorithm) is of its whole body.
        String named = r.header(Checksums.ALGORITHM_HEADER);
        ChecksumAlgorithm algorithm = named != null ? Checksums.algorithm(named, Checksums.ALGORITHM_HEADER)
                : info.checksum() == null ? null : info.checksum().algorithm();
        Checksums.CheckedBody staged;
        try (InputStream in = source.open(0, info.size())) {
            staged = Checksums.stage(services, in, algorithm);
        }
        ObjectChecksum checksum = staged.checksum();
        PutResult result = PutObject.commit(services, r, write.withBody(checksum, List.of()).withAccess(acl.grants(), acl.stored()), staged.body());
        XmlWriter doc = XmlWriter.document("CopyObjectResult")
                .element("LastModified", S3Responses.isoTime(result.object().lastModified()))
                .element("ETag", "\"" + result.object().etag() + "\"");
        if (checksum != null) {
            Checksums.write(doc, checksum);
        }
        S3Responses.xml(r.exchange(), 200, doc);
    }
}
