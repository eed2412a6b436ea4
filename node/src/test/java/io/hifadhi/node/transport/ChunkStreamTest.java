package io.hifadhi.node.transport;

import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ChunkStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
        client = new ChunkStreamClient("reader", SECRET, System::currentTimeMillis, TIMEOUT);
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
            assertArrayEquals(expected((4 << 20) + 123, 1), client.fetch(address, big.id(), big.length()).orElseThrow());
            assertArrayEquals(expected(10, 2), client.fetch(address, small.id(), small.length()).orElseThrow());
        }
        assertEquals(3L * (big.length() + small.length()), client.receivedBytes());
        // Counted once the last byte is out, which may be after the client has it.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.sentBytes() == 3L * (big.length() + small.length()));
    }

    @Test
    void aChunkNotHeldIsEmptyAndANodeNotServingYetIsAnError() throws IOException {
        ChunkRef ref = put(1000, 3);
        IOException notServing = assertThrows(IOException.class, () -> client.fetch(address, ref.id(), ref.length()));
        assertTrue(notServing.getMessage().contains("not serving chunks yet"), notServing.getMessage());
        serveStore();
        assertEquals(Optional.empty(), client.fetch(address, "ab".repeat(32), 1000));
        assertTrue(client.fetch(address, ref.id(), ref.length()).isPresent());
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
                () -> client.fetch(address, ref.id(), ref.length()));
        assertTrue(e.getMessage().contains("block 3 of chunk " + ref.id()), e.getMessage());
        // The connection is still in step: the next fetch on it works.
        ChunkRef other = put(5000, 5);
        assertArrayEquals(expected(5000, 5), client.fetch(address, other.id(), other.length()).orElseThrow());
    }

    @Test
    void aStrangerOrAStaleRequestGetsNoAnswer() throws IOException {
        serveStore();
        ChunkRef ref = put(1000, 6);
        try (ChunkStreamClient stranger = new ChunkStreamClient("x", "another-clusters-secret".getBytes(StandardCharsets.UTF_8),
                System::currentTimeMillis, TIMEOUT)) {
            assertThrows(IOException.class, () -> stranger.fetch(address, ref.id(), ref.length()));
        }
        try (ChunkStreamClient late = new ChunkStreamClient("late", SECRET, () -> System.currentTimeMillis() - 60_000, TIMEOUT)) {
            assertThrows(IOException.class, () -> late.fetch(address, ref.id(), ref.length()));
        }
        // Counted as the server drops the connection, which the client may see first.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.refused() == 2);
        assertEquals(0, server.sentBytes());
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
            assertThrows(IOException.class, () -> client.fetch(address, ref.id(), ref.length()));
            // ...and gets through once the silent ones have had their few seconds.
            Thread.sleep(ChunkStreamServer.FIRST_REQUEST_MILLIS + 2_000);
            assertTrue(client.fetch(address, ref.id(), ref.length()).isPresent());
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
                    got.add(pool.submit(() -> client.fetch(address, r.id(), r.length()).orElseThrow()));
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
