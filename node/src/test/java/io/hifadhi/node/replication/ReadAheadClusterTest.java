package io.hifadhi.node.replication;

import io.hifadhi.api.nativeapi.ObjectLocator.ChunkLocation;
import io.hifadhi.node.testing.NativeClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads through a node that holds few of an object's chunks, five nodes (N=3) in this JVM, chunks of 1 MiB (16 CRC
 * blocks, four read buffers' worth). The chunks come streamed from the holders' chunk data ports, asked for ahead;
 * with two of the three copies of every chunk gone from disk, chunks asked ahead from a node without them are asked
 * again from the one that has them, and the client still gets every byte; the read-ahead is all given back
 * afterwards. Memory does not grow with the object (issue 19). A byte flipped in a holder's copy is caught on the way
 * even after part of its chunk was sent: the client gets exactly the right bytes, the rest of the chunk from a good
 * copy, and the holder drops its damaged one. Ranges that start inside a chunk and cross chunk boundaries come out
 * right.
 */
class ReadAheadClusterTest {
    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS = 12;

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

    private static ReadAheadCounts counts(int node) {
        return cluster.node(node).replication().readAhead();
    }

    @Test
    void chunksComeFetchedAheadAndAFailedFetchAheadIsFetchedAgainFromTheHolderThatHasIt() throws Exception {
        LeastHolderRead clean = LeastHolderRead.store(cluster, "ahead-clean.bin", CHUNKS, CHUNK, 1);
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

        LeastHolderRead damaged = LeastHolderRead.store(cluster, "ahead-damaged.bin", CHUNKS, CHUNK, 2);
        int reader = damaged.reader();
        String readerId = TestCluster.name(reader);
        int removed = 0;
        for (ChunkLocation c : damaged.at().chunks()) {
            if (c.holders().contains(readerId)) {
                continue;  // read from the reader's own file: nothing is fetched
            }
            // Two of the three copies go; the last holder listed keeps its copy.
            for (String holder : c.holders().subList(0, c.holders().size() - 1)) {
                Path file = LeastHolderRead.chunkFile(cluster, holder, c.id());
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
        LeastHolderRead flipped = LeastHolderRead.store(cluster, "ahead-flipped.bin", CHUNKS, CHUNK, 3);
        int reader = flipped.reader();
        List<Path> damaged = flipped.flipInAllButOneCopy(cluster, CHUNK / 2);
        assertTrue(damaged.size() >= 10, "copies damaged: " + damaged.size());
        HttpResponse<byte[]> r = cluster.client(reader).retrieve(flipped.query());
        assertEquals(200, r.statusCode());
        assertArrayEquals(flipped.body(), r.body(), "the client gets the good bytes, never the flipped ones");
        // A holder asked for a damaged copy was told so, checked it by SHA-256 and dropped it (the scrub and
        // anti-entropy bring a good one back).
        long dropped = damaged.stream().filter(f -> !Files.exists(f)).count();
        assertTrue(dropped >= 1, "damaged copies dropped by their holders: " + dropped + " of " + damaged.size());
    }

    private static Replication replication(int node) {
        return cluster.node(node).replication();
    }

    /**
     * A GET on a plain socket read into one buffer and compared in place, so that the only heap the read allocates is
     * the nodes' own.
     */
    private static void rawGet(int node, String query, byte[] expected) throws IOException {
        try (Socket s = new Socket("127.0.0.1", cluster.node(node).httpPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/v1/retrieve/" + NativeClient.encode(query) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nSHARD-KEY: "
                    + TestCluster.KEY + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[64 << 10];
            int headerEnd = -1;
            int filled = 0;
            while (headerEnd < 0) {
                int n = in.read(buffer, filled, buffer.length - filled);
                assertTrue(n > 0, "response headers cut short");
                filled += n;
                for (int i = 3; i < filled && headerEnd < 0; i++) {
                    if (buffer[i - 3] == '\r' && buffer[i - 2] == '\n' && buffer[i - 1] == '\r' && buffer[i] == '\n') {
                        headerEnd = i + 1;
                    }
                }
            }
            assertTrue(new String(buffer, 0, 12, StandardCharsets.US_ASCII).endsWith("200"), "status line");
            long at = 0;
            int from = headerEnd;
            while (true) {
                int n = filled - from;
                assertTrue(at + n <= expected.length, "body longer than the object");
                assertTrue(Arrays.equals(buffer, from, filled, expected, (int) at, (int) at + n), "bytes at " + at);
                at += n;
                from = 0;
                filled = in.read(buffer);
                if (filled < 0) {
                    break;
                }
            }
            assertEquals(expected.length, at);
        }
    }

    /** Heap allocated so far by every live thread of this JVM (the five nodes, the test). */
    private static long allocatedHeap() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds())).filter(b -> b > 0).sum();
    }

    @Test
    void aReadThroughANonHolderHoldsOneBufferHoweverManyChunksItStreams() throws Exception {
        LeastHolderRead s = LeastHolderRead.store(cluster, "bounded.bin", CHUNKS, CHUNK, 11);
        int reader = s.reader();
        long fetchedBytes = s.at().chunks().stream().filter(c -> !c.holders().contains(TestCluster.name(reader)))
                .mapToLong(ChunkLocation::size).sum();
        rawGet(reader, s.query(), s.body());  // connections opened, code paths warmed

        // Read whole, each fetched chunk was a 1 MiB array (7-9 MiB here, on every read); streamed, the read allocates
        // requests, headers and the nodes' background chatter. The count covers every thread of this JVM, where other
        // test classes may run at the same time: the least of a few reads is this read's own.
        long heap = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5 && heap >= fetchedBytes / 4; attempt++) {
            long streamedBefore = replication(reader).chunkStreamReceivedBytes();
            long heapBefore = allocatedHeap();
            rawGet(reader, s.query(), s.body());
            heap = Math.min(heap, allocatedHeap() - heapBefore);
            long streamed = replication(reader).chunkStreamReceivedBytes() - streamedBefore;
            assertTrue(streamed >= fetchedBytes, "chunks streamed from holders: " + streamed + " of " + fetchedBytes);
        }
        assertTrue(heap < fetchedBytes / 4, "heap allocated while " + fetchedBytes + " bytes were streamed: " + heap);

        // Three readers at once, twice: one direct buffer each at most, whatever the number of chunks.
        long buffersBefore = replication(reader).replica().chunks().readBuffersAllocated();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 2; round++) {
                List<Future<?>> reads = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    reads.add(pool.submit(() -> {
                        rawGet(reader, s.query(), s.body());
                        return null;
                    }));
                }
                for (Future<?> f : reads) {
                    f.get();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        long buffers = replication(reader).replica().chunks().readBuffersAllocated() - buffersBefore;
        assertTrue(buffers <= 3, "read buffers allocated for 6 reads of " + CHUNKS + " chunks, 3 at a time: " + buffers);
        await("read-ahead given back").atMost(Duration.ofSeconds(10)).until(() -> replication(reader).readAhead().bytesHeld() == 0);
        assertEquals(0, replication(reader).chunkStreamFallbacks(), "no fetch fell back to the cluster port");
    }

    @Test
    void aByteFlippedPastWhatWasAlreadySentIsCaughtAndTheRestComesFromAGoodCopy() throws Exception {
        LeastHolderRead s = LeastHolderRead.store(cluster, "flipped.bin", CHUNKS, CHUNK, 12);
        int reader = s.reader();
        // In block 12 of 16: three read buffers of the chunk (blocks 0-11) are sent before the bad block arrives.
        List<Path> damaged = s.flipInAllButOneCopy(cluster, 12 * (64 << 10) + 1000);
        assertTrue(damaged.size() >= 8, "copies damaged: " + damaged.size());
        long resumedBefore = replication(reader).chunkStreamResumes();
        HttpResponse<byte[]> r = cluster.client(reader).retrieve(s.query());
        assertEquals(200, r.statusCode());
        assertArrayEquals(s.body(), r.body(), "exactly the object's bytes: none of the flipped, none twice");
        assertTrue(replication(reader).chunkStreamResumes() > resumedBefore,
                "a chunk whose holder's stream failed part way went on from the same byte");
        long dropped = damaged.stream().filter(f -> !Files.exists(f)).count();
        assertTrue(dropped >= 1, "damaged copies dropped by their holders: " + dropped + " of " + damaged.size());
    }

    @Test
    void rangesStartingInsideAChunkAndCrossingChunksComeOutRight() throws Exception {
        LeastHolderRead s = LeastHolderRead.store(cluster, "ranges.bin", CHUNKS, CHUNK, 13);
        NativeClient client = cluster.client(s.reader());
        int size = s.body().length;
        long[][] ranges = {
                {CHUNK + 300_001, 4L * CHUNK + 99},   // inside chunk 1 (not on a block edge) to just past chunk 3
                {65_535, 2L * CHUNK},                  // a block's last byte, then two boundaries
                {5L * CHUNK + 10, 5L * CHUNK + 70_000}, // within one chunk
                {7L * CHUNK - 1, 7L * CHUNK},          // the two bytes either side of a boundary
        };
        for (long[] range : ranges) {
            HttpResponse<byte[]> r = client.retrieve(s.query(), "Range", "bytes=" + range[0] + "-" + range[1]);
            assertEquals(206, r.statusCode(), "range " + range[0] + "-" + range[1]);
            assertArrayEquals(Arrays.copyOfRange(s.body(), (int) range[0], (int) range[1] + 1), r.body(),
                    "range " + range[0] + "-" + range[1]);
        }
        HttpResponse<byte[]> open = client.retrieve(s.query(), "Range", "bytes=" + (3 * CHUNK + 12_345) + "-");
        assertEquals(206, open.statusCode());
        assertArrayEquals(Arrays.copyOfRange(s.body(), 3 * CHUNK + 12_345, size), open.body());
        HttpResponse<byte[]> suffix = client.retrieve(s.query(), "Range", "bytes=-" + (CHUNK + CHUNK / 2 + 7));
        assertEquals(206, suffix.statusCode());
        assertArrayEquals(Arrays.copyOfRange(s.body(), size - (CHUNK + CHUNK / 2 + 7), size), suffix.body());
    }
}
