package io.hifadhi.api;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.Connectors;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closes a connection whose request body was left unread (a refusal: 400, 403, 413, 503...) the way
 * Apache's and nginx's lingering close do. Closing a socket with unread bytes, or while the client is
 * still sending, makes the kernel answer with a reset, and a client busy writing its body then sees
 * "Broken pipe" or "Connection reset" instead of the error it was sent. So once the response is
 * written the node shuts its side of the connection (the client reads the whole answer, then an end)
 * and keeps reading and discarding what the client still sends, on the connection's I/O thread, until
 * the client closes, stays silent for {@code silence}, has sent {@code maxBytes}, or {@code time}
 * has passed since the response; then it closes. No worker and no buffer is held meanwhile (a pool
 * buffer is borrowed for each read), and at most {@code maxConnections} linger at once: beyond that a
 * connection is closed at once, as it would be without lingering.
 */
public final class LingeringClose {
    private static final Logger LOG = LoggerFactory.getLogger(LingeringClose.class);
    private static final AttachmentKey<Boolean> UNREAD_BODY = AttachmentKey.create(Boolean.class);
    /** Bytes discarded in one read event before the I/O thread turns to its other connections. */
    private static final int BYTES_PER_EVENT = 1 << 20;
    /** nginx's lingering_timeout: an honest client sending its body is never silent that long. */
    static final Duration SILENCE = Duration.ofSeconds(5);
    /**
     * What an honest refused client may still have in flight: a multipart part, or the socket buffers of
     * a fast link (what it sends beyond this is cut off as before). 64 MiB costs the I/O thread about 60 ms.
     */
    static final long MAX_BYTES = 64L << 20;
    static final int MAX_CONNECTIONS = 256;

    private final int maxConnections;
    private final Duration time;
    private final Duration silence;
    private final long maxBytes;
    private final AtomicInteger lingering = new AtomicInteger();
    private final LongAdder lingered = new LongAdder();
    private final LongAdder closedAtOnce = new LongAdder();
    private final LongAdder discarded = new LongAdder();

    /**
     * @param maxConnections connections that may linger at once
     * @param time           longest a connection lingers, from its response
     * @param silence        longest it lingers without receiving anything
     * @param maxBytes       most bytes discarded from one connection
     */
    LingeringClose(int maxConnections, Duration time, Duration silence, long maxBytes) {
        if (maxConnections < 0 || time.isNegative() || silence.isNegative() || maxBytes < 0) {
            throw new IllegalArgumentException("lingering bounds must not be negative");
        }
        this.maxConnections = maxConnections;
        this.time = time;
        this.silence = silence;
        this.maxBytes = maxBytes;
    }

    /**
     * Bounds that keep issue #21's guarantees: a lingering connection lasts no longer than the watchdog's
     * stall window, the longest any client moving (almost) nothing may keep a connection; it holds no worker;
     * it still counts against its address's connection limit; and nginx's 5 s of silence ends it sooner.
     */
    static LingeringClose within(ClientLimits limits) {
        Duration silence = limits.stallWindow().compareTo(SILENCE) < 0 ? limits.stallWindow() : SILENCE;
        return new LingeringClose(MAX_CONNECTIONS, limits.stallWindow(), silence, MAX_BYTES);
    }

    /** Connections lingering now. */
    public int lingering() {
        return lingering.get();
    }

    /** Connections that lingered since the node started. */
    public long lingered() {
        return lingered.sum();
    }

    /** Connections with an unread body closed at once because {@code maxConnections} were lingering already. */
    public long closedAtOnce() {
        return closedAtOnce.sum();
    }

    /** Request body bytes read and thrown away while lingering. */
    public long discardedBytes() {
        return discarded.sum();
    }

    /**
     * Outermost handler: when an exchange that left its body unread completes, its connection lingers instead
     * of being closed at once. The listener added here runs last, after the metrics and the watchdog's.
     */
    HttpHandler around(HttpHandler next) {
        ExchangeCompletionListener completed = this::completed;
        return exchange -> {
            exchange.addExchangeCompleteListener(completed);
            next.handleRequest(exchange);
        };
    }

    /**
     * At each response's commit: marks the exchange's body unread when the response comes before the body was read
     * (the connection then lingers and closes), and makes every response of a connection that will close say
     * {@code Connection: close}. Add it inside Undertow's 100-continue handler too, so that it runs before that
     * handler's own listener, which would shut the socket's input.
     */
    void markUnreadBodies(HttpServerExchange exchange) {
        exchange.addResponseCommitListener(LingeringClose::committing);
    }

    private static void committing(HttpServerExchange exchange) {
        if (!exchange.isRequestComplete() && !leftUnread(exchange)) {
            exchange.setPersistent(false);
            exchange.putAttachment(UNREAD_BODY, true);
            // The request ends here for Undertow. Otherwise ending the exchange shuts the socket's input (it cannot be
            // read again, so only a reset could follow), or, in blocking mode, reads the rest of the body on a worker.
            Connectors.terminateRequest(exchange);
        }
        if (!exchange.isPersistent()) {
            // Said outright, whoever decided the close: Undertow writes no Connection header on a response without a
            // body (204, 304), and a client that reuses the connection sends its next request into the close.
            exchange.getResponseHeaders().put(Headers.CONNECTION, Headers.CLOSE.toString());
        }
    }

    /** Whether the exchange answered before reading its body (its connection will linger, never be drained). */
    static boolean leftUnread(HttpServerExchange exchange) {
        return exchange.getAttachment(UNREAD_BODY) != null;
    }

    private void completed(HttpServerExchange exchange, ExchangeCompletionListener.NextListener next) {
        if (!leftUnread(exchange) || !(exchange.getConnection() instanceof HttpServerConnection connection)
                || !connection.isOpen()) {
            next.proceed();
            return;
        }
        if (lingering.incrementAndGet() > maxConnections) {
            lingering.decrementAndGet();
            closedAtOnce.increment();
            // As without lingering: the input shut, Undertow's close does not wait for the client either.
            IoUtils.safeClose(connection.getChannel().getSourceChannel());
            next.proceed();
            return;
        }
        lingered.increment();
        // Undertow is not told the exchange completed: it would close the connection (with a reset). It is ours now.
        XnioIoThread ioThread = connection.getIoThread();
        ioThread.execute(() -> new Linger(connection, ioThread, String.valueOf(exchange.getSourceAddress())).start());
    }

    /** One lingering connection; every method runs on its I/O thread. */
    private final class Linger {
        private final HttpServerConnection connection;
        private final XnioIoThread ioThread;
        private final String client;
        private final long started = System.nanoTime();
        private long lastHeard = started;
        private long bytes;
        private boolean done;
        private XnioExecutor.Key deadline;
        private XnioExecutor.Key silenceCheck;

        Linger(HttpServerConnection connection, XnioIoThread ioThread, String client) {
            this.connection = connection;
            this.ioThread = ioThread;
            this.client = client;
        }

        void start() {
            deadline = ioThread.executeAfter(() -> end("its time ran out"), time.toMillis(), TimeUnit.MILLISECONDS);
            silenceCheck = ioThread.executeAfter(this::checkSilence, silence.toMillis(), TimeUnit.MILLISECONDS);
            try {
                connection.clearChannel();
                PooledByteBuffer extra = connection.getExtraBytes();
                if (extra != null) {
                    bytes += extra.getBuffer().remaining();
                    extra.close();
                    connection.setExtraBytes(null);
                }
                ConduitStreamSinkChannel sink = connection.getChannel().getSinkChannel();
                sink.shutdownWrites();
                if (sink.flush()) {
                    discardWhatComes();
                } else {
                    sink.setWriteListener(ChannelListeners.flushingChannelListener(ch -> {
                        ch.suspendWrites();
                        discardWhatComes();
                    }, (ch, e) -> end("the response could not be flushed: " + e)));
                    sink.resumeWrites();
                }
            } catch (IOException | RuntimeException e) {
                end(e.toString());
            }
        }

        private void discardWhatComes() {
            if (done) {
                return;
            }
            ConduitStreamSourceChannel source = connection.getChannel().getSourceChannel();
            source.setReadListener(ch -> discard(source));
            source.resumeReads();
            discard(source);
        }

        private void discard(ConduitStreamSourceChannel source) {
            if (done) {
                return;
            }
            try (PooledByteBuffer pooled = connection.getByteBufferPool().allocate()) {
                ByteBuffer buffer = pooled.getBuffer();
                long thisEvent = 0;
                while (thisEvent < BYTES_PER_EVENT) {
                    buffer.clear();
                    int n = source.read(buffer);
                    if (n < 0) {
                        end("the client closed");
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                    thisEvent += n;
                    bytes += n;
                    discarded.add(n);
                    lastHeard = System.nanoTime();
                    if (bytes >= maxBytes) {
                        end("it sent " + maxBytes + " bytes");
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                end(e.toString());
            }
        }

        private void checkSilence() {
            if (done) {
                return;
            }
            long quiet = System.nanoTime() - lastHeard;
            long left = silence.toNanos() - quiet;
            if (left <= 0) {
                end("it was silent for " + silence.toMillis() + " ms");
            } else {
                silenceCheck = ioThread.executeAfter(this::checkSilence, left, TimeUnit.NANOSECONDS);
            }
        }

        private void end(String why) {
            if (done) {
                return;
            }
            done = true;
            deadline.remove();
            silenceCheck.remove();
            IoUtils.safeClose(connection);
            lingering.decrementAndGet();
            LOG.debug("closed the refused connection from {} after {} ms of lingering and {} bytes discarded: {}",
                    client, (System.nanoTime() - started) / 1_000_000, bytes, why);
        }
    }
}
