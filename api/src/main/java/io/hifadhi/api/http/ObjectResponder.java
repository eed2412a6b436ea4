package io.hifadhi.api.http;

import io.hifadhi.api.store.CorruptDataException;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.StoredObject;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;

/**
 * Sends an object as an HTTP representation: validators, conditional requests, a single byte range,
 * HEAD. Shared by the native download/stream endpoints and S3 GetObject. Must run on a worker
 * thread, in the exchange's handler.
 */
public final class ObjectResponder {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectResponder.class);

    /** @param contentDisposition header value or null for none */
    public void respond(HttpServerExchange exchange, StoredObject object, String contentDisposition) throws IOException {
        ObjectInfo info = object.info();
        String method = exchange.getRequestMethod().toString();
        boolean head = method.equals("HEAD");
        HeaderMap req = exchange.getRequestHeaders();
        HeaderMap res = exchange.getResponseHeaders();
        String etag = "\"" + info.etag() + "\"";
        res.put(Headers.ETAG, etag);
        res.put(Headers.LAST_MODIFIED, HttpDates.format(info.lastModified()));
        res.put(Headers.ACCEPT_RANGES, "bytes");

        switch (Preconditions.evaluate(method, etag, info.lastModified(),
                req.getFirst(Headers.IF_MATCH), req.getFirst(Headers.IF_UNMODIFIED_SINCE),
                req.getFirst(Headers.IF_NONE_MATCH), req.getFirst(Headers.IF_MODIFIED_SINCE))) {
            case NOT_MODIFIED -> {
                exchange.setStatusCode(304);
                exchange.endExchange();
                return;
            }
            case PRECONDITION_FAILED -> {
                ApiErrors.send(exchange, 412, "precondition_failed",
                        "The object's current ETag or modification time does not satisfy If-Match/If-Unmodified-Since.",
                        "Fetch the object's current ETag with a HEAD request and retry with it.");
                return;
            }
            case PROCEED -> {
            }
        }

        long size = info.size();
        RangeRequest range = Preconditions.ifRangeHolds(req.getFirst(Headers.IF_RANGE), etag, info.lastModified())
                ? RangeRequest.parse(req.getFirst(Headers.RANGE), size)
                : RangeRequest.full();
        if (range.kind() == RangeRequest.Kind.UNSATISFIABLE) {
            res.put(Headers.CONTENT_RANGE, "bytes */" + size);
            ApiErrors.send(exchange, 416, "range_not_satisfiable",
                    "The requested range lies outside the object, which is " + size + " bytes long.",
                    "Ask for bytes between 0 and " + Math.max(0, size - 1) + ", or omit the Range header.");
            return;
        }
        long offset = 0;
        long length = size;
        if (range.kind() == RangeRequest.Kind.PARTIAL) {
            ByteRange r = range.range();
            offset = r.first();
            length = r.length();
            exchange.setStatusCode(206);
            res.put(Headers.CONTENT_RANGE, r.contentRange(size));
        } else {
            exchange.setStatusCode(200);
        }
        res.put(Headers.CONTENT_TYPE, info.contentType());
        if (contentDisposition != null) {
            res.put(Headers.CONTENT_DISPOSITION, contentDisposition);
        }
        res.put(Headers.CONTENT_LENGTH, length);
        if (head || length == 0) {
            exchange.endExchange();
            return;
        }
        InputStream in;
        try {
            in = object.open(offset, length);
        } catch (CorruptDataException e) {
            LOG.error("refusing to serve {}/{}: {}", info.bucket(), info.key(), e.getMessage());
            res.remove(Headers.CONTENT_RANGE);
            res.remove(Headers.CONTENT_DISPOSITION);
            ApiErrors.send(exchange, 500, "corrupt_data",
                    "The stored data for this object failed its checksum and will not be served.",
                    "Re-upload the object; the operator should check the node's disk.");
            return;
        }
        sendBody(exchange, in, length, info);
    }

    /**
     * Streams {@code length} bytes of an object whose status and headers are already set, without
     * holding a worker while the client reads slowly ({@link BodyPump}). Bytes that fail their checksum
     * mid-stream cut the connection: the client sees a short body, never wrong bytes.
     */
    public static void sendBody(HttpServerExchange exchange, InputStream in, long length, ObjectInfo info) {
        BodyPump.start(exchange, in, length, info);
    }
}
