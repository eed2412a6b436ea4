package io.hifadhi.api;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

import java.util.concurrent.atomic.AtomicLong;

/** Per-exchange bookkeeping: which endpoint served it and how many body bytes came in. */
public final class Endpoint {
    static final AttachmentKey<String> NAME = AttachmentKey.create(String.class);
    static final AttachmentKey<AtomicLong> BYTES_IN = AttachmentKey.create(AtomicLong.class);

    private Endpoint() {
    }

    /** Counter a handler feeds with request body bytes it reads. */
    public static AtomicLong bytesIn(HttpServerExchange exchange) {
        AtomicLong c = exchange.getAttachment(BYTES_IN);
        if (c == null) {
            c = new AtomicLong();
            exchange.putAttachment(BYTES_IN, c);
        }
        return c;
    }
}
