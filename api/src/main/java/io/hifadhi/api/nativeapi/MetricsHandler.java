package io.hifadhi.api.nativeapi;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.util.function.Supplier;

/** GET /metrics: Prometheus text exposition format 0.0.4, produced by the node. */
public final class MetricsHandler implements HttpHandler {
    private final Supplier<String> text;

    public MetricsHandler(Supplier<String> text) {
        this.text = text;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (!Methods.allow(exchange, "GET", "HEAD")) {
            return;
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getResponseSender().send(text.get());
    }
}
