package io.hifadhi.api;

import io.undertow.io.BlockingReceiverImpl;
import io.undertow.io.BlockingSenderImpl;
import io.undertow.io.Receiver;
import io.undertow.io.Sender;
import io.undertow.io.UndertowInputStream;
import io.undertow.io.UndertowOutputStream;
import io.undertow.server.BlockingHttpExchange;
import io.undertow.server.HttpServerExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Blocking streams for one exchange that never wait for a body nobody will read. Undertow's own
 * blocking exchange reads an unread request body to its end when the exchange ends, on the worker
 * thread: a client that announces a body and never sends it held that worker until the idle timeout,
 * and sixteen such clients stopped the node. Here an exchange that ends with its body unread answers
 * with {@code Connection: close} and leaves the rest of the body to {@link LingeringClose} (or, when
 * that did not mark it, shuts the connection's input), so the worker is free as soon as the response is flushed.
 */
final class NonDrainingExchange implements BlockingHttpExchange {
    private final HttpServerExchange exchange;
    private InputStream in;
    private UndertowOutputStream out;
    private Sender sender;

    NonDrainingExchange(HttpServerExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public InputStream getInputStream() {
        if (in == null) {
            in = new UndertowInputStream(exchange);
        }
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        if (out == null) {
            out = new UndertowOutputStream(exchange);
        }
        return out;
    }

    @Override
    public Sender getSender() {
        if (sender == null) {
            sender = new BlockingSenderImpl(exchange, getOutputStream());
        }
        return sender;
    }

    @Override
    public Receiver getReceiver() {
        return new BlockingReceiverImpl(exchange, getInputStream());
    }

    @Override
    public void close() throws IOException {
        boolean bodyUnread = !exchange.isRequestComplete();
        if (bodyUnread) {
            // Before the response is committed, so that it says Connection: close (LingeringClose sees to the header).
            exchange.setPersistent(false);
        }
        try {
            if (out != null || !exchange.isResponseComplete()) {
                getOutputStream().close();
            }
        } finally {
            // Marked: the request was ended when the response was committed, and the connection lingers
            // (LingeringClose), reading what the client still sends on the I/O thread; shutting the input here
            // would turn that into a reset.
            if (bodyUnread && !LingeringClose.leftUnread(exchange)) {
                // Closing the exchange's channel (when no stream took it) frees bytes pushed back by BodyStartGate.
                org.xnio.channels.StreamSourceChannel unread = exchange.isRequestChannelAvailable() ? exchange.getRequestChannel() : null;
                if (unread != null) {
                    org.xnio.IoUtils.safeClose(unread);
                }
                // Not persistent: this shuts the connection's input, so what follows reads an end, not a wait.
                exchange.getConnection().terminateRequestChannel(exchange);
            } else if (!bodyUnread && in != null) {
                in.close();
            }
        }
    }
}
