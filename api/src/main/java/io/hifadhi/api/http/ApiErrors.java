package io.hifadhi.api.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.nio.charset.StandardCharsets;

/**
 * JSON error bodies a person can act on: {"error": code, "message": what happened, "hint": what to do}.
 */
public final class ApiErrors {
    private ApiErrors() {
    }

    public static void send(HttpServerExchange exchange, int status, String error, String message, String hint) {
        if (exchange.isResponseStarted()) {
            // Too late for a status: cut the connection so the client sees a truncated body, never a "complete" one.
            org.xnio.IoUtils.safeClose(exchange.getConnection());
            return;
        }
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        byte[] body = json(error, message, hint).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        if (exchange.getRequestMethod().toString().equals("HEAD")) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(body));
    }

    static String json(String error, String message, String hint) {
        StringBuilder b = new StringBuilder("{\"error\":");
        Json.string(b, error);
        b.append(",\"message\":");
        Json.string(b, message);
        if (hint != null) {
            b.append(",\"hint\":");
            Json.string(b, hint);
        }
        return b.append('}').toString();
    }
}
