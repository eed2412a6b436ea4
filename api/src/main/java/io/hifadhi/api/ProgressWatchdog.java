package io.hifadhi.api;

import io.hifadhi.api.http.RequestBodyFault;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes connections whose client makes the node wait without moving data: a request body that
 * trickles in (or never comes), a response the client does not read. Every exchange's request and
 * response conduits count the bytes they move and note when the node is waiting on the client (a
 * thread blocked in a read or write, or a read or write armed to resume when the client moves); a sampler looks every tenth of the stall window, and a
 * connection whose last full window of waiting moved less than the minimum rate is closed, which
 * also wakes any worker blocked on it. Time the node spends on its own work (storage, replicas) is
 * not held against the client.
 */
final class ProgressWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressWatchdog.class);
    static final int SAMPLES = 10;

    private final ClientLimits limits;
    private final Set<Progress> tracked = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sampler;

    ProgressWatchdog(ClientLimits limits, Runnable alsoEveryTick) {
        this.limits = limits;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-progress-watchdog");
            t.setDaemon(true);
            return t;
        });
        long tickMillis = Math.max(20, limits.stallWindow().toMillis() / SAMPLES);
        sampler.scheduleWithFixedDelay(() -> {
            try {
                sample();
                alsoEveryTick.run();
            } catch (RuntimeException e) {
                LOG.error("progress watchdog failed", e);
            }
        }, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    /** Counts the exchange's body bytes from now on and watches it until it completes. */
    void watch(HttpServerExchange exchange, String client) {
        Progress progress = new Progress(exchange, client);
        exchange.addRequestWrapper((factory, ex) -> new CountingSource(factory.create(), progress, ex));
        exchange.addResponseWrapper((factory, ex) -> new CountingSink(factory.create(), progress));
        tracked.add(progress);
        exchange.addExchangeCompleteListener((ex, next) -> {
            tracked.remove(progress);
            next.proceed();
        });
    }

    private void sample() {
        long required = limits.minBytesPerSecond() * limits.stallWindow().toMillis() / 1000;
        for (Progress p : tracked) {
            if (!p.connection.isOpen() || p.exchange.isComplete()) {
                // Also when the completion listener did not run: a finished exchange never holds its connection.
                tracked.remove(p);
            } else if (p.sample(required)) {
                tracked.remove(p);
                LOG.warn("closed the connection from {}: it moved {} bytes in {} ms the node spent waiting on it "
                        + "(minimum {} bytes/s)", p.client, p.lastWindowBytes, limits.stallWindow().toMillis(),
                        limits.minBytesPerSecond());
                cut(p);
            }
        }
    }

    /**
     * Closes the connection of every exchange still in flight, which wakes any thread blocked on one: the node is
     * stopping, and a request it has not answered is not acknowledged.
     */
    void closeAll() {
        for (Progress p : tracked) {
            tracked.remove(p);
            cut(p);
        }
    }

    /**
     * Closes the connection and wakes a thread blocked waiting on its client. Such a thread waits on a selector of its
     * own (XNIO's {@code SelectorUtils.await}), and a close alone does not wake it: the JDK defers closing a channel
     * still registered with a selector and only shuts its output, so the thread would hold on until the client sent
     * more, which a stalled client never does.
     */
    private static void cut(Progress p) {
        p.reading.cut();
        p.writing.cut();
        IoUtils.safeClose(p.connection);
    }

    int watched() {
        return tracked.size();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }

    /** One exchange's traffic; the conduits write it from I/O and worker threads, the sampler reads it. */
    static final class Progress {
        final HttpServerExchange exchange;
        final ServerConnection connection;
        final String client;
        final AtomicLong bytes = new AtomicLong();
        /** The node waits on the client: a read or write blocked on it, or armed to resume when it moves. */
        final Waiting reading = new Waiting();
        final Waiting writing = new Waiting();
        // Sampler thread only: bytes moved in each of the last SAMPLES ticks that found the node waiting.
        private final long[] window = new long[SAMPLES];
        private int filled;
        private int next;
        private long seen;
        long lastWindowBytes;

        Progress(HttpServerExchange exchange, String client) {
            this.exchange = exchange;
            this.connection = exchange.getConnection();
            this.client = client;
        }

        /** @return whether the last full window of waiting moved fewer than {@code required} bytes */
        boolean sample(long required) {
            long now = bytes.get();
            long moved = now - seen;
            seen = now;
            if (!reading.now && !writing.now) {
                return false;
            }
            window[next] = moved;
            next = (next + 1) % SAMPLES;
            filled = Math.min(SAMPLES, filled + 1);
            if (filled < SAMPLES) {
                return false;
            }
            long sum = 0;
            for (long m : window) {
                sum += m;
            }
            lastWindowBytes = sum;
            return sum < required;
        }

        /** Counts bytes a read or write moved; returns its result as it was. */
        long moved(long n) {
            if (n > 0) {
                bytes.addAndGet(n);
            }
            return n;
        }
    }

    /**
     * Whether the node is waiting on the client in one direction, and the thread that waits when it blocks. A thread is
     * interrupted only inside its wait, never after it (both under this lock), and clears its own interrupt on the way
     * out, so no interrupt reaches the file or database work that follows a wait.
     */
    static final class Waiting {
        volatile boolean now;
        private Thread blocked;
        private boolean cut;

        void during(Blocking wait) throws IOException {
            synchronized (this) {
                if (cut) {
                    throw new ClosedChannelException();
                }
                blocked = Thread.currentThread();
            }
            now = true;
            boolean wasCut;
            try {
                wait.run();
            } catch (InterruptedIOException e) {
                if (!isCut()) {
                    throw e;
                }
            } finally {
                now = false;
                synchronized (this) {
                    blocked = null;
                    wasCut = cut;
                    if (cut) {
                        Thread.interrupted();
                    }
                }
            }
            if (wasCut) {
                throw new ClosedChannelException();
            }
        }

        /** The node closed the connection: a wait in progress ends, and any later one fails at once. */
        synchronized void cut() {
            cut = true;
            if (blocked != null) {
                blocked.interrupt();
            }
        }

        private synchronized boolean isCut() {
            return cut;
        }
    }

    interface Blocking {
        void run() throws IOException;
    }

    private static final class CountingSource extends AbstractStreamSourceConduit<StreamSourceConduit> {
        private final Progress progress;
        private final HttpServerExchange exchange;

        CountingSource(StreamSourceConduit next, Progress progress, HttpServerExchange exchange) {
            super(next);
            this.progress = progress;
            this.exchange = exchange;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            try {
                return (int) progress.moved(next.read(dst));
            } catch (IOException e) {
                throw RequestBodyFault.record(exchange, e);
            }
        }

        @Override
        public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
            try {
                return progress.moved(next.read(dsts, offs, len));
            } catch (IOException e) {
                throw RequestBodyFault.record(exchange, e);
            }
        }

        @Override
        public long transferTo(long position, long count, FileChannel target) throws IOException {
            try {
                return progress.moved(next.transferTo(position, count, target));
            } catch (IOException e) {
                throw RequestBodyFault.record(exchange, e);
            }
        }

        @Override
        public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
            try {
                return progress.moved(next.transferTo(count, throughBuffer, target));
            } catch (IOException e) {
                throw RequestBodyFault.record(exchange, e);
            }
        }

        @Override
        public void awaitReadable() throws IOException {
            progress.reading.during(next::awaitReadable);
        }

        @Override
        public void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
            progress.reading.during(() -> next.awaitReadable(time, timeUnit));
        }

        @Override
        public void resumeReads() {
            progress.reading.now = true;
            next.resumeReads();
        }

        /** Undertow's first resume of an exchange's reads is a wakeup: it arms the read just as resumeReads does. */
        @Override
        public void wakeupReads() {
            progress.reading.now = true;
            next.wakeupReads();
        }

        @Override
        public void suspendReads() {
            progress.reading.now = false;
            next.suspendReads();
        }

        @Override
        public void terminateReads() throws IOException {
            progress.reading.now = false;
            next.terminateReads();
        }
    }

    private static final class CountingSink extends AbstractStreamSinkConduit<StreamSinkConduit> {
        private final Progress progress;

        CountingSink(StreamSinkConduit next, Progress progress) {
            super(next);
            this.progress = progress;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return (int) progress.moved(next.write(src));
        }

        @Override
        public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
            return progress.moved(next.write(srcs, offs, len));
        }

        @Override
        public int writeFinal(ByteBuffer src) throws IOException {
            return (int) progress.moved(next.writeFinal(src));
        }

        @Override
        public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
            return progress.moved(next.writeFinal(srcs, offs, len));
        }

        @Override
        public long transferFrom(FileChannel src, long position, long count) throws IOException {
            return progress.moved(next.transferFrom(src, position, count));
        }

        @Override
        public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
            return progress.moved(next.transferFrom(source, count, throughBuffer));
        }

        @Override
        public void awaitWritable() throws IOException {
            progress.writing.during(next::awaitWritable);
        }

        @Override
        public void awaitWritable(long time, TimeUnit timeUnit) throws IOException {
            progress.writing.during(() -> next.awaitWritable(time, timeUnit));
        }

        @Override
        public void resumeWrites() {
            progress.writing.now = true;
            next.resumeWrites();
        }

        /** Undertow's first resume of an exchange's writes is a wakeup: it arms the write just as resumeWrites does. */
        @Override
        public void wakeupWrites() {
            progress.writing.now = true;
            next.wakeupWrites();
        }

        @Override
        public void suspendWrites() {
            progress.writing.now = false;
            next.suspendWrites();
        }
    }
}
