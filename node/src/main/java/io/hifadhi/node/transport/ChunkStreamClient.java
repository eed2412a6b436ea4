package io.hifadhi.node.transport;

import io.hifadhi.node.transport.ChunkStreamFrames.Header;
import io.hifadhi.node.transport.ChunkStreamFrames.Request;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;

/**
 * Fetches chunks from peers' chunk data ports ({@link ChunkStreamServer}), reading the bytes straight into the array
 * that is returned and checking each block against the CRC32C the holder sent. Connections are kept per peer for the
 * next fetch; one found closed by the peer on reuse is replaced once by a fresh one.
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

    private record Connection(Socket socket, DataInputStream in, OutputStream out, long keptAt) {
        Connection kept() {
            return new Connection(socket, in, out, System.nanoTime());
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private final String localId;
    private final ChunkStreamFrames frames;
    private final LongSupplier clock;
    private final int timeoutMillis;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Deque<Connection>> idle = new ConcurrentHashMap<>();
    private final LongAdder receivedBytes = new LongAdder();
    private volatile boolean closed;

    public ChunkStreamClient(String localId, byte[] clusterSecret, LongSupplier clock, java.time.Duration timeout) {
        this.localId = localId;
        this.frames = new ChunkStreamFrames(clusterSecret);
        this.clock = clock;
        this.timeoutMillis = (int) timeout.toMillis();
    }

    /**
     * The chunk from the holder whose data port is at {@code address} ({@code host:port}), every block checked; empty
     * when that node does not hold it.
     *
     * @throws DamagedInTransfer when the bytes failed their checks
     * @throws IOException       when the holder cannot be reached in time, is not serving chunks yet, or its answer
     *                           is cut short or fails its MAC
     */
    public Optional<byte[]> fetch(String address, String chunkId, int length) throws IOException {
        Connection kept = take(address);
        if (kept != null) {
            try {
                return fetchOn(kept, address, chunkId, length, true);
            } catch (StaleConnection e) {
                // closed by fetchOn; a fresh connection follows
            }
        }
        try {
            return fetchOn(connect(address), address, chunkId, length, false);
        } catch (StaleConnection e) {
            throw new IOException(e.getMessage(), e.getCause());
        }
    }

    /** A kept connection the peer had closed before this request got any answer: worth one retry on a new one. */
    private static final class StaleConnection extends IOException {
        StaleConnection(IOException cause) {
            super("connection closed by the peer before it answered: " + cause.getMessage(), cause);
        }
    }

    private Optional<byte[]> fetchOn(Connection conn, String address, String chunkId, int length, boolean reused) throws IOException {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        Request r = new Request(localId, clock.getAsLong(), nonce, chunkId, length);
        boolean keep = false;
        try {
            Header h;
            try {
                conn.out().write(frames.encode(r));
                conn.out().flush();
                h = frames.readHeader(conn.in(), r);
            } catch (java.io.EOFException | java.net.SocketException e) {
                if (reused) {
                    throw new StaleConnection(e);
                }
                throw e;
            }
            if (h.status() == ChunkStreamFrames.UNAVAILABLE) {
                keep = true;
                throw new IOException("node at " + address + " is not serving chunks yet");
            }
            if (h.status() == ChunkStreamFrames.NOT_HELD) {
                keep = true;
                return Optional.empty();
            }
            byte[] bytes = new byte[length];
            conn.in().readFully(bytes);
            receivedBytes.add(length);
            keep = true;
            check(bytes, h, chunkId, address);
            return Optional.of(bytes);
        } finally {
            if (keep) {
                give(address, conn);
            } else {
                conn.close();
            }
        }
    }

    private static void check(byte[] bytes, Header h, String chunkId, String address) throws DamagedInTransfer {
        CRC32C crc = new CRC32C();
        int size = h.blockSize();
        for (int i = 0; i < h.blockCrcs().length; i++) {
            crc.reset();
            crc.update(bytes, i * size, Math.min(size, bytes.length - i * size));
            if ((int) crc.getValue() != h.blockCrcs()[i]) {
                throw new DamagedInTransfer("block " + i + " of chunk " + chunkId + " from " + address + " failed its CRC32C check");
            }
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
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            return new Connection(s, new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 << 10)),
                    s.getOutputStream(), System.nanoTime());
        } catch (IOException e) {
            s.close();
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
            if (System.nanoTime() - c.keptAt() < REUSE_WITHIN_NANOS) {
                return c;
            }
            c.close();
        }
    }

    private void give(String address, Connection conn) {
        Deque<Connection> q = idle.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (q) {
            if (!closed && q.size() < MAX_IDLE_PER_PEER) {
                q.addFirst(conn.kept());
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
