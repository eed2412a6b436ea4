package io.hifadhi.node.transport;

import io.hifadhi.node.transport.ChunkStreamFrames.Header;
import io.hifadhi.node.transport.ChunkStreamFrames.Refused;
import io.hifadhi.node.transport.ChunkStreamFrames.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;

/**
 * The chunk data port: peers fetch chunk bytes here instead of through the cluster port's messages, which copy a
 * chunk several times into envelopes and MAC all of it. A holder sends a chunk straight from its file (the kernel's
 * sendfile), with the CRC32C of each block from the file kept beside it; the receiver checks the blocks
 * ({@link ChunkStreamFrames} has the format and what it protects against).
 *
 * <p>One thread per connection, at most {@value #MAX_CONNECTIONS} (one more is closed at once: its peer falls back to
 * the cluster port); a connection stays open for the peer's next request. A sweeper closes connections that sent no
 * good request within {@link #FIRST_REQUEST_MILLIS}, connections idle for a minute, and answers still being written
 * after {@link #ANSWER_MILLIS} (a reader that stopped reading, such as a paused process), so neither a stranger nor a
 * stuck peer holds a thread for long. A request that fails its MAC or time check is not answered: its connection is
 * closed.
 */
public final class ChunkStreamServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkStreamServer.class);
    static final int MAX_CONNECTIONS = 64;
    static final long IDLE_MILLIS = 60_000;
    static final long ANSWER_MILLIS = 30_000;
    /** A connection that has not sent one good request: peers send theirs at once, so this can be short. */
    static final long FIRST_REQUEST_MILLIS = 5_000;
    private static final long REFUSAL_LOG_EVERY_MILLIS = 10_000;
    /** Block size of the CRCs sent with bytes from memory (any size works: the receiver takes it from the header). */
    private static final int BYTES_BLOCK = 64 << 10;

    /** What this node serves: the chunks it holds. */
    @FunctionalInterface
    public interface Chunks {
        /** The chunk to send, or empty when this node does not hold it. */
        Optional<Outgoing> open(String chunkId, int length) throws IOException;
    }

    /** A chunk on its way out, with the CRC32C of each of its blocks. */
    public interface Outgoing extends Closeable {
        int blockSize();

        int[] blockCrcs();

        void sendTo(WritableByteChannel out) throws IOException;

        /** A chunk's file, sent by the kernel; the CRCs come from the file beside it (the receiver checks them). */
        static Outgoing ofFile(FileChannel file, long length, int blockSize, int[] blockCrcs) {
            return new FromFile(file, length, blockSize, blockCrcs);
        }

        /** Bytes already read and checked (a cached copy, or a replica copy whose CRC file had to be mended). */
        static Outgoing ofBytes(byte[] bytes) {
            int[] crcs = new int[ChunkStreamFrames.blocks(bytes.length, BYTES_BLOCK)];
            CRC32C crc = new CRC32C();
            for (int i = 0; i < crcs.length; i++) {
                crc.reset();
                crc.update(bytes, i * BYTES_BLOCK, Math.min(BYTES_BLOCK, bytes.length - i * BYTES_BLOCK));
                crcs[i] = (int) crc.getValue();
            }
            return new FromMemory(bytes, BYTES_BLOCK, crcs);
        }
    }

    private record FromFile(FileChannel file, long length, int blockSize, int[] blockCrcs) implements Outgoing {
        @Override
        public void sendTo(WritableByteChannel out) throws IOException {
            for (long at = 0; at < length; ) {
                long n = file.transferTo(at, length - at, out);
                if (n <= 0 && file.size() < length) {
                    throw new IOException("chunk file shrank while being sent");
                }
                at += n;
            }
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    private record FromMemory(byte[] bytes, int blockSize, int[] blockCrcs) implements Outgoing {
        @Override
        public void sendTo(WritableByteChannel out) throws IOException {
            writeFully(out, ByteBuffer.wrap(bytes));
        }

        @Override
        public void close() {
        }
    }

    /** One peer's connection: when its current request or answer began, for the sweeper. */
    private static final class Connection {
        final SocketChannel channel;
        final String peer;
        volatile long since = System.nanoTime();
        volatile boolean answering;
        volatile boolean trusted;

        Connection(SocketChannel channel) {
            this.channel = channel;
            String remote;
            try {
                remote = String.valueOf(channel.getRemoteAddress());
            } catch (IOException e) {
                remote = "?";
            }
            this.peer = remote;
        }
    }

    private final ServerSocketChannel listener;
    private final ChunkStreamFrames frames;
    private final LongSupplier clock;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads;
    private final ScheduledExecutorService sweeper;
    private final Thread acceptor;
    private final LongAdder sentBytes = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final AtomicLong lastRefusalLog = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile Chunks chunks;
    private volatile boolean closed;

    private ChunkStreamServer(ServerSocketChannel listener, ChunkStreamFrames frames, LongSupplier clock) {
        this.listener = listener;
        this.frames = frames;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> daemon(r, "hifadhi-chunk-stream-" + n.incrementAndGet()));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hifadhi-chunk-stream-sweeper"));
        this.acceptor = daemon(this::acceptLoop, "hifadhi-chunk-stream-accept");
    }

    /**
     * Listens on {@code host:port} ({@code port} 0: one the system picks). Until {@link #serve} is called, requests are
     * answered "unavailable" and peers use the cluster port.
     */
    public static ChunkStreamServer bind(String host, int port, byte[] clusterSecret, LongSupplier clock) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(new InetSocketAddress(host, port), 128);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        ChunkStreamServer server = new ChunkStreamServer(listener, new ChunkStreamFrames(clusterSecret), clock);
        server.acceptor.start();
        server.sweeper.scheduleWithFixedDelay(server::sweep, 1, 1, TimeUnit.SECONDS);
        return server;
    }

    public int port() {
        return ((InetSocketAddress) listener.socket().getLocalSocketAddress()).getPort();
    }

    /** Starts serving chunks from {@code source}. */
    public void serve(Chunks source) {
        this.chunks = source;
    }

    /** Chunk bytes sent to peers since start. */
    public long sentBytes() {
        return sentBytes.sum();
    }

    /** Requests dropped unanswered since start (bad MAC, outside the time window, malformed). */
    public long refused() {
        return refused.sum();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("chunk data port: accept failed: {}", e.toString());
                }
                continue;
            }
            if (open.size() >= MAX_CONNECTIONS) {
                LOG.debug("chunk data port: {} connections open, closing a new one", open.size());
                closeQuietly(ch);
                continue;
            }
            Connection conn = new Connection(ch);
            open.add(conn);
            try {
                threads.execute(() -> serveConnection(conn));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                open.remove(conn);
                closeQuietly(ch);
            }
        }
    }

    private void serveConnection(Connection conn) {
        SocketChannel ch = conn.channel;
        try (ch) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 512));
            while (!closed) {
                conn.answering = false;
                conn.since = System.nanoTime();
                Request r = frames.readRequest(in, clock.getAsLong());
                if (r == null) {
                    return;
                }
                conn.trusted = true;
                conn.answering = true;
                conn.since = System.nanoTime();
                answer(ch, r);
            }
        } catch (Refused e) {
            refused.increment();
            logRefusal(conn, e);
        } catch (IOException e) {
            LOG.debug("chunk data port: connection ended: {}", e.toString());
        } finally {
            open.remove(conn);
        }
    }

    private void answer(SocketChannel ch, Request r) throws IOException {
        Chunks source = chunks;
        if (source == null) {
            answerWithout(ch, r, ChunkStreamFrames.UNAVAILABLE);
            return;
        }
        Optional<Outgoing> found;
        try {
            found = source.open(r.chunkId(), r.length());
        } catch (IOException e) {
            LOG.warn("chunk {} could not be read for {}: {}", r.chunkId(), r.sender(), e.toString());
            answerWithout(ch, r, ChunkStreamFrames.UNAVAILABLE);
            return;
        }
        if (found.isEmpty()) {
            answerWithout(ch, r, ChunkStreamFrames.NOT_HELD);
            return;
        }
        try (Outgoing out = found.get()) {
            writeFully(ch, ByteBuffer.wrap(frames.encode(r,
                    new Header(ChunkStreamFrames.OK, r.length(), out.blockSize(), out.blockCrcs()), r.chunkId())));
            out.sendTo(ch);
            sentBytes.add(r.length());
        }
    }

    /** An answer without bytes: the chunk is not held here, or this node cannot serve it now. */
    private void answerWithout(SocketChannel ch, Request r, byte status) throws IOException {
        writeFully(ch, ByteBuffer.wrap(frames.encode(r, new Header(status, 0, 0, new int[0]), r.chunkId())));
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Connection conn : open) {
            long limit = !conn.trusted ? FIRST_REQUEST_MILLIS : conn.answering ? ANSWER_MILLIS : IDLE_MILLIS;
            if (now - conn.since > TimeUnit.MILLISECONDS.toNanos(limit)) {
                LOG.debug("chunk data port: closing a connection {} for {} ms",
                        !conn.trusted ? "silent" : conn.answering ? "answering" : "idle", limit);
                closeQuietly(conn.channel);
            }
        }
    }

    private void logRefusal(Connection conn, Refused e) {
        long now = System.nanoTime() / 1_000_000;
        long last = lastRefusalLog.get();
        if (now - last >= REFUSAL_LOG_EVERY_MILLIS && lastRefusalLog.compareAndSet(last, now)) {
            LOG.warn("chunk data port: dropped a request from {}: {} ({} dropped since start)", conn.peer, e.getMessage(), refused.sum());
        } else {
            LOG.debug("chunk data port: dropped a request from {}: {}", conn.peer, e.getMessage());
        }
    }

    static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        for (Connection conn : open) {
            closeQuietly(conn.channel);
        }
        sweeper.shutdownNow();
        threads.shutdownNow();
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
