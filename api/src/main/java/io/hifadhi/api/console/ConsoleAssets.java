package io.hifadhi.api.console;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The console's page, script and style, read from the jar once at start (a few tens of KiB). Only
 * these names are served: nothing under /ui/ maps to a file system path.
 */
final class ConsoleAssets {
    private record Asset(byte[] body, String type) {
    }

    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "qr.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8",
            "icon.svg", "image/svg+xml");
    private final Map<String, Asset> assets = new HashMap<>();

    ConsoleAssets() {
        FILES.forEach((name, type) -> {
            try (InputStream in = ConsoleAssets.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("the console asset " + name + " is missing from the jar");
                }
                assets.put(name, new Asset(in.readAllBytes(), type));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Sends the asset; false when there is none by that name. */
    boolean send(HttpServerExchange exchange, String name) {
        Asset a = assets.get(name.isEmpty() ? "index.html" : name);
        if (a == null) {
            return false;
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, a.type());
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, a.body().length);
        if (exchange.getRequestMethod().toString().equals("HEAD")) {
            exchange.endExchange();
        } else {
            exchange.getResponseSender().send(ByteBuffer.wrap(a.body()));
        }
        return true;
    }
}
