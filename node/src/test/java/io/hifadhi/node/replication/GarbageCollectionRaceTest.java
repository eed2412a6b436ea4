package io.hifadhi.node.replication;

import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.StoredObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PUT of bytes identical to chunks the collector is deleting, at the same moment, never loses its data. Three
 * nodes (N=3, W=2), the shortest grace (1 s, so a round every 250 ms): four writers each repeat "put an object,
 * delete it, wait until its chunks are collectable, put the same bytes under another key, read them back through
 * another node". Two rounds in three re-put the moment the first copy of the object's first chunk is deleted, while
 * the collection round is still deleting the other copies; the third waits a random time around one grace. At the
 * end, several graces later (every garbage chunk collected), every re-put object must still read back byte-exact
 * through every node. The test counts how often the re-put found the chunk partly collected (held by some nodes
 * but not all), which is the race itself.
 */
class GarbageCollectionRaceTest {
    private static final int CHUNK = 64 << 10;
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final int WRITERS = 4;
    private static final int ROUNDS = 15;

    @TempDir
    Path dir;

    @Test
    void aPutOfBytesBeingCollectedNeverLosesThem() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 3, 2, 2, CHUNK).gcGrace(GRACE).startAll()) {
            GarbageCollectionClusterTest.awaitLayout(cluster, 3);
            Map<String, byte[]> reput = new ConcurrentHashMap<>();
            // How many nodes held the object's first chunk at the moment of the re-put: 0, 1, 2 or 3.
            AtomicIntegerArray holdersAtReput = new AtomicIntegerArray(4);
            ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    Random random = new Random(writer);
                    for (int round = 0; round < ROUNDS; round++) {
                        byte[] body = new byte[3 * CHUNK + random.nextInt(CHUNK)];
                        random.nextBytes(body);
                        String first = "first-" + writer + "-" + round;
                        String second = "second-" + writer + "-" + round;
                        cluster.node(round % 3).store().put(new ObjectWrite("race", first, null, null), new ByteArrayInputStream(body));
                        cluster.node((round + 1) % 3).store().delete("race", first);
                        if (round % 3 == 2) {
                            Thread.sleep(GRACE.toMillis() - 200 + random.nextInt(1_400));
                        } else {
                            // The moment the collector deleted the first copy, while it is still sweeping the others.
                            long until = System.currentTimeMillis() + 10 * GRACE.toMillis();
                            String id = firstChunk(body);
                            while (holders(cluster, id) == 3 && System.currentTimeMillis() < until) {
                                Thread.onSpinWait();
                            }
                        }
                        holdersAtReput.incrementAndGet(holders(cluster, firstChunk(body)));
                        cluster.node((round + 2) % 3).store().put(new ObjectWrite("race", second, null, null), new ByteArrayInputStream(body));
                        reput.put(second, body);
                        assertArrayEquals(body, read(cluster, round % 3, second), second + " right after its put");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            writers.shutdown();
            System.out.printf("re-puts that found the first chunk on 0/1/2/3 nodes: %d/%d/%d/%d; collected bytes %d/%d/%d%n",
                    holdersAtReput.get(0), holdersAtReput.get(1), holdersAtReput.get(2), holdersAtReput.get(3),
                    cluster.node(0).replication().collectedBytes(), cluster.node(1).replication().collectedBytes(),
                    cluster.node(2).replication().collectedBytes());
            assertTrue(holdersAtReput.get(0) + holdersAtReput.get(1) + holdersAtReput.get(2) > 0,
                    "some re-puts raced the collection (found the chunk collected on some node)");

            // Several graces later every garbage chunk is gone; the re-put objects must all be whole.
            Thread.sleep(GRACE.toMillis() * 5);
            for (Map.Entry<String, byte[]> e : reput.entrySet()) {
                for (int n = 0; n < 3; n++) {
                    assertArrayEquals(e.getValue(), read(cluster, n, e.getKey()), e.getKey() + " through " + TestCluster.name(n));
                }
            }
        }
    }

    private static byte[] read(TestCluster cluster, int node, String key) throws Exception {
        StoredObject o = cluster.node(node).store().get("race", key).orElseThrow(() -> new AssertionError(key + " is missing"));
        try (InputStream in = o.open(0, o.info().size())) {
            return in.readAllBytes();
        }
    }

    private static String firstChunk(byte[] body) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(body, 0, CHUNK);
        return HexFormat.of().formatHex(sha.digest());
    }

    private static int holders(TestCluster cluster, String id) {
        int n = 0;
        for (int i = 0; i < 3; i++) {
            if (Files.exists(cluster.node(i).dataDir().resolve("chunks").resolve(id.substring(0, 2)).resolve(id.substring(2, 4))
                    .resolve(id))) {
                n++;
            }
        }
        return n;
    }
}
