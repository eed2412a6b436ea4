package io.hifadhi.node.transport;

import io.hifadhi.node.transport.ChunkStreamFrames.Header;
import io.hifadhi.node.transport.ChunkStreamFrames.Request;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * Fetches chunks from peers' chunk data ports ({@link ChunkStreamServer}). A fetch is asked ({@link #ask}) and its
 * answer read later, so a reader can ask for the next chunk while it still sends the current one: the holder starts
 * sending, and what it sent waits in the socket's buffers, not in this JVM. The bytes are then read a few whole blocks
 * at a time into the caller's buffer (a direct one: straight from the socket, no copy through the heap), each block
 * checked against the CRC32C the holder sent before the caller sees it ({@link Transfer#read}). Connections are kept
 * per peer for the next fetch; one found closed by the peer on reuse is replaced once by a fresh one. A holder that
 * stops sending is given up on after the timeout, or as soon as the failure detector has lost it: a hung holder (SIGSTOP,
 * a long pause) keeps its connections open, and the reader would otherwise wait out the whole timeout.
 */
public final class ChunkStreamClient implements AutoCloseable {
    private static final int MAX_IDLE_PER_PEER = 8;
    /** Well under the server's idle limit, so a kept connection is not closed under a request. */
    private static final long REUSE_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final int NONCE_BYTES = ChunkStreamFrames.NONCE_BYTES;

    /** The holder's bytes failed their block checks: damaged on its disk or on the way. */
    public static final class DamagedInTransfer extends IOException {
        public DamagedInTransfer(String message) {
            super(message);
        }
    }

    /**
     * A non-blocking channel read and written with a deadline: a blocking {@link SocketChannel} ignores the socket
     * timeout, and a stream over it would read the chunk through a heap array.
     */
    private static final class Connection {
        /** How often a wait with no progress asks whether the holder was lost. */
        private static final long LOST_CHECK_MILLIS = 200;

        private final SocketChannel channel;
        private final Selector selector;
        private final SelectionKey key;
        private final int timeoutMillis;
        private final BooleanSupplier holderLost;
        private long keptAt = System.nanoTime();

        Connection(SocketChannel channel, Selector selector, int timeoutMillis, BooleanSupplier holderLost) throws IOException {
            this.channel = channel;
            this.selector = selector;
            this.key = channel.register(selector, 0);
            this.timeoutMillis = timeoutMillis;
            this.holderLost = holderLost;
        }

        void writeFully(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (channel.write(b) == 0) {
                    await(SelectionKey.OP_WRITE);
                }
            }
        }

        void readFully(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                int n = channel.read(b);
                if (n < 0) {
                    throw new EOFException("connection closed by the peer");
                }
                if (n == 0) {
                    await(SelectionKey.OP_READ);
                }
            }
        }

        private void await(int op) throws IOException {
            key.interestOps(op);
            long start = System.nanoTime();
            long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (selector.select(Math.max(1, Math.min(LOST_CHECK_MILLIS,
                    TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())))) == 0) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new SocketTimeoutException("no progress from the peer in " + timeoutMillis + " ms");
                }
                if (holderLost.getAsBoolean()) {
                    throw new SocketTimeoutException("no progress from the peer in "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms, and the failure detector lost it");
                }
            }
            selector.selectedKeys().clear();
            key.interestOps(0);
        }

        void close() {
            try {
                selector.close();
                channel.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private final String localId;
    private final ChunkStreamFrames frames;
    private final LongSupplier clock;
    private final int timeoutMillis;
    private final Predicate<String> lost;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Deque<Connection>> idle = new ConcurrentHashMap<>();
    private final LongAdder receivedBytes = new LongAdder();
    private volatile boolean closed;

    /**
     * @param timeout how long a holder may go without sending before it is given up on
     * @param lost    whether the failure detector has lost the holder at a data address ({@code host:port})
     */
    public ChunkStreamClient(String localId, byte[] clusterSecret, LongSupplier clock, java.time.Duration timeout,
                             Predicate<String> lost) {
        this.localId = localId;
        this.frames = new ChunkStreamFrames(clusterSecret);
        this.clock = clock;
        this.timeoutMillis = (int) timeout.toMillis();
        this.lost = lost;
    }

    /**
     * Sends a request for the chunk to the holder whose data port is at {@code address} ({@code host:port}), without
     * waiting for its answer. The caller must read the {@link Asked#answer()} or {@link Asked#abandon()} it.
     *
     * @throws IOException when the holder cannot be reached
     */
    public Asked ask(String address, String chunkId, int length) throws IOException {
        Connection kept = take(address);
        if (kept != null) {
            try {
                return new Asked(address, chunkId, length, send(kept, chunkId, length), kept, true);
            } catch (IOException e) {
                kept.close();
            }
        }
        Connection fresh = connect(address);
        try {
            return new Asked(address, chunkId, length, send(fresh, chunkId, length), fresh, false);
        } catch (IOException e) {
            fresh.close();
            throw e;
        }
    }

    private Request send(Connection conn, String chunkId, int length) throws IOException {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        Request r = new Request(localId, clock.getAsLong(), nonce, chunkId, length);
        conn.writeFully(ByteBuffer.wrap(frames.encode(r)));
        return r;
    }

    /** A request sent on a connection of its own, its answer not read yet. */
    public final class Asked {
        private final String address;
        private final String chunkId;
        private final int length;
        private Request request;
        private Connection conn;
        private boolean reused;

        private Asked(String address, String chunkId, int length, Request request, Connection conn, boolean reused) {
            this.address = address;
            this.chunkId = chunkId;
            this.length = length;
            this.request = request;
            this.conn = conn;
            this.reused = reused;
        }

        /**
         * The holder's answer: the chunk's bytes to read, or empty when it does not hold the chunk.
         *
         * @throws IOException when the holder is not serving chunks yet, does not answer in time, or its answer is cut
         *                     short or fails its MAC
         */
        public Optional<Transfer> answer() throws IOException {
            Header h;
            try {
                h = frames.readHeader(n -> {
                    ByteBuffer b = ByteBuffer.allocate(n);
                    conn.readFully(b);
                    return b.array();
                }, request);
            } catch (SocketTimeoutException e) {
                conn.close();
                throw e;
            } catch (IOException e) {
                conn.close();
                if (!reused) {
                    throw e;
                }
                // A kept connection the peer had closed before it answered: worth one retry on a new one.
                conn = connect(address);
                reused = false;
                try {
                    request = send(conn, chunkId, length);
                } catch (IOException again) {
                    conn.close();
                    throw again;
                }
                return answer();
            }
            if (h.status() == ChunkStreamFrames.UNAVAILABLE) {
                give(address, conn);
                throw new IOException("node at " + address + " is not serving chunks yet");
            }
            if (h.status() == ChunkStreamFrames.NOT_HELD) {
                give(address, conn);
                return Optional.empty();
            }
            return Optional.of(new Transfer(address, chunkId, h, conn));
        }

        /** The answer will not be read: its connection is closed, as the holder may be sending the chunk on it. */
        public void abandon() {
            conn.close();
        }
    }

    /** A chunk's bytes arriving from its holder; the connection goes back to the pool once they have all been read. */
    public final class Transfer implements Closeable {
        private final String address;
        private final String chunkId;
        private final Header header;
        private final Connection conn;
        private final CRC32C crc = new CRC32C();
        private int received;
        private boolean ended;

        private Transfer(String address, String chunkId, Header header, Connection conn) {
            this.address = address;
            this.chunkId = chunkId;
            this.header = header;
            this.conn = conn;
        }

        public int blockSize() {
            return header.blockSize();
        }

        /** Bytes read (and checked) so far: where the next read starts in the chunk. */
        public int received() {
            return received;
        }

        /**
         * Reads the next blocks of the chunk, as many whole ones as fit in what remains of {@code into} (which must
         * hold one), and checks each before returning; {@code into}'s position moves past them. Returns the number of
         * bytes read, -1 at the end of the chunk. On any failure the connection is closed.
         *
         * @throws DamagedInTransfer when a block fails its check: none of its bytes count as read
         */
        public int read(ByteBuffer into) throws IOException {
            int left = header.length() - received;
            if (left == 0) {
                return -1;
            }
            int size = header.blockSize();
            int want = into.remaining() >= left ? left : into.remaining() / size * size;
            if (want == 0) {
                end(false);
                throw new IOException("a block of " + size + " bytes of chunk " + chunkId + " from " + address
                        + " is larger than the reader's buffer");
            }
            ByteBuffer blocks = into.slice(into.position(), want);
            try {
                conn.readFully(blocks);
            } catch (IOException e) {
                end(false);
                throw e;
            }
            receivedBytes.add(want);
            for (int at = 0; at < want; at += size) {
                crc.reset();
                crc.update(blocks.limit(Math.min(want, at + size)).position(at));
                int block = (received + at) / size;
                if ((int) crc.getValue() != header.blockCrcs()[block]) {
                    end(false);
                    throw new DamagedInTransfer("block " + block + " of chunk " + chunkId + " from " + address
                            + " failed its CRC32C check");
                }
            }
            into.position(into.position() + want);
            received += want;
            if (received == header.length()) {
                end(true);
            }
            return want;
        }

        private void end(boolean whole) {
            if (!ended) {
                ended = true;
                if (whole) {
                    give(address, conn);
                } else {
                    conn.close();
                }
            }
        }

        /** Before the end of the chunk: the connection is closed, as the rest of the chunk is on its way on it. */
        @Override
        public void close() {
            end(received == header.length());
        }
    }

    private Connection connect(String address) throws IOException {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IOException("bad data address '" + address + "'");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IOException("bad data address '" + address + "'");
        }
        SocketChannel ch = SocketChannel.open();
        Selector selector = null;
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().connect(new InetSocketAddress(host, port), timeoutMillis);
            ch.configureBlocking(false);
            selector = Selector.open();
            return new Connection(ch, selector, timeoutMillis, () -> lost.test(address));
        } catch (IOException e) {
            if (selector != null) {
                selector.close();
            }
            ch.close();
            throw e;
        }
    }

    private Connection take(String address) {
        Deque<Connection> q = idle.get(address);
        if (q == null) {
            return null;
        }
        while (true) {
            Connection c;
            synchronized (q) {
                c = q.pollFirst();
            }
            if (c == null) {
                return null;
            }
            if (System.nanoTime() - c.keptAt < REUSE_WITHIN_NANOS) {
                return c;
            }
            c.close();
        }
    }

    private void give(String address, Connection conn) {
        Deque<Connection> q = idle.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (q) {
            if (!closed && q.size() < MAX_IDLE_PER_PEER) {
                conn.keptAt = System.nanoTime();
                q.addFirst(conn);
                return;
            }
        }
        conn.close();
    }

    /** Chunk bytes received from peers' data ports since start. */
    public long receivedBytes() {
        return receivedBytes.sum();
    }

    @Override
    public void close() {
        closed = true;
        for (Deque<Connection> q : idle.values()) {
            synchronized (q) {
                q.forEach(Connection::close);
                q.clear();
            }
        }
    }
}
