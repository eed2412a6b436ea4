package io.hifadhi.api.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

import java.io.IOException;

/**
 * The failure, if any, of reading an exchange's request body off the wire: a malformed chunked
 * encoding, a body cut short, a body over the size limit. Such a failure is the client's, not the
 * node's; whoever catches the exception it caused (often wrapped, far from the socket) asks here
 * whether to answer 4xx and log one line, instead of 500 and a stack trace.
 */
public final class RequestBodyFault {
    private static final AttachmentKey<IOException> KEY = AttachmentKey.create(IOException.class);

    private RequestBodyFault() {
    }

    /** Remembers {@code e} as the exchange's body failure; returns it, for {@code throw record(...)}. */
    public static IOException record(HttpServerExchange exchange, IOException e) {
        if (exchange.getAttachment(KEY) == null) {
            exchange.putAttachment(KEY, e);
        }
        return e;
    }

    /** The request body's read failure, or null when the body read cleanly (or was not read). */
    public static IOException of(HttpServerExchange exchange) {
        return exchange.getAttachment(KEY);
    }

    /** Whether the body's framing (chunked transfer encoding) is malformed. */
    public static boolean malformed(HttpServerExchange exchange) {
        return of(exchange) instanceof Malformed;
    }

    /** Whether the body failed because it is larger than the node accepts. */
    public static boolean tooLarge(HttpServerExchange exchange) {
        return of(exchange) instanceof io.undertow.server.RequestTooBigException;
    }

    /** A request body whose framing breaks the protocol: the client's fault, never the node's. */
    public static final class Malformed extends IOException {
        public Malformed(String message) {
            super(message);
        }
    }
}
