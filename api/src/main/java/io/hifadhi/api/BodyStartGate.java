package io.hifadhi.api;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSourceChannel;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Holds a request with a body on the I/O thread until its first bytes have arrived (up to
 * {@code maxBuffers} pool buffers, or the whole body if smaller), then hands it on with those bytes
 * pushed back. A client that announces a body and sends nothing, or sends it a byte at a time, thus
 * waits without a worker thread until it has sent something worth a worker, or until the progress
 * watchdog closes it. Requests that ask for {@code 100 Continue} go straight on: they are answered
 * (often refused) before their body is sent, and the watchdog bounds what a silent one can hold.
 */
final class BodyStartGate implements HttpHandler {
    /** Answers a request whose body failed on the wire; runs on the I/O thread. */
    interface BadBody {
        void refuse(HttpServerExchange exchange);
    }

    private final HttpHandler next;
    private final int maxBuffers;
    private final BadBody badBody;

    BodyStartGate(HttpHandler next, int maxBuffers, BadBody badBody) {
        this.next = next;
        this.maxBuffers = maxBuffers;
        this.badBody = badBody;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isRequestComplete() || HttpContinue.requiresContinueResponse(exchange.getRequestHeaders())) {
            next.handleRequest(exchange);
            return;
        }
        Filling filling = new Filling(exchange);
        if (filling.fill()) {
            filling.pushBack();
            next.handleRequest(exchange);
            return;
        }
        if (!filling.failed) {
            StreamSourceChannel channel = filling.channel;
            channel.getReadSetter().set(ch -> {
                if (filling.fill()) {
                    ch.getReadSetter().set(null);
                    ch.suspendReads();
                    filling.pushBack();
                    Connectors.executeRootHandler(next, exchange);
                } else if (filling.failed) {
                    ch.getReadSetter().set(null);
                    ch.suspendReads();
                }
            });
            channel.resumeReads();
        }
    }

    /** The buffers read so far for one exchange. */
    private final class Filling {
        private final HttpServerExchange exchange;
        private final StreamSourceChannel channel;
        private final PooledByteBuffer[] buffers = new PooledByteBuffer[maxBuffers];
        private int full;
        private PooledByteBuffer current;
        boolean failed;

        Filling(HttpServerExchange exchange) {
            this.exchange = exchange;
            this.channel = exchange.getRequestChannel();
        }

        /** Reads what is there; true once the buffers are full or the body ended. */
        boolean fill() {
            try {
                while (true) {
                    if (current == null) {
                        current = exchange.getConnection().getByteBufferPool().allocate();
                    }
                    ByteBuffer b = current.getBuffer();
                    int r = channel.read(b);
                    if (r == 0) {
                        return false;
                    }
                    if (r < 0 || !b.hasRemaining()) {
                        b.flip();
                        if (b.hasRemaining()) {
                            buffers[full++] = current;
                        } else {
                            current.close();
                        }
                        current = null;
                        if (r < 0 || full == maxBuffers) {
                            return true;
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                failed = true;
                release();
                // RequestBodyFault has it when it came off the wire; anything else: the connection is unusable.
                if (io.hifadhi.api.http.RequestBodyFault.of(exchange) != null) {
                    badBody.refuse(exchange);
                } else {
                    IoUtils.safeClose(exchange.getConnection());
                }
                return false;
            }
        }

        /** Gives the bytes read back to the exchange, to be read again by the handler. */
        void pushBack() {
            Connectors.ungetRequestBytes(exchange, java.util.Arrays.copyOf(buffers, full));
            Connectors.resetRequestChannel(exchange);
        }

        private void release() {
            for (int i = 0; i < full; i++) {
                IoUtils.safeClose(buffers[i]);
            }
            full = 0;
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
