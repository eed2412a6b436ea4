package io.hifadhi.api.nativeapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.ApiContext;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.PercentDecoder;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * GET /api/v1/locate/&lt;bucket&gt;/&lt;key&gt; (S3 names) or /api/v1/locate/&lt;query&gt; (a native
 * {@code <instance>@<filename>} query, '/' percent-encoded): which nodes hold the object's newest
 * record and, per chunk, which nodes hold it. An admin operation: needs the SHARD-KEY.
 */
public final class LocateHandler implements HttpHandler {
    static final String PREFIX = "/api/v1/locate/";
    private final ApiContext context;
    private final Supplier<ObjectLocator> locator;

    public LocateHandler(ApiContext context, Supplier<ObjectLocator> locator) {
        this.context = context;
        this.locator = locator;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (!Methods.allow(exchange, "GET")) {
            return;
        }
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.CLUSTER, null);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        ObjectLocator l = locator.get();
        if (l == null) {
            ApiErrors.send(exchange, 503, "unavailable", "This node cannot locate objects yet.", "Retry once the node is up.");
            return;
        }
        String raw = exchange.getRequestPath().substring(PREFIX.length());
        String bucket;
        String key;
        try {
            int slash = raw.indexOf('/');
            if (slash < 0) {
                bucket = NativeNames.BUCKET;
                key = PercentDecoder.decodePath(raw);
            } else {
                bucket = PercentDecoder.decodePath(raw.substring(0, slash));
                key = PercentDecoder.decodePath(raw.substring(slash + 1));
            }
        } catch (IllegalArgumentException e) {
            ApiErrors.send(exchange, 400, "invalid_name", "The name in the URL is not valid percent-encoded UTF-8 (" + e.getMessage() + ").",
                    "Use /api/v1/locate/<bucket>/<key> or /api/v1/locate/<query> with the query percent-encoded.");
            return;
        }
        if (bucket.isEmpty() || key.isEmpty()) {
            ApiErrors.send(exchange, 400, "invalid_name", "The bucket or key is empty.",
                    "Use /api/v1/locate/<bucket>/<key> or /api/v1/locate/<query>.");
            return;
        }
        Optional<ObjectLocator.ObjectLocation> found = l.locate(bucket, key);
        if (found.isEmpty()) {
            ApiErrors.send(exchange, 404, "not_found", "No object is stored under this name.",
                    "For S3 objects use /api/v1/locate/<bucket>/<key>; for native files the query /api/v1/store returned.");
            return;
        }
        ObjectLocator.ObjectLocation loc = found.get();
        ObjectNode body = NativeJson.object();
        body.put("bucket", loc.bucket());
        body.put("key", loc.key());
        body.put("size", loc.size());
        body.put("version", loc.version());
        NativeJson.putPlacement(body, loc);
        NativeJson.send(exchange, 200, body);
    }
}
