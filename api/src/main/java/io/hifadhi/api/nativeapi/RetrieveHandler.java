package io.hifadhi.api.nativeapi;

import io.hifadhi.api.ApiContext;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.ContentDisposition;
import io.hifadhi.api.http.ObjectResponder;
import io.hifadhi.api.http.PercentDecoder;
import io.hifadhi.api.store.StoredObject;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import java.io.IOException;
import java.util.Optional;

/**
 * GET/HEAD /api/v1/retrieve/&lt;query&gt; (download) and /api/v1/stream/&lt;query&gt; (inline, for
 * players). The query is the percent-encoded {@code <instance>@<filename>} returned by store.
 */
public final class RetrieveHandler implements HttpHandler {

    public enum Mode {
        ATTACHMENT("/api/v1/retrieve/", NativeOperation.RETRIEVE),
        INLINE("/api/v1/stream/", NativeOperation.STREAM);

        final String prefix;
        final NativeOperation operation;

        Mode(String prefix, NativeOperation operation) {
            this.prefix = prefix;
            this.operation = operation;
        }
    }

    private final ApiContext context;
    private final ObjectResponder responder;
    private final Mode mode;

    public RetrieveHandler(ApiContext context, ObjectResponder responder, Mode mode) {
        this.context = context;
        this.responder = responder;
        this.mode = mode;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (!Methods.allow(exchange, "GET", "HEAD")) {
            return;
        }
        String raw = exchange.getRequestPath().substring(mode.prefix.length());
        String query;
        try {
            query = PercentDecoder.decodePath(raw);
        } catch (IllegalArgumentException e) {
            ApiErrors.send(exchange, 400, "invalid_query", "The query in the URL is not valid percent-encoded UTF-8 (" + e.getMessage() + ").",
                    "Percent-encode the query exactly as returned by /api/v1/store, including '/' as %2F.");
            return;
        }
        AccessDecision access = context.nativeAccess().check(exchange, mode.operation, query);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        String problem = query.isEmpty() ? "The query is empty." : NativeNames.problemWith(NativeNames.fileNameOf(query));
        if (problem != null) {
            ApiErrors.send(exchange, 400, "invalid_query", problem, "Use the query returned by /api/v1/store, percent-encoded.");
            return;
        }
        Optional<StoredObject> object = context.store().get(NativeNames.BUCKET, query);
        if (object.isEmpty()) {
            ApiErrors.send(exchange, 404, "not_found", "No file is stored under this query.",
                    "Queries look like '<instance>@<filename>' exactly as /api/v1/store returned them; names are case-sensitive.");
            return;
        }
        String fileName = NativeNames.fileNameOf(query);
        String disposition = mode == Mode.ATTACHMENT ? ContentDisposition.attachment(fileName) : ContentDisposition.inline(fileName);
        responder.respond(exchange, object.get(), disposition);
    }
}
