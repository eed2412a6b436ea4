package io.hifadhi.node.replication;

import io.hifadhi.node.config.ScrubSettings;
import io.hifadhi.node.testing.NativeClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bit rot in a chunk file: a flipped byte is caught by the CRC check of a read, which answers with a replica's
 * copy and heals the file; the scrub finds one nobody reads and replaces it; a node with no other copy answers with
 * an error, never with the damaged bytes. Three nodes (N=3) and a lone node, in this JVM.
 */
class ChunkScrubClusterTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    static Path dir;
    static TestCluster three;
    static io.hifadhi.node.Node alone;

    @BeforeAll
    static void start() throws Exception {
        // The scheduled scrub stays a week away: the test runs passes itself, so none repairs a file behind its back.
        ScrubSettings manual = new ScrubSettings(Duration.ofDays(7).toMillis(), 0);
        three = new TestCluster(dir.resolve("three"), 3, 3, 2, 2, CHUNK).scrub(manual).startAll();
        alone = new io.hifadhi.node.Node(io.hifadhi.node.config.NodeConfig.builder(dir.resolve("alone")).name("alone")
                .bindAddress("127.0.0.1").httpPort(0).clusterPort(0).shardKey(TestCluster.KEY).chunkSize(CHUNK).scrub(manual)
                .build(), new java.io.PrintStream(new java.io.ByteArrayOutputStream()));
        alone.start();
    }

    @AfterAll
    static void stop() {
        if (three != null) {
            three.close();
        }
        if (alone != null) {
            alone.close();
        }
    }

    @Test
    void aFlippedByteIsServedAroundAndRepaired() throws Exception {
        byte[] data = body(5 * CHUNK + 1000, 1);
        String query = stored(three.client(0), "rot.bin", data);
        Path chunkDirB = dir.resolve("three").resolve(TestCluster.name(1));
        Path chunkDirC = dir.resolve("three").resolve(TestCluster.name(2));

        // A read through node-b, whose copy of chunk 1 is damaged: the right bytes, and node-b's file is healed.
        String second = chunkId(data, 1);
        flipByte(chunkFile(chunkDirB, second), 777);
        HttpResponse<byte[]> r = three.client(1).retrieve(query);
        assertEquals(200, r.statusCode());
        assertArrayEquals(data, r.body());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(second, sha256(chunkFile(chunkDirB, second))));

        // Damage nobody reads: node-c's scrub finds it and fetches a good copy from a replica.
        String fourth = chunkId(data, 3);
        flipByte(chunkFile(chunkDirC, fourth), CHUNK - 1);
        assertTrue(three.node(2).scrubNow());
        assertEquals(fourth, sha256(chunkFile(chunkDirC, fourth)), "the scrub replaced the damaged file");
        String metrics = three.client(2).getText("/metrics").body();
        assertTrue(metrics.contains("hifadhi_scrub_corrupt_chunks_total 1"), metrics);
        assertTrue(metrics.contains("hifadhi_scrub_repaired_chunks_total 1"), metrics);
        assertTrue(metrics.contains("hifadhi_scrub_passes_total 1"), metrics);
        assertArrayEquals(data, three.client(2).retrieve(query).body());
    }

    @Test
    void aLoneNodeAnswersWithAnErrorRatherThanDamagedBytes() throws Exception {
        byte[] data = body(3 * CHUNK, 2);
        NativeClient client = new NativeClient(alone.httpPort(), TestCluster.KEY);
        String query = stored(client, "lone.bin", data);
        flipByte(chunkFile(dir.resolve("alone"), chunkId(data, 0)), 5);
        HttpResponse<byte[]> r = client.retrieve(query);
        assertEquals(500, r.statusCode());
        String error = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(error.contains("corrupt_data") && error.contains("failed its checksum"), error);
        // The undamaged rest of the object still serves.
        HttpResponse<byte[]> tail = client.retrieve(query, "Range", "bytes=" + CHUNK + "-");
        assertEquals(206, tail.statusCode());
        assertArrayEquals(Arrays.copyOfRange(data, CHUNK, data.length), tail.body());
    }

    private static byte[] body(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String stored(NativeClient client, String name, byte[] data) throws Exception {
        HttpResponse<String> put = client.store(name, data);
        assertEquals(200, put.statusCode(), put.body());
        return put.body();
    }

    private static String chunkId(byte[] data, int index) throws Exception {
        int from = index * CHUNK;
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Arrays.copyOfRange(data, from, Math.min(data.length, from + CHUNK))));
    }

    private static Path chunkFile(Path nodeDir, String id) throws IOException {
        try (Stream<Path> files = Files.walk(nodeDir)) {
            return files.filter(f -> f.getFileName().toString().equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("no chunk file " + id + " under " + nodeDir));
        }
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, at);
            one.flip();
            one.put(0, (byte) (one.get(0) ^ 0x40));
            ch.write(one, at);
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
