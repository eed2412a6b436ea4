package io.hifadhi.node.replication;

import io.hifadhi.api.nativeapi.ObjectLocator.ChunkLocation;
import io.hifadhi.api.nativeapi.ObjectLocator.ObjectLocation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Read-ahead on a read through a node that holds few of an object's chunks, five nodes (N=3) in this JVM: the
 * chunks come fetched ahead; with two of the three copies of every chunk gone from disk, fetches ahead that asked a
 * node without the chunk are fetched again from the one that has it, and the client still gets every byte; the
 * read-ahead memory is all given back afterwards. The chunks come over the holders' chunk data ports; a byte flipped in
 * a holder's copy is caught on the way, the client gets a good copy, and the holder drops its damaged one.
 */
class ReadAheadClusterTest {
    private static final int CHUNK = 64 << 10;
    private static final int CHUNKS = 24;

    @TempDir
    static Path dir;
    static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster(dir, 5, 3, 2, 2, CHUNK).startAll();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Stored(byte[] body, String query, ObjectLocation at, int reader) {
    }

    /** An object of {@link #CHUNKS} chunks stored through node 0, and the node holding the fewest of them. */
    private static Stored store(String name, long seed) throws Exception {
        byte[] body = new byte[CHUNKS * CHUNK];
        new Random(seed).nextBytes(body);
        HttpResponse<String> put = cluster.client(0).store(name, body);
        assertEquals(200, put.statusCode(), put.body());
        ObjectLocation at = cluster.node(0).replicatedStore().locate(".native", put.body()).orElseThrow();
        int reader = 0;
        long fewest = Long.MAX_VALUE;
        for (int n = 0; n < 5; n++) {
            String id = TestCluster.name(n);
            long held = at.chunks().stream().filter(c -> c.holders().contains(id)).count();
            if (held < fewest) {
                fewest = held;
                reader = n;
            }
        }
        assertTrue(fewest <= CHUNKS * 3 / 5, "some node holds few of the chunks: " + fewest);
        return new Stored(body, put.body(), at, reader);
    }

    private static ReadAheadCounts counts(int node) {
        return cluster.node(node).replication().readAhead();
    }

    @Test
    void chunksComeFetchedAheadAndAFailedFetchAheadIsFetchedAgainFromTheHolderThatHasIt() throws Exception {
        Stored clean = store("ahead-clean.bin", 1);
        ReadAheadCounts before = counts(clean.reader());
        Replication readerReplication = cluster.node(clean.reader()).replication();
        long streamedBefore = readerReplication.chunkStreamReceivedBytes();
        assertArrayEquals(clean.body(), cluster.client(clean.reader()).retrieve(clean.query()).body());
        ReadAheadCounts after = counts(clean.reader());
        // The chunks came over the holders' data ports, not the cluster port's messages.
        assertTrue(readerReplication.chunkStreamReceivedBytes() - streamedBefore >= 5L * CHUNK,
                "bytes over the data ports: " + (readerReplication.chunkStreamReceivedBytes() - streamedBefore));
        assertEquals(0, readerReplication.chunkStreamFallbacks(), "no fetch fell back to the cluster port");
        assertTrue(after.used() - before.used() >= 5, "chunks used as fetched ahead: " + before + " -> " + after);
        assertEquals(before.refetched(), after.refetched(), "no fetch ahead failed with every copy in place");

        Stored damaged = store("ahead-damaged.bin", 2);
        int reader = damaged.reader();
        String readerId = TestCluster.name(reader);
        int removed = 0;
        for (ChunkLocation c : damaged.at().chunks()) {
            if (c.holders().contains(readerId)) {
                continue;  // read from the reader's own file: nothing is fetched
            }
            // Two of the three copies go; the last holder listed keeps its copy.
            for (String holder : c.holders().subList(0, c.holders().size() - 1)) {
                Path file = cluster.node(index(holder)).dataDir().resolve("chunks").resolve(c.id().substring(0, 2))
                        .resolve(c.id().substring(2, 4)).resolve(c.id());
                Files.delete(file);
                removed++;
            }
        }
        assertTrue(removed >= 10, "copies removed: " + removed);
        before = counts(reader);
        HttpResponse<byte[]> r = cluster.client(reader).retrieve(damaged.query());
        assertEquals(200, r.statusCode());
        assertArrayEquals(damaged.body(), r.body());
        after = counts(reader);
        assertTrue(after.refetched() > before.refetched(), "fetches ahead that asked a node without the chunk were"
                + " fetched again: " + before + " -> " + after);

        await("read-ahead memory given back").atMost(Duration.ofSeconds(10)).until(() -> counts(reader).bytesHeld() == 0);
    }

    @Test
    void aByteFlippedOnAHoldersDiskIsCaughtOnTheWayAndTheDamagedCopyIsDropped() throws Exception {
        Stored flipped = store("ahead-flipped.bin", 3);
        int reader = flipped.reader();
        String readerId = TestCluster.name(reader);
        List<Path> damaged = new ArrayList<>();
        for (ChunkLocation c : flipped.at().chunks()) {
            if (c.holders().contains(readerId)) {
                continue;
            }
            // Every copy but the last holder's gets one byte flipped.
            for (String holder : c.holders().subList(0, c.holders().size() - 1)) {
                Path file = cluster.node(index(holder)).dataDir().resolve("chunks").resolve(c.id().substring(0, 2))
                        .resolve(c.id().substring(2, 4)).resolve(c.id());
                byte[] bytes = Files.readAllBytes(file);
                bytes[bytes.length / 2] ^= 0x40;
                Files.write(file, bytes);
                damaged.add(file);
            }
        }
        assertTrue(damaged.size() >= 10, "copies damaged: " + damaged.size());
        HttpResponse<byte[]> r = cluster.client(reader).retrieve(flipped.query());
        assertEquals(200, r.statusCode());
        assertArrayEquals(flipped.body(), r.body(), "the client gets the good bytes, never the flipped ones");
        // A holder asked for a damaged copy was told so, checked it by SHA-256 and dropped it (the scrub and
        // anti-entropy bring a good one back).
        long dropped = damaged.stream().filter(f -> !Files.exists(f)).count();
        assertTrue(dropped >= 1, "damaged copies dropped by their holders: " + dropped + " of " + damaged.size());
    }

    private static int index(String id) {
        for (int i = 0; i < 5; i++) {
            if (TestCluster.name(i).equals(id)) {
                return i;
            }
        }
        throw new AssertionError(id);
    }
}
