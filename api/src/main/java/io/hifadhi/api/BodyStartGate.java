package io.hifadhi.api;

import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import org.xnio.channels.StreamSourceChannel;

/**
 * Holds a request with a body on the I/O thread until the first bytes of that body can be read, then
 * hands it on (nothing is read here). A client that announces a body and sends nothing thus waits
 * without a worker thread, until it sends or the progress watchdog closes it. Requests that ask for
 * {@code 100 Continue} go straight on: they are answered (often refused) before their body is sent.
 */
final class BodyStartGate implements HttpHandler {
    private final HttpHandler next;

    BodyStartGate(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isRequestComplete() || HttpContinue.requiresContinueResponse(exchange.getRequestHeaders())) {
            next.handleRequest(exchange);
            return;
        }
        StreamSourceChannel channel = exchange.getRequestChannel();
        channel.getReadSetter().set(ch -> {
            ch.getReadSetter().set(null);
            ch.suspendReads();
            // The handler takes the channel again (as a stream), from its first byte.
            Connectors.resetRequestChannel(exchange);
            Connectors.executeRootHandler(next, exchange);
        });
        channel.resumeReads();
    }
}
