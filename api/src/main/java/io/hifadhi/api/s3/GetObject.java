package io.hifadhi.api.s3;

import io.hifadhi.api.http.ByteRange;
import io.hifadhi.api.http.HttpDates;
import io.hifadhi.api.http.Preconditions;
import io.hifadhi.api.http.RangeRequest;
import io.hifadhi.api.store.CorruptDataException;
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

/**
 * GetObject and HeadObject: conditional headers and Range through the shared
 * {@link Preconditions} / {@link RangeRequest} rules, S3 error documents, response-* overrides.
 */
final class GetObject {
    private static final Logger LOG = LoggerFactory.getLogger(GetObject.class);
    private static final HttpString TAGGING_COUNT = new HttpString("x-amz-tagging-count");
    /** Query parameters that override a response header, and the header each one sets. */
    static final Map<String, String> OVERRIDES = Map.of(
            "response-content-type", "Content-Type",
            "response-content-language", "Content-Language",
            "response-expires", "Expires",
            "response-cache-control", "Cache-Control",
            "response-content-disposition", "Content-Disposition",
            "response-content-encoding", "Content-Encoding");

    private final S3Services services;

    GetObject(S3Services services) {
        this.services = services;
    }

    void handle(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
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
        RangeRequest range = Preconditions.ifRangeHolds(req.getFirst(Headers.IF_RANGE), etag, info.lastModified())
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

    static boolean headerSafe(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    static List<String> allowedParams() {
        return List.copyOf(OVERRIDES.keySet());
    }
}
