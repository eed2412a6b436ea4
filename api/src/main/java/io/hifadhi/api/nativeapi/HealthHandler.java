package io.hifadhi.api.nativeapi;

import io.hifadhi.api.ApiContext;
import io.hifadhi.api.http.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * GET /api/v1/health: 200 {@code "healthy"} while this node serves data, 503 {@code "degraded"} with the reason while it
 * refuses data requests (rejoining its cluster, no quorum), plus the members it knows. Unauthenticated by design:
 * load balancers and orchestrators poll it.
 */
public final class HealthHandler implements HttpHandler {
    private final ApiContext context;

    public HealthHandler(ApiContext context) {
        this.context = context;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (!Methods.allow(exchange, "GET", "HEAD")) {
            return;
        }
        long uptime = Duration.between(context.startedAt(), context.clock().instant()).toSeconds();
        Optional<String> refusal = context.store().unavailableReason();
        StringBuilder b = new StringBuilder("{\"status\":\"").append(refusal.isPresent() ? "degraded" : "healthy")
                .append('"');
        if (refusal.isPresent()) {
            b.append(",\"reason\":");
            Json.string(b, refusal.get());
        }
        b.append(",\"uptime\":").append(Math.max(0, uptime)).append(",\"instance\":");
        Json.string(b, context.instanceName());
        b.append(",\"known_instances\":[");
        List<ClusterMemberStatus> known = context.cluster().get();
        for (int i = 0; i < known.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            Json.string(b, known.get(i).id());
        }
        b.append("]}");
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        if (refusal.isPresent()) {
            exchange.setStatusCode(503);
        }
        exchange.getResponseSender().send(b.toString());
    }
}
