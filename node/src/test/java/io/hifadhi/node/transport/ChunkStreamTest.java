package io.hifadhi.node.transport;

import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ChunkStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chunk data port on real sockets and a real chunk store: chunk files go out as they are with their block CRCs,
 * and the receiver catches what the CRCs do not match; strangers, replays and idle connections get nothing.
 */
class ChunkStreamTest {
    private static final byte[] SECRET = "chunk-stream-test-secret".getBytes(StandardCharsets.UTF_8);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private ChunkStore store;
    private ChunkStreamServer server;
    private ChunkStreamClient client;
    private String address;

    @BeforeEach
    void start() throws IOException {
        store = new ChunkStore(dir.resolve("chunks"), false);
        server = ChunkStreamServer.bind("127.0.0.1", 0, SECRET, System::currentTimeMillis);
        address = "127.0.0.1:" + server.port();
        client = new ChunkStreamClient("reader", SECRET, System::currentTimeMillis, TIMEOUT, holder -> false);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    /** What a replica serves, as the node does: the file with its CRCs, else nothing. */
    private void serveStore() {
        server.serve((id, length) -> store.openForTransfer(new ChunkRef(id, length))
                .map(f -> ChunkStreamServer.Outgoing.ofFile(f.channel(), length, f.blockSize(), f.blockCrcs())));
    }

    private ChunkRef put(int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        try (ChunkStore.ChunkWriter w = store.newWriter()) {
            w.write(bytes, 0, bytes.length);
            return w.finish();
        }
    }

    /** The chunk as the node reads it: asked, then streamed into one direct buffer, a few checked blocks at a time. */
    private static Optional<byte[]> fetch(ChunkStreamClient client, String address, String id, int length) throws IOException {
        Optional<ChunkStreamClient.Transfer> answer = client.ask(address, id, length).answer();
        if (answer.isEmpty()) {
            return Optional.empty();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 << 10);
        try (ChunkStreamClient.Transfer t = answer.get()) {
            while (t.read(buffer.clear()) >= 0) {
                byte[] got = new byte[buffer.flip().remaining()];
                buffer.get(got);
                out.write(got);
            }
        }
        return Optional.of(out.toByteArray());
    }

    private byte[] expected(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aChunkFileArrivesWholeAndTheConnectionServesTheNextFetch() throws IOException {
        serveStore();
        ChunkRef big = put((4 << 20) + 123, 1);
        ChunkRef small = put(10, 2);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(expected((4 << 20) + 123, 1), fetch(client, address, big.id(), big.length()).orElseThrow());
            assertArrayEquals(expected(10, 2), fetch(client, address, small.id(), small.length()).orElseThrow());
        }
        assertEquals(3L * (big.length() + small.length()), client.receivedBytes());
        // Counted once the last byte is out, which may be after the client has it.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.sentBytes() == 3L * (big.length() + small.length()));
    }

    @Test
    void aChunkNotHeldIsEmptyAndANodeNotServingYetIsAnError() throws IOException {
        ChunkRef ref = put(1000, 3);
        IOException notServing = assertThrows(IOException.class, () -> fetch(client, address, ref.id(), ref.length()));
        assertTrue(notServing.getMessage().contains("not serving chunks yet"), notServing.getMessage());
        serveStore();
        assertEquals(Optional.empty(), fetch(client, address, "ab".repeat(32), 1000));
        assertTrue(fetch(client, address, ref.id(), ref.length()).isPresent());
    }

    @Test
    void aByteFlippedOnTheHoldersDiskIsCaughtByTheReceiver() throws IOException {
        serveStore();
        ChunkRef ref = put(300_000, 4);
        try (RandomAccessFile f = new RandomAccessFile(store.pathOf(ref.id()).toFile(), "rw")) {
            f.seek(200_000);
            int b = f.read();
            f.seek(200_000);
            f.write(b ^ 0x01);
        }
        ChunkStreamClient.DamagedInTransfer e = assertThrows(ChunkStreamClient.DamagedInTransfer.class,
                () -> fetch(client, address, ref.id(), ref.length()));
        assertTrue(e.getMessage().contains("block 3 of chunk " + ref.id()), e.getMessage());
        // The rest of that chunk was still on its connection, which was closed: the next fetch works on a new one.
        ChunkRef other = put(5000, 5);
        assertArrayEquals(expected(5000, 5), fetch(client, address, other.id(), other.length()).orElseThrow());
    }

    @Test
    void aChunkAskedAheadArrivesInCheckedBlocksAndABadBlockIsNeverHandedOut() throws IOException {
        serveStore();
        ChunkRef ref = put(1 << 20, 6);
        try (RandomAccessFile f = new RandomAccessFile(store.pathOf(ref.id()).toFile(), "rw")) {
            f.seek(700_000);  // block 10 of 16
            int b = f.read();
            f.seek(700_000);
            f.write(b ^ 0x10);
        }
        ChunkStreamClient.Asked asked = client.ask(address, ref.id(), ref.length());
        ChunkStreamClient.Transfer t = asked.answer().orElseThrow();
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 << 10);
        byte[] want = expected(1 << 20, 6);
        for (int part = 0; part < 2; part++) {
            assertEquals(256 << 10, t.read(buffer.clear()));
            byte[] got = new byte[256 << 10];
            buffer.flip().get(got);
            assertArrayEquals(java.util.Arrays.copyOfRange(want, part << 18, (part + 1) << 18), got);
        }
        assertThrows(ChunkStreamClient.DamagedInTransfer.class, () -> t.read(buffer.clear()));
        assertEquals(2 << 18, t.received(), "blocks 8-11 (the bad one among them) do not count as read");
        t.close();
        assertArrayEquals(expected(5000, 7), fetch(client, address, put(5000, 7).id(), 5000).orElseThrow());
    }

    @Test
    void aStrangerOrAStaleRequestGetsNoAnswer() throws IOException {
        serveStore();
        ChunkRef ref = put(1000, 6);
        try (ChunkStreamClient stranger = new ChunkStreamClient("x", "another-clusters-secret".getBytes(StandardCharsets.UTF_8),
                System::currentTimeMillis, TIMEOUT, holder -> false)) {
            assertThrows(IOException.class, () -> fetch(stranger, address, ref.id(), ref.length()));
        }
        try (ChunkStreamClient late = new ChunkStreamClient("late", SECRET, () -> System.currentTimeMillis() - 60_000, TIMEOUT, holder -> false)) {
            assertThrows(IOException.class, () -> fetch(late, address, ref.id(), ref.length()));
        }
        // Counted as the server drops the connection, which the client may see first.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.refused() == 2);
        assertEquals(0, server.sentBytes());
    }

    /**
     * A hung holder (SIGSTOP: its kernel still accepts connections and takes the request, nothing answers) is given up
     * on once the failure detector has lost it, not after the whole timeout, so the reader can ask another holder.
     */
    @Test
    void aHolderThatHangsIsGivenUpOnOnceTheFailureDetectorLostIt() throws Exception {
        try (java.net.ServerSocket hung = new java.net.ServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress())) {
            String hungAt = "127.0.0.1:" + hung.getLocalPort();
            long lostAt = System.nanoTime() + 500_000_000L;
            try (ChunkStreamClient reader = new ChunkStreamClient("reader", SECRET, System::currentTimeMillis,
                    Duration.ofSeconds(60), holder -> holder.equals(hungAt) && System.nanoTime() > lostAt)) {
                long t0 = System.nanoTime();
                IOException e = assertThrows(IOException.class, () -> reader.ask(hungAt, "00".repeat(32), 1000).answer());
                long took = System.nanoTime() - t0;
                assertTrue(e instanceof java.net.SocketTimeoutException && e.getMessage().contains("failure detector lost it"),
                        e.toString());
                // Lost after 0.5 s, checked every 0.2 s: far below the 60 s the timeout alone would wait.
                assertTrue(took < 10_000_000_000L, "gave up after " + took / 1_000_000 + " ms");
                assertTrue(took >= 500_000_000L, "gave up before the holder was lost: " + took / 1_000_000 + " ms");
            }
        }
    }

    @Test
    void silentConnectionsFillingThePortAreClosedSoPeersGetThrough() throws Exception {
        serveStore();
        ChunkRef ref = put(1000, 7);
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < ChunkStreamServer.MAX_CONNECTIONS; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2_000);
                silent.add(s);
            }
            // Every slot is taken by a connection that says nothing: a peer is turned away for now...
            Thread.sleep(500);
            assertThrows(IOException.class, () -> fetch(client, address, ref.id(), ref.length()));
            // ...and gets through once the silent ones have had their few seconds.
            Thread.sleep(ChunkStreamServer.FIRST_REQUEST_MILLIS + 2_000);
            assertTrue(fetch(client, address, ref.id(), ref.length()).isPresent());
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
    }

    @Test
    void concurrentReadersEachGetTheirOwnChunk() throws Exception {
        serveStore();
        int n = 12;
        List<ChunkRef> refs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            refs.add(put(1 << 20, 100 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<byte[]>> got = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (ChunkRef r : refs) {
                    got.add(pool.submit(() -> fetch(client, address, r.id(), r.length()).orElseThrow()));
                }
            }
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(expected(1 << 20, 100 + (i % n)), got.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
