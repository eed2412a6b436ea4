package io.hifadhi.api.nativeapi;

import io.hifadhi.api.http.ApiErrors;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

final class Methods {
    private Methods() {
    }

    /** Answers 405 with an Allow header unless the request method is one of {@code allowed}. */
    static boolean allow(HttpServerExchange exchange, String... allowed) {
        String method = exchange.getRequestMethod().toString();
        for (String m : allowed) {
            if (m.equals(method)) {
                return true;
            }
        }
        String list = String.join(", ", allowed);
        exchange.getResponseHeaders().put(Headers.ALLOW, list);
        ApiErrors.send(exchange, 405, "method_not_allowed", method + " is not supported here.",
                "Use " + list + ".");
        return false;
    }
}
