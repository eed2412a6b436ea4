package io.hifadhi.api.nativeapi;

import io.hifadhi.api.ApiContext;
import io.hifadhi.api.Endpoint;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.BoundedInputStream;
import io.hifadhi.api.http.ContentTypes;
import io.hifadhi.api.http.PercentDecoder;
import io.hifadhi.api.store.ObjectTooLargeException;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;

/**
 * PUT /api/v1/store/&lt;query&gt;: the request body, raw, becomes the file named by the full query
 * {@code <instance>@<filename>} (percent-encoded). The query is given whole, unlike POST /api/v1/store,
 * so a presigned PUT link names exactly one object whichever node it is used on. Allowed with the
 * SHARD-KEY header or a presigned PUT link for this query; {@code curl -T file '<link>'} works.
 */
public final class UploadHandler implements HttpHandler {
    static final String PREFIX = "/api/v1/store/";
    private static final Logger LOG = LoggerFactory.getLogger(UploadHandler.class);
    private static final String USAGE = "PUT the raw file to /api/v1/store/<instance>@<filename> (percent-encoded), e.g. "
            + "curl -T movie.mp4 '<presigned PUT link>' or curl -H 'SHARD-KEY: <key>' -T movie.mp4 http://host:7111/api/v1/store/node-a%40movie.mp4";

    private final ApiContext context;
    private final long maxObjectSize;

    public UploadHandler(ApiContext context, long maxObjectSize) {
        this.context = context;
        this.maxObjectSize = maxObjectSize;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (!Methods.allow(exchange, "PUT")) {
            return;
        }
        String query;
        try {
            query = PercentDecoder.decodePath(exchange.getRequestPath().substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            ApiErrors.send(exchange, 400, "invalid_query", "The query in the URL is not valid percent-encoded UTF-8 ("
                    + e.getMessage() + ").", USAGE);
            return;
        }
        // Decided before a byte of the body is read, so a 100-continue client never sends it.
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.STORE, query);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        String problem = NativeNames.problemWithQuery(query);
        if (problem != null) {
            ApiErrors.send(exchange, 400, "invalid_query", problem, USAGE);
            return;
        }
        long declared = exchange.getRequestContentLength();
        if (declared > maxObjectSize) {
            ApiErrors.send(exchange, 413, "too_large", "The body is " + declared + " bytes; the limit is " + maxObjectSize + ".",
                    "Split the file or raise the node's maximum object size.");
            return;
        }
        StagedBody staged;
        try {
            staged = context.store().stage(new BoundedInputStream(exchange.getInputStream(), maxObjectSize, Endpoint.bytesIn(exchange)));
        } catch (ObjectTooLargeException e) {
            ApiErrors.send(exchange, 413, "too_large", e.getMessage() + ".", "Split the file or raise the node's maximum object size.");
            return;
        }
        String fileName = NativeNames.fileNameOf(query);
        String contentType = ContentTypes.choose(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE), fileName);
        PutResult result = context.store().commit(new ObjectWrite(NativeNames.BUCKET, query, contentType, Map.of()), staged);
        LOG.debug("stored {} ({} bytes) by PUT", query, result.object().size());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseHeaders().put(Headers.ETAG, "\"" + result.object().etag() + "\"");
        exchange.getResponseSender().send(query);
    }
}
