package io.hifadhi.api.http;

import io.hifadhi.api.store.BufferedBody;
import io.hifadhi.api.store.CorruptDataException;
import io.hifadhi.api.store.ObjectInfo;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Streams an object's bytes to a client without holding a worker thread while the client is slow to
 * read. A worker reads one buffer from the store and writes what the socket takes; when the socket is
 * full it arms a write listener and returns, and the I/O thread hands the exchange back to a worker
 * once the client has made room. A client that never reads thus holds one buffer and an open stream,
 * not a thread, until the progress watchdog closes its connection.
 *
 * <p>Once the last byte is written, the response is ended on the connection's I/O thread. Ended on a worker, the
 * worker re-armed the socket's reads while the I/O thread, woken by the client's next request, spun in Undertow's
 * read listener until the worker was done: on two busy cores the worker was often preempted meanwhile, and under
 * 4 KiB GETs that spinning took as much of the node's CPU as the socket writes themselves. The client has every byte
 * by then; only the exchange's end moves, onto the thread that reads the next request.
 *
 * <p>A store stream that lends its own buffers ({@link BufferedBody}: direct buffers filled from the chunk files) is
 * written from them as they are, which spares a copy into this pump's heap buffer and the JDK's copy of that into a
 * direct buffer for the socket.
 */
final class BodyPump implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BodyPump.class);
    private static final int BUFFER = 64 * 1024;

    private final HttpServerExchange exchange;
    private final InputStream in;
    private final ObjectInfo info;
    private final BufferedBody lender;
    private ByteBuffer buffer;
    private final StreamSinkChannel channel;
    private long left;

    private BodyPump(HttpServerExchange exchange, InputStream in, long length, ObjectInfo info) {
        this.exchange = exchange;
        this.in = in;
        this.info = info;
        this.left = length;
        this.lender = in instanceof BufferedBody b ? b : null;
        this.buffer = lender != null ? ByteBuffer.allocate(0) : ByteBuffer.allocate((int) Math.min(BUFFER, Math.max(1, length)));
        this.buffer.limit(0);
        this.channel = exchange.getResponseChannel();
    }

    /** Starts sending; status and headers must be set. Call on a worker thread, in the exchange's handler. */
    static void start(HttpServerExchange exchange, InputStream in, long length, ObjectInfo info) {
        BodyPump pump = new BodyPump(exchange, in, length, info);
        // However the exchange ends (done, client gone, connection closed by the watchdog), the stream is closed.
        exchange.addExchangeCompleteListener((ex, next) -> {
            pump.closeSource();
            next.proceed();
        });
        pump.handleRequest(exchange);
    }

    /** Sends until the socket is full or the body is done; also what a worker runs after the client made room. */
    @Override
    public void handleRequest(HttpServerExchange ignored) {
        try {
            while (true) {
                if (!buffer.hasRemaining()) {
                    if (left == 0) {
                        closeSource();
                        exchange.dispatch(exchange.getIoThread(), this::finish);
                        return;
                    }
                    if (!refill()) {
                        return;
                    }
                }
                channel.write(buffer);
                if (buffer.hasRemaining()) {
                    channel.getWriteSetter().set(ch -> {
                        ch.suspendWrites();
                        ch.getWriteSetter().set(null);
                        exchange.dispatch(exchange.getConnection().getWorker(), this);
                    });
                    channel.resumeWrites();
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("download of {}/{} ended early, the client went away: {}", info.bucket(), info.key(), e.toString());
            abort();
        }
    }

    /** The next buffer from the store; false (and the connection cut) when the store cannot give it. */
    private boolean refill() {
        int n;
        try {
            if (lender != null) {
                ByteBuffer lent = lender.nextBuffer();
                if (lent == null || lent.remaining() > left) {
                    throw new IOException("object " + (lent == null ? "shorter" : "longer") + " than its record says");
                }
                buffer = lent;
                left -= lent.remaining();
                return true;
            }
            n = in.read(buffer.array(), 0, (int) Math.min(buffer.capacity(), left));
            if (n < 0) {
                throw new IOException("object shorter than its record says");
            }
        } catch (CorruptDataException e) {
            // Bytes that fail their checksum cut the connection: the client sees a short body, never wrong bytes.
            LOG.error("aborting download of {}/{}: {}", info.bucket(), info.key(), e.getMessage());
            abort();
            return false;
        } catch (IOException e) {
            LOG.error("aborting download of {}/{}: the store failed to give its bytes", info.bucket(), info.key(), e);
            abort();
            return false;
        }
        buffer.position(0).limit(n);
        left -= n;
        return true;
    }

    /** On the I/O thread, once every byte is written: ends the response, and with it the exchange. */
    private void finish(HttpServerExchange ignored) {
        try {
            channel.shutdownWrites();
            if (channel.flush()) {
                exchange.endExchange();
                return;
            }
            channel.getWriteSetter().set(ChannelListeners.flushingChannelListener(
                    ch -> exchange.endExchange(), (ch, e) -> abort()));
            channel.resumeWrites();
        } catch (IOException | RuntimeException e) {
            LOG.debug("download of {}/{} ended early, the client went away: {}", info.bucket(), info.key(), e.toString());
            abort();
        }
    }

    private void abort() {
        closeSource();
        IoUtils.safeClose(exchange.getConnection());
    }

    private void closeSource() {
        IoUtils.safeClose(in);
    }
}
