package io.hifadhi.api.s3;

import io.hifadhi.api.http.ByteRange;
import io.hifadhi.api.http.HttpDates;
import io.hifadhi.api.http.Preconditions;
import io.hifadhi.api.http.RangeRequest;
import io.hifadhi.api.store.CorruptDataException;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.StoredObject;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GetObject and HeadObject: conditional headers and Range through the shared
 * {@link Preconditions} / {@link RangeRequest} rules, S3 error documents, response-* overrides.
 */
final class GetObject {
    private static final Logger LOG = LoggerFactory.getLogger(GetObject.class);
    private static final HttpString TAGGING_COUNT = new HttpString("x-amz-tagging-count");
    private static final HttpString PARTS_COUNT = new HttpString("x-amz-mp-parts-count");
    /** Query parameters that override a response header, and the header each one sets. */
    static final Map<String, String> OVERRIDES = Map.of(
            "response-content-type", "Content-Type",
            "response-content-language", "Content-Language",
            "response-expires", "Expires",
            "response-cache-control", "Cache-Control",
            "response-content-disposition", "Content-Disposition",
            "response-content-encoding", "Content-Encoding");
    /** The query parameters GetObject and HeadObject take: the overrides and partNumber. */
    static final Set<String> PARAMETERS = parameters();

    private final S3Services services;

    GetObject(S3Services services) {
        this.services = services;
    }

    void handle(S3Request r) throws IOException, S3Exception {
        if (r.checkedBucket() == null) { // else the access check read it for this very request
            services.requireBucket(r);
        }
        if (r.accessKey() == null && OVERRIDES.keySet().stream().anyMatch(p -> r.param(p).isPresent())) {
            // As S3: an anonymous reader (here, through an IP grant) must not make the node serve a stored
            // object as, say, text/html inline, on this node's origin.
            throw new S3Exception(S3Error.InvalidRequest,
                    "Request specific response headers cannot be used for anonymous GET requests.");
        }
        for (String p : OVERRIDES.keySet()) {
            if (r.param(p).isPresent() && !headerSafe(r.param(p).get())) {
                throw new S3Exception(S3Error.InvalidArgument, "The value of " + p + " contains characters a header cannot carry.",
                        Map.of("ArgumentName", p));
            }
        }
        Integer partNumber = partNumber(r);
        StoredObject object = services.store().get(r.bucket(), r.key()).orElseThrow(() -> new S3Exception(
                S3Error.NoSuchKey, "The specified key does not exist.", Map.of("Key", r.key())));
        ObjectInfo info = object.info();
        HttpServerExchange exchange = r.exchange();
        boolean head = r.method().equals("HEAD");
        HeaderMap req = exchange.getRequestHeaders();
        HeaderMap res = exchange.getResponseHeaders();
        String etag = "\"" + info.etag() + "\"";
        res.put(Headers.ETAG, etag);
        res.put(Headers.LAST_MODIFIED, HttpDates.format(info.lastModified()));
        res.put(Headers.ACCEPT_RANGES, "bytes");

        switch (Preconditions.evaluate(r.method(), etag, info.lastModified(),
                req.getFirst(Headers.IF_MATCH), req.getFirst(Headers.IF_UNMODIFIED_SINCE),
                req.getFirst(Headers.IF_NONE_MATCH), req.getFirst(Headers.IF_MODIFIED_SINCE))) {
            case NOT_MODIFIED -> {
                S3Responses.empty(exchange, 304);
                return;
            }
            case PRECONDITION_FAILED -> throw new S3Exception(S3Error.PreconditionFailed,
                    "At least one of the preconditions you specified did not hold.",
                    Map.of("Condition", req.getFirst(Headers.IF_MATCH) != null ? "If-Match" : "If-Unmodified-Since"));
            case PROCEED -> {
            }
        }

        long size = info.size();
        RangeRequest range = partNumber != null ? partRange(info, partNumber)
                : Preconditions.ifRangeHolds(req.getFirst(Headers.IF_RANGE), etag, info.lastModified())
                ? RangeRequest.parse(req.getFirst(Headers.RANGE), size)
                : RangeRequest.full();
        if (range.kind() == RangeRequest.Kind.UNSATISFIABLE) {
            res.put(Headers.CONTENT_RANGE, "bytes */" + size);
            throw new S3Exception(S3Error.InvalidRange, "The requested range is not satisfiable.",
                    Map.of("RangeRequested", String.valueOf(req.getFirst(Headers.RANGE)), "ActualObjectSize", Long.toString(size)));
        }
        long offset = 0;
        long length = size;
        int status = 200;
        if (range.kind() == RangeRequest.Kind.PARTIAL) {
            ByteRange b = range.range();
            offset = b.first();
            length = b.length();
            status = 206;
        }
        InputStream in = null;
        if (!head && length > 0) {
            try {
                in = object.open(offset, length);
            } catch (CorruptDataException e) {
                LOG.error("refusing to serve {}/{}: {}", info.bucket(), info.key(), e.getMessage());
                throw new S3Exception(S3Error.InternalError,
                        "The stored data for this object failed its checksum and will not be served.");
            }
        }
        if (status == 206) {
            res.put(Headers.CONTENT_RANGE, range.range().contentRange(size));
        }
        res.put(Headers.CONTENT_TYPE, info.contentType());
        ObjectHeaders.system(info).forEach((name, value) -> res.put(new HttpString(name), value));
        ObjectHeaders.user(info).forEach((name, value) -> res.put(new HttpString(ObjectHeaders.META_PREFIX + name), value));
        if (!info.tags().isEmpty()) {
            res.put(TAGGING_COUNT, info.tags().size());
        }
        if (partNumber != null && !info.parts().isEmpty()) {
            res.put(PARTS_COUNT, info.parts().size());
        }
        if (Checksums.requested(r)) {
            checksumHeaders(res, info, partNumber, range.kind() == RangeRequest.Kind.PARTIAL);
        }
        for (Map.Entry<String, String> o : OVERRIDES.entrySet()) {
            r.param(o.getKey()).ifPresent(v -> res.put(new HttpString(o.getValue()), v));
        }
        res.put(Headers.CONTENT_LENGTH, length);
        exchange.setStatusCode(status);
        if (in == null) {
            exchange.endExchange();
            return;
        }
        io.hifadhi.api.http.ObjectResponder.sendBody(exchange, in, length, info);
    }

    /**
     * The {@code partNumber} a GET or HEAD asks for, or null; it cannot go with a Range header. It names a part by the
     * number it was uploaded under (a Complete may skip numbers), as S3 does.
     */
    private static Integer partNumber(S3Request r) throws S3Exception {
        String v = r.param("partNumber").orElse(null);
        if (v == null) {
            return null;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1 || n > Multipart.MAX_PART_NUMBER) {
            throw new S3Exception(S3Error.InvalidArgument, "Part number must be an integer between 1 and "
                    + Multipart.MAX_PART_NUMBER + ", inclusive.", Map.of("ArgumentName", "partNumber", "ArgumentValue", v));
        }
        if (r.header("Range") != null) {
            throw new S3Exception(S3Error.InvalidRequest, "Cannot specify both Range header and partNumber query parameter.");
        }
        return n;
    }

    /** The index of part {@code n} among a multipart object's parts; -1 when it has none of that number. */
    private static int partIndex(ObjectInfo info, int n) {
        for (int i = 0; i < info.parts().size(); i++) {
            if (info.parts().get(i).number() == n) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The bytes of part {@code n}: of a multipart object, between its part boundaries; of an object written in one
     * piece, part 1 is all of it. InvalidPartNumber (416) for a part the object does not have.
     */
    private static RangeRequest partRange(ObjectInfo info, int n) throws S3Exception {
        int index = info.parts().isEmpty() ? (n == 1 ? 0 : -1) : partIndex(info, n);
        if (index < 0) {
            int count = Math.max(1, info.parts().size());
            throw new S3Exception(S3Error.InvalidPartNumber, "The requested partnumber is not satisfiable: the object has "
                    + count + (count == 1 ? " part" : " parts") + " and none numbered " + n + ".",
                    Map.of("PartNumberRequested", Integer.toString(n), "ActualPartCount", Integer.toString(count)));
        }
        long first = 0;
        long length = info.size();
        if (!info.parts().isEmpty()) {
            for (int i = 0; i < index; i++) {
                first += info.parts().get(i).size();
            }
            length = info.parts().get(index).size();
        }
        return length == 0 ? RangeRequest.full() : RangeRequest.of(new ByteRange(first, first + length - 1));
    }

    /**
     * The stored checksum, when the answer carries exactly the bytes it covers: the whole object, or one part of a
     * multipart object whose parts have checksums. A Range answer gets none (the SDKs would check it against the
     * range's bytes).
     */
    private static void checksumHeaders(HeaderMap res, ObjectInfo info, Integer partNumber, boolean partial) {
        ObjectChecksum checksum = info.checksum();
        if (checksum == null) {
            return;
        }
        if (partNumber != null && !info.parts().isEmpty()) {
            String part = info.parts().get(partIndex(info, partNumber)).checksum();
            if (part != null) {
                res.put(new HttpString(checksum.algorithm().headerName()), part);
            }
            return;
        }
        if (!partial || partNumber != null) {
            Checksums.put(res, checksum);
        }
    }

    static boolean headerSafe(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> parameters() {
        Set<String> all = new java.util.HashSet<>(OVERRIDES.keySet());
        all.add("partNumber");
        return Set.copyOf(all);
    }

    static List<String> allowedParams() {
        return List.copyOf(OVERRIDES.keySet());
    }
}
