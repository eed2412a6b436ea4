package io.hifadhi.node.layout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The cluster changes shape with real node processes: it grows from 3 to 6 while clients read and write, a SIGTERM
 * restart moves nothing, two nodes leave under load and exit empty, a node killed for good leaves everything
 * readable, and with --dead-after a dead node's copies are re-created so that a second death loses nothing.
 * The default build runs a shorter version (3 to 5, one leave, fewer objects; the dead-after half in this JVM as
 * replication.DeadAfterClusterTest); {@code -Pchaos} runs it as written.
 */
class ClusterShapeTest {
    private static final boolean FULL = "full".equals(System.getProperty("hifadhi.drill"));
    private static final String KEY = "cluster-shape-test-shard-key-0123456789";
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;

    private ShapeCluster cluster;

    /** Objects acknowledged so far: query → bytes. */
    private final Map<String, byte[]> acked = new ConcurrentHashMap<>();

    @Test
    void growsUnderLoadThenLeavesAndLosesNothing() throws Exception {
        cluster = new ShapeCluster(dir, KEY, "-Xmx256m", 8, "--chunk-size", "64KiB", "--capacity", "10GiB");
        try {
            cluster.start(0, "--dead-after", "10m");
            cluster.startTogether(1, 3, "--dead-after", "10m");
            cluster.awaitLayout(0, 3, 3);
            storeMany(0, 3, FULL ? 90 : 30, new Random(1));

            int size = FULL ? 6 : 5;
            int[] all = FULL ? new int[]{0, 1, 2, 3, 4, 5} : new int[]{0, 1, 2, 3, 4};
            ShapeLoad load = load(new int[]{0, 1, 2}, 7);
            cluster.startTogether(3, size, "--dead-after", "10m");
            load.nodes = all;
            long grown = System.nanoTime();
            cluster.awaitSettled(0, size, Duration.ofSeconds(240));
            double rebalanceSeconds = (System.nanoTime() - grown) / 1e9;
            load.stop();
            load.assertClean("growing 3 -> " + size);

            long[] bytes = new long[size];
            for (int i = 0; i < size; i++) {
                bytes[i] = cluster.chunkBytes(i);
            }
            double mean = Arrays.stream(bytes).average().orElseThrow();
            long newOwnersHold = 0;
            for (int i = 3; i < size; i++) {
                newOwnersHold += bytes[i];
            }
            System.out.printf("grow 3->%d: settled in %.1f s; chunk bytes per node %s (mean %.0f); moved %d bytes, the new nodes"
                            + " hold %d (the least any move could achieve; written there directly during the move included)%n",
                    size, rebalanceSeconds, Arrays.toString(bytes), mean, cluster.moved(all), newOwnersHold);
            for (int i = 3; i < size; i++) {
                double share = bytes[i] / mean;
                // The full drill holds the bound; the short one has too few objects for a tight share.
                double slack = FULL ? 0.15 : 0.5;
                assertTrue(share > 1 - slack && share < 1 + slack, "node " + i + " holds " + bytes[i] + " bytes, " + share + " of the mean");
            }
            assertAllReadable(all);

            // A SIGTERM restart is not a leave: it moves (next to) nothing.
            int[] others = Arrays.stream(all).filter(i -> i != 4).toArray();
            long movedBefore = cluster.moved(others);
            cluster.stop(4);
            cluster.start(4, "--dead-after", "10m");
            cluster.awaitSettled(0, size, Duration.ofSeconds(60));
            Thread.sleep(6_000);
            long movedAfter = cluster.moved(others) + cluster.moved(new int[]{4});
            System.out.printf("SIGTERM restart of node-e: %d bytes moved%n", movedAfter - movedBefore);
            assertTrue(movedAfter - movedBefore < 2L * CHUNK, "a restart moved " + (movedAfter - movedBefore) + " bytes");

            // Two nodes leave while clients read and write; they hand everything over and exit.
            load = load(new int[]{0, 1, 2, 4}, 11);
            long leaving = System.nanoTime();
            int[] leavers = FULL ? new int[]{3, 5} : new int[]{3};
            for (int i : leavers) {
                HttpResponse<String> r = cluster.post(i, "/api/v1/cluster/leave");
                assertEquals(202, r.statusCode(), r.body());
            }
            for (int i : leavers) {
                if (!cluster.node(i).process().waitFor(240, TimeUnit.SECONDS)) {
                    cluster.printLeaveDiagnostics(i, 200);
                    fail("node " + i + " exits after its leave (its status and log are printed above)");
                }
                assertEquals(0, cluster.node(i).process().exitValue());
            }
            double leaveSeconds = (System.nanoTime() - leaving) / 1e9;
            load.stop();
            load.assertClean("shrinking " + size + " -> 4");
            for (int i : leavers) {
                assertEquals(0, cluster.chunkBytes(i), "node " + i + " left empty");
                cluster.forget(i);
            }
            cluster.awaitSettled(0, 4, Duration.ofSeconds(120));
            System.out.printf("shrink %d->4 with node leave: leavers gone after %.1f s%n", size, leaveSeconds);
            assertAllReadable(new int[]{0, 1, 2, 4});

            // One original node dies for good: with 3 copies, everything is still readable.
            cluster.kill9(1);
            assertAllReadable(new int[]{0, 2, 4});
        } finally {
            cluster.close();
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "hifadhi.drill", matches = "full",
            disabledReason = "six node-process starts: -Pchaos only; replication.DeadAfterClusterTest has the short version")
    void deadAfterReReplicatesSoASecondDeathLosesNothing() throws Exception {
        cluster = new ShapeCluster(dir, KEY, "-Xmx256m", 8, "--chunk-size", "64KiB", "--capacity", "10GiB");
        try {
            String deadAfter = "20s";
            cluster.start(0, "--dead-after", deadAfter);
            cluster.startTogether(1, 5, "--dead-after", deadAfter);
            cluster.awaitLayout(0, 5, 5);
            storeMany(0, 5, 60, new Random(2));
            cluster.awaitSettled(0, 5, Duration.ofSeconds(60));

            cluster.kill9(4);
            long killed = System.nanoTime();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> cluster.role(0, "node-e").equals("REMOVED"));
            System.out.printf("node-e removed %.1f s after kill -9 (--dead-after %s)%n", (System.nanoTime() - killed) / 1e9, deadAfter);
            cluster.awaitSettled(0, 4, Duration.ofSeconds(120));
            System.out.printf("its copies re-created %.1f s after kill -9%n", (System.nanoTime() - killed) / 1e9);

            cluster.kill9(3);
            assertAllReadable(new int[]{0, 1, 2});

            // node-e comes back on its old data directory: removed, it rejoins as a new member (its old copies are
            // reconciled by anti-entropy while the others serve), and what it serves is the acknowledged bytes.
            cluster.start(4, "--dead-after", deadAfter);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> cluster.role(0, "node-e").equals("MEMBER"));
            // It serves once it sees the peers it remembers or a quorum for RejoinGate's grace (node-d stays dead).
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> assertAllReadable(new int[]{4}));
        } finally {
            cluster.close();
        }
    }

    /** Two load threads; the short drill pauses 20 ms after each request to keep the object count (and the read-back) small. */
    private ShapeLoad load(int[] through, long seed) {
        return new ShapeLoad(cluster, acked, through, seed, 2, ClusterShapeTest::body, FULL ? 0 : 20).start();
    }

    private static byte[] body(Random r) {
        byte[] body = new byte[r.nextInt(3) == 0 ? 2000 : CHUNK * (1 + r.nextInt(6)) + r.nextInt(CHUNK)];
        r.nextBytes(body);
        return body;
    }

    /**
     * A move is resumable after a crash: it is anti-entropy and hand-over over what is on disk, no plan held in memory.
     * A joiner is killed with -9 in the middle of receiving its share (slowed by --transfer-rate so there is a middle),
     * restarted on its data, and the move completes; what it fetched before the kill is not fetched again.
     */
    @Test
    @EnabledIfSystemProperty(named = "hifadhi.drill", matches = "full", disabledReason = "node processes and kill -9: -Pchaos only")
    void aMoveCutByACrashResumesWhereItStopped() throws Exception {
        cluster = new ShapeCluster(dir, KEY, "-Xmx256m", 8, "--chunk-size", "64KiB", "--capacity", "10GiB");
        String[] args = {"--dead-after", "10m", "--transfer-rate", "1MiB"};
        try {
            cluster.start(0, args);
            cluster.startTogether(1, 3, args);
            cluster.awaitLayout(0, 3, 3);
            storeMany(0, 3, 80, new Random(3));
            cluster.startTogether(3, 5, args);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> cluster.moved(3) > 2L << 20);
            long before = cluster.moved(3);
            cluster.kill9(3);
            System.out.printf("node-d killed -9 after receiving %d bytes of its share%n", before);
            cluster.start(3, args);
            long restarted = System.nanoTime();
            cluster.awaitSettled(0, 5, Duration.ofSeconds(300));
            long after = cluster.moved(3);
            long holds = cluster.chunkBytes(3);
            System.out.printf("move finished %.1f s after the restart; node-d received %d + %d bytes and holds %d%n",
                    (System.nanoTime() - restarted) / 1e9, before, after, holds);
            // Writes made during the move land on it directly, so what it holds can exceed what it fetched, never
            // the other way round by more than a chunk or two fetched twice around the kill.
            assertTrue(before + after <= holds + 4L * CHUNK, "node-d fetched " + (before + after) + " bytes to hold " + holds);
            assertAllReadable(new int[]{0, 1, 2, 3, 4});
        } finally {
            cluster.close();
        }
    }

    private void storeMany(int from, int count, int objects, Random r) throws Exception {
        for (int i = 0; i < objects; i++) {
            byte[] body = body(r);
            HttpResponse<String> s = cluster.client(from + i % count).store("seed-" + i + ".bin", body);
            assertEquals(200, s.statusCode(), s.body());
            acked.put(s.body(), body);
        }
    }

    /** Every acknowledged object through the first node; through the others too (the short drill: a sample of 40). */
    private void assertAllReadable(int[] through) throws Exception {
        List<Map.Entry<String, byte[]>> all = new ArrayList<>(acked.entrySet());
        for (int i : through) {
            List<Map.Entry<String, byte[]>> some = all;
            if (!FULL && i != through[0]) {
                java.util.Collections.shuffle(all, new Random(i));
                some = all.subList(0, Math.min(40, all.size()));
            }
            for (Map.Entry<String, byte[]> e : some) {
                HttpResponse<byte[]> got = cluster.client(i).retrieve(e.getKey());
                assertEquals(200, got.statusCode(), "read of " + e.getKey() + " via node " + i + ": " + new String(got.body()));
                assertArrayEquals(e.getValue(), got.body(), "bytes of " + e.getKey() + " via node " + i);
            }
        }
    }
}
