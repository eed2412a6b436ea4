package io.hifadhi.node.layout;

import com.fasterxml.jackson.databind.JsonNode;
import io.hifadhi.node.replication.ReplicatedObjectStore;
import io.hifadhi.node.testing.SeededStream;
import io.hifadhi.ring.KeyHash;
import io.hifadhi.ring.Member;
import io.hifadhi.ring.Ring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a change of shape costs, with real node processes (N=3, W=2, R=2, default 4 MiB chunks, --dead-after 10m,
 * equal --capacity): three nodes hold 1 GiB of logical data (256 objects of 4 MiB, one chunk each: 3 GiB of chunk
 * files), then two nodes join; measured is the time from the joiners answering until the layout is settled (every
 * owner confirmed the newest ring, nothing left to move on any node), the chunk bytes moved (fetched by new owners
 * plus pushed in hand-overs, summed over the nodes) against the least any move could do (for every chunk, its
 * replicas in the new ring that were none in the old, computed from the chunk ids and the two rings), and the
 * latency and failures of a small client load (two threads, 4 KiB - 256 KiB objects, 50 ms apart) through random
 * nodes meanwhile. Then one original node of the five leaves: bytes moved against the least, and the time until
 * it exits. Then a fresh cluster grows the same way with {@code --transfer-rate} on every node: the per-node rate
 * observed against the limit. Not in the default run:
 * <pre>
 * mvn -B -o -pl node test -Dtest=ShapeChangeBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Optional: -Dbench.objects=256 -Dbench.objectMiB=4 -Dbench.rate=10MiB (0: skip the rate-limited run)
 * -Dbench.capacity=1TiB -Dbench.heap=-Xmx384m
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class ShapeChangeBenchmark {
    private static final String KEY = "shape-change-benchmark-shard-key-0123456789";
    private static final HexFormat HEX = HexFormat.of();
    /** The default chunk size: the benchmark runs the nodes as shipped. */
    private static final int CHUNK = 4 << 20;
    private static final int N = 3;

    private final int objects = Integer.getInteger("bench.objects", 256);
    private final long objectSize = Long.getLong("bench.objectMiB", 4) << 20;
    private final String rate = System.getProperty("bench.rate", "10MiB");
    private final String capacity = System.getProperty("bench.capacity", "1TiB");
    private final String heap = System.getProperty("bench.heap", "-Xmx384m");

    @TempDir
    Path dir;

    /** Client requests that failed during the moves, over all phases. */
    private int failed;

    /** Chunk id → length, of the seeded objects. */
    private final Map<String, Long> chunks = new ConcurrentHashMap<>();
    /** The small objects written to the cluster under test (before and during the moves): query → bytes. */
    private final Map<String, byte[]> acked = new ConcurrentHashMap<>();
    /** Seed → query of the seeded object in the cluster under test. */
    private final Map<Integer, String> queries = new ConcurrentHashMap<>();

    @Test
    void growThenLeaveThenGrowUnderATransferRate() throws Exception {
        List<String> report = new ArrayList<>();
        try (ShapeCluster cluster = new ShapeCluster(dir.resolve("free"), KEY, heap, 5, "--capacity", capacity, "--dead-after", "10m")) {
            report.add(grow(cluster, "join 3 -> 5, no --transfer-rate", 0));
            report.add(leave(cluster, 1));
        }
        if (!rate.equals("0")) {
            try (ShapeCluster cluster = new ShapeCluster(dir.resolve("limited"), KEY, heap, 5, "--capacity", capacity,
                    "--dead-after", "10m", "--transfer-rate", rate)) {
                report.add(grow(cluster, "join 3 -> 5, --transfer-rate " + rate + " on every node", parseSize(rate)));
            }
        }
        System.out.println();
        System.out.printf("ShapeChangeBenchmark: %d objects of %d MiB (%.2f GiB logical, x%d copies), %s chunks of 4 MiB,"
                + " --capacity %s each, node heap %s%n", objects, objectSize >> 20, objects * (double) objectSize / (1 << 30), N,
                chunks.size(), capacity, heap);
        report.forEach(System.out::println);
        assertEquals(0, failed, "client requests failed during the moves (see above)");
    }

    private String grow(ShapeCluster cluster, String what, long limit) throws Exception {
        cluster.start(0);
        cluster.startTogether(1, 3);
        cluster.awaitLayout(0, 3, 3);
        long stored = System.nanoTime();
        storeSeeded(cluster);
        double storeSeconds = (System.nanoTime() - stored) / 1e9;
        acked.clear();
        storeSmall(cluster, "small-", 30, 3, new Random(5));
        cluster.awaitSettled(0, 3, Duration.ofMinutes(5));
        List<Member> before = cluster.owners(0);

        Movement move = new Movement(cluster, 5).start();
        ShapeLoad load = new ShapeLoad(cluster, acked, new int[]{0, 1, 2}, 7, 2, ShapeChangeBenchmark::loadBody, 50).start();
        long joining = System.nanoTime();
        cluster.startTogether(3, 5);
        load.nodes = new int[]{0, 1, 2, 3, 4};
        long joined = System.nanoTime();
        cluster.awaitSettled(0, 5, Duration.ofMinutes(40));
        long settled = System.nanoTime();
        load.stop();
        move.stop();
        List<Member> after = cluster.owners(0);
        long changed = move.layoutChangedAt();
        long ideal = leastMove(before, after, storedChunks(acked, load, changed));
        long fairShare = 2 * N * totalBytes() / 5;
        long[] held = new long[5];
        for (int i = 0; i < 5; i++) {
            held[i] = cluster.chunkBytes(i);
        }
        assertSeededReadable(cluster, new int[]{3, 4});
        failed += load.failed();
        return String.format("%s:%n  seeded %s through 3 nodes in %.1f s; joiners answered %.1f s after their start, joined the"
                        + " layout %.1f s after it; settled %.1f s after joining the layout (%s)%n  moved %s (received %s,"
                        + " handed over %s) vs least possible %s (%.2fx); the new nodes' fair share 2/5 x %s = %s%n  chunk bytes held after: %s%n  %s%n  load during the move: %s%s",
                what, mib(totalBytes()), storeSeconds, (joined - joining) / 1e9, (changed - joining) / 1e9, (settled - changed) / 1e9,
                rates(move, limit, new int[]{3, 4}),
                mib(move.moved()), mib(move.received()), mib(move.handedOver()), mib(ideal), move.moved() / (double) ideal,
                mib(N * totalBytes()), mib(fairShare), mibs(held), move.timeline(), load.figures(),
                load.failed() == 0 ? "" : " first: " + load.firstFailures(3));
    }

    private String leave(ShapeCluster cluster, int leaver) throws Exception {
        storeSmall(cluster, "before-leave-", 20, 5, new Random(9));
        cluster.awaitSettled(0, 5, Duration.ofMinutes(5));
        List<Member> before = cluster.owners(0);
        int[] stay = java.util.stream.IntStream.range(0, 5).filter(i -> i != leaver).toArray();
        Movement move = new Movement(cluster, 5).start();
        ShapeLoad load = new ShapeLoad(cluster, acked, stay, 11, 2, ShapeChangeBenchmark::loadBody, 50).start();
        long leaving = System.nanoTime();
        HttpResponse<String> asked = cluster.post(leaver, "/api/v1/cluster/leave");
        assertEquals(202, asked.statusCode(), asked.body());
        assertTrue(cluster.node(leaver).process().waitFor(40, TimeUnit.MINUTES), "the leaver exits");
        long exited = System.nanoTime();
        long leftBehind = cluster.chunkBytes(leaver);
        cluster.forget(leaver);
        cluster.awaitSettled(0, 4, Duration.ofMinutes(10));
        long settled = System.nanoTime();
        load.stop();
        move.stop();
        long ideal = leastMove(before, cluster.owners(0), storedChunks(acked, load, leaving));
        assertSeededReadable(cluster, new int[]{0});
        failed += load.failed();
        return String.format("leave of %s (one of 5):%n  exited %.1f s after `leave` (chunk bytes left in its directory: %d);"
                        + " the 4 settled %.1f s after `leave`%n  moved %s (received %s, handed over %s) vs least possible %s (%.2fx)"
                        + "%n  %s%n  load during the move: %s%s",
                ShapeCluster.name(leaver), (exited - leaving) / 1e9, leftBehind, (settled - leaving) / 1e9,
                mib(move.moved()), mib(move.received()), mib(move.handedOver()), mib(ideal), move.moved() / (double) ideal,
                move.timeline(), load.figures(), load.failed() == 0 ? "" : " first: " + load.firstFailures(3));
    }

    /** Per node, the bytes it moved over the span in which it moved any, against the limit. */
    private static String rates(Movement move, long limit, int[] receivers) {
        StringBuilder b = new StringBuilder();
        for (int i : receivers) {
            b.append(String.format("%s received %s at %.1f MiB/s over %.1f s; ", ShapeCluster.name(i), mib(move.receivedBy(i)),
                    move.rateOf(i) / (1 << 20), move.activeSecondsOf(i)));
        }
        b.append(limit == 0 ? "no limit" : String.format("limit %.1f MiB/s per node", limit / (double) (1 << 20)));
        return b.toString();
    }

    /** {@code count} small objects through nodes 0 .. {@code nodes - 1} in turn, for the load to read. */
    private void storeSmall(ShapeCluster cluster, String prefix, int count, int nodes, Random r) throws Exception {
        for (int i = 0; i < count; i++) {
            byte[] b = loadBody(r);
            HttpResponse<String> s = cluster.client(i % nodes).store(prefix + i + ".bin", b);
            assertEquals(200, s.statusCode(), s.body());
            acked.put(s.body(), b);
        }
    }

    /** Writes the seeded objects through the three nodes at once and notes their chunk ids. */
    private void storeSeeded(ShapeCluster cluster) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int through = t;
                done.add(writers.submit(() -> {
                    for (int i = through; i < objects; i += 3) {
                        HttpResponse<String> s = cluster.client(through).storeSeeded("big-" + i + ".bin", i, objectSize);
                        assertEquals(200, s.statusCode(), s.body());
                        queries.put(i, s.body().trim());
                        noteChunks(i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            writers.shutdownNow();
        }
    }

    private long totalBytes() {
        return objects * objectSize;
    }

    private void noteChunks(long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[CHUNK];
        try (InputStream in = new SeededStream(seed, objectSize)) {
            int n;
            while ((n = in.readNBytes(buf, 0, CHUNK)) > 0) {
                sha.update(buf, 0, n);
                chunks.put(HEX.formatHex(sha.digest()), (long) n);
            }
        }
    }

    /** Some seeded objects read back through {@code through}, each checked against its chunk id. */
    private void assertSeededReadable(ShapeCluster cluster, int[] through) throws Exception {
        for (int node : through) {
            for (int i = node; i < objects; i += Math.max(1, objects / 16)) {
                HttpResponse<InputStream> got = cluster.client(node).http().send(cluster.client(node).get("retrieve",
                        queries.get(i)).build(), HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, got.statusCode(), "big-" + i + " via " + ShapeCluster.name(node));
                try (InputStream in = got.body(); InputStream want = new SeededStream(i, objectSize)) {
                    assertTrue(java.util.Arrays.equals(in.readAllBytes(), want.readAllBytes()), "bytes of big-" + i);
                }
            }
        }
    }

    /**
     * Chunk id → length of what the cluster held when its layout changed at {@code changedAt}: the seeded objects, and
     * the small ones acknowledged before (one chunk each; those up to the inline limit live in their record). What
     * was written after went to the replicas of both rings at once: it needs no move.
     */
    private Map<String, Long> storedChunks(Map<String, byte[]> small, ShapeLoad load, long changedAt) throws Exception {
        Map<String, Long> all = new java.util.HashMap<>(chunks);
        for (Map.Entry<String, byte[]> e : small.entrySet()) {
            if (e.getValue().length > ReplicatedObjectStore.INLINE_MAX && load.ackedBefore(e.getKey(), changedAt)) {
                all.put(HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(e.getValue())), (long) e.getValue().length);
            }
        }
        return all;
    }

    /** For every chunk, its replicas in {@code after} that were none in {@code before}, times its length. */
    private static long leastMove(List<Member> before, List<Member> after, Map<String, Long> stored) {
        Ring old = Ring.of(before);
        Ring now = Ring.of(after);
        long bytes = 0;
        for (Map.Entry<String, Long> c : stored.entrySet()) {
            long position = KeyHash.ofChunk(HEX.parseHex(c.getKey()));
            Set<Member> had = new HashSet<>(old.preferenceList(position, N).replicas());
            for (Member m : now.preferenceList(position, N).replicas()) {
                if (had.stream().noneMatch(x -> x.id().equals(m.id()))) {
                    bytes += c.getValue();
                }
            }
        }
        return bytes;
    }

    private static byte[] loadBody(Random r) {
        byte[] b = new byte[r.nextInt(3) == 0 ? 4096 : (64 << 10) + r.nextInt(192 << 10)];
        r.nextBytes(b);
        return b;
    }

    private static long parseSize(String s) {
        String t = s.trim().toUpperCase();
        long unit = t.endsWith("GIB") ? 1L << 30 : t.endsWith("MIB") ? 1L << 20 : t.endsWith("KIB") ? 1L << 10 : 1;
        return Long.parseLong(t.replaceAll("[A-Z]", "")) * unit;
    }

    private static String mib(long bytes) {
        return String.format("%.0f MiB", bytes / (double) (1 << 20));
    }

    private static String mibs(long[] bytes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            b.append(i == 0 ? "" : " / ").append(ShapeCluster.name(i)).append(' ').append(mib(bytes[i]));
        }
        return b.toString();
    }

    /**
     * Polls every node's move counters once a second: what each moved since the poller started, and when it moved
     * (a leaver's counters are kept as last seen, since they go with its process).
     */
    private static final class Movement {
        private final ShapeCluster cluster;
        private final long[][] base;
        private final long[][] last;
        private final long[] firstMoveNanos;
        private final long[] lastMoveNanos;
        private final long started = System.nanoTime();
        private int owners = -1;
        private volatile long layoutChangedAt;
        private final List<String> samples = new ArrayList<>();
        private final Thread poller;
        private volatile boolean running = true;

        Movement(ShapeCluster cluster, int size) {
            this.cluster = cluster;
            this.base = new long[size][];
            this.last = new long[size][];
            this.firstMoveNanos = new long[size];
            this.lastMoveNanos = new long[size];
            this.poller = new Thread(this::poll, "movement");
            this.poller.setDaemon(true);
        }

        Movement start() {
            sample();
            poller.start();
            return this;
        }

        private void poll() {
            int ticks = 0;
            while (running) {
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
                sample();
                if (++ticks % 10 == 0) {
                    synchronized (samples) {
                        samples.add(String.format("%.0fs %s", (System.nanoTime() - started) / 1e9, mib(moved())));
                    }
                }
            }
        }

        /** When node-a first saw another number of ring owners than at the start (to a second). */
        long layoutChangedAt() {
            return layoutChangedAt;
        }

        private synchronized void sample() {
            if (layoutChangedAt == 0 && cluster.node(0) != null) {
                try {
                    int now = cluster.owners(0).size();
                    if (owners >= 0 && now != owners) {
                        layoutChangedAt = System.nanoTime();
                    }
                    owners = now;
                } catch (Exception e) {
                    // Asked again next second.
                }
            }
            for (int i = 0; i < base.length; i++) {
                if (cluster.node(i) == null || !cluster.node(i).process().isAlive()) {
                    continue;
                }
                try {
                    JsonNode r = cluster.cluster(i).get("rebalance");
                    long[] now = {r.get("bytes_received").asLong(), r.get("bytes_handed_over").asLong()};
                    if (base[i] == null) {
                        base[i] = now;
                    }
                    if (last[i] != null && now[0] + now[1] > last[i][0] + last[i][1]) {
                        long t = System.nanoTime();
                        if (firstMoveNanos[i] == 0) {
                            // It started moving somewhere in the last second.
                            firstMoveNanos[i] = t - 1_000_000_000L;
                        }
                        lastMoveNanos[i] = t;
                    }
                    last[i] = now;
                } catch (Exception e) {
                    // A node exiting after its leave: its last sample stands.
                }
            }
        }

        void stop() throws InterruptedException {
            running = false;
            poller.interrupt();
            poller.join(10_000);
            sample();
        }

        synchronized long receivedBy(int i) {
            return base[i] == null ? 0 : last[i][0] - base[i][0];
        }

        synchronized long handedOverBy(int i) {
            return base[i] == null ? 0 : last[i][1] - base[i][1];
        }

        synchronized long received() {
            long sum = 0;
            for (int i = 0; i < base.length; i++) {
                sum += receivedBy(i);
            }
            return sum;
        }

        synchronized long handedOver() {
            long sum = 0;
            for (int i = 0; i < base.length; i++) {
                sum += handedOverBy(i);
            }
            return sum;
        }

        long moved() {
            return received() + handedOver();
        }

        synchronized double activeSecondsOf(int i) {
            return firstMoveNanos[i] == 0 ? 0 : (lastMoveNanos[i] - firstMoveNanos[i]) / 1e9;
        }

        /** Bytes per second node {@code i} moved while it moved any (first to last second its counters grew). */
        synchronized double rateOf(int i) {
            double s = activeSecondsOf(i);
            return s == 0 ? 0 : (receivedBy(i) + handedOverBy(i)) / s;
        }

        String timeline() {
            synchronized (samples) {
                return "moved by time: " + String.join(", ", samples);
            }
        }
    }
}
