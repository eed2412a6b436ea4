package io.hifadhi.node.replication;

import io.hifadhi.node.testing.NativeClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Single node vs three nodes (N=3, W=2, R=2, 4 MiB chunks, fsync on), in this JVM, through the
 * same HTTP client in the same run: PUT and GET of 4 KiB and 16 MiB objects, several runs,
 * medians printed. Not part of the default test run:
 * <pre>
 * cd /work/main && mvn -B -q -pl api,node test -Dtest=DataPathBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Optional: -Dbench.runs=5 -Dbench.threads=4 -Dbench.small=300 -Dbench.large=12
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class DataPathBenchmark {
    @TempDir
    Path dir;

    record Figures(double putOps, double putMiBs, double getOps, double getMiBs) {
    }

    @Test
    void singleVersusThreeNodes() throws Exception {
        int runs = Integer.getInteger("bench.runs", 5);
        int threads = Integer.getInteger("bench.threads", 4);
        int smallCount = Integer.getInteger("bench.small", 300);
        int largeCount = Integer.getInteger("bench.large", 12);
        try (TestCluster single = new TestCluster(dir.resolve("single"), 1, 3, 2, 2, 4 << 20).startAll();
             TestCluster three = new TestCluster(dir.resolve("three"), 3, 3, 2, 2, 4 << 20).startAll()) {
            // Same client for both: the coordinator is node-a in each; GETs go to node-b in the cluster.
            NativeClient singleClient = single.client(0);
            NativeClient threePut = three.client(0);
            NativeClient threeGet = three.client(1);
            int[] sizes = {4 << 10, 16 << 20};
            int[] counts = {smallCount, largeCount};
            for (int s = 0; s < sizes.length; s++) {
                List<Figures> one = new ArrayList<>();
                List<Figures> cluster = new ArrayList<>();
                run(singleClient, singleClient, "warm", sizes[s], Math.min(counts[s], 20), threads);
                run(threePut, threeGet, "warm", sizes[s], Math.min(counts[s], 20), threads);
                for (int r = 0; r < runs; r++) {
                    one.add(run(singleClient, singleClient, "r" + r, sizes[s], counts[s], threads));
                    cluster.add(run(threePut, threeGet, "r" + r, sizes[s], counts[s], threads));
                    System.out.printf("size %s run %d: single PUT %.1f ops/s %.1f MiB/s GET %.1f ops/s %.1f MiB/s | "
                                    + "three PUT %.1f ops/s %.1f MiB/s GET %.1f ops/s %.1f MiB/s%n", label(sizes[s]), r,
                            one.get(r).putOps(), one.get(r).putMiBs(), one.get(r).getOps(), one.get(r).getMiBs(),
                            cluster.get(r).putOps(), cluster.get(r).putMiBs(), cluster.get(r).getOps(), cluster.get(r).getMiBs());
                }
                System.out.printf("MEDIAN %s x%d, %d client threads, %d runs: single PUT %.1f ops/s (%.1f MiB/s), GET %.1f ops/s (%.1f MiB/s);"
                                + " three nodes PUT %.1f ops/s (%.1f MiB/s), GET %.1f ops/s (%.1f MiB/s)%n",
                        label(sizes[s]), counts[s], threads, runs,
                        median(one, Figures::putOps), median(one, Figures::putMiBs), median(one, Figures::getOps), median(one, Figures::getMiBs),
                        median(cluster, Figures::putOps), median(cluster, Figures::putMiBs), median(cluster, Figures::getOps),
                        median(cluster, Figures::getMiBs));
            }
        }
    }

    /**
     * Issue #19: the same GETs through a node that holds as little of each object as the cluster allows, on five
     * nodes (N=3), against one node. Objects are stored through node-a; each is then read through the node holding
     * the fewest of its chunks (and, among those, not its record), so its bytes come from other nodes' disks over
     * the transport. Prints the share of chunk bytes the reading node had to fetch.
     * <pre>
     * mvn -B -pl node -am test -Dtest='DataPathBenchmark#singleVersusFiveThroughNonHolders' -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false
     * </pre>
     */
    @Test
    void singleVersusFiveThroughNonHolders() throws Exception {
        int runs = Integer.getInteger("bench.runs", 3);
        int threads = Integer.getInteger("bench.threads", 4);
        int size = Integer.getInteger("bench.size", 16 << 20);
        int count = Integer.getInteger("bench.count", 12);
        try (TestCluster single = new TestCluster(dir.resolve("single"), 1, 3, 2, 2, 4 << 20).startAll();
             TestCluster five = new TestCluster(dir.resolve("five"), 5, 3, 2, 2, 4 << 20).startAll()) {
            List<Double> one = new ArrayList<>();
            List<Double> cluster = new ArrayList<>();
            for (int r = -1; r < runs; r++) {
                String tag = r < 0 ? "warm" : "r" + r;
                List<String> singleQueries = storeAll(single.client(0), tag, size, count);
                List<String> fiveQueries = storeAll(five.client(0), tag, size, count);
                // The reading node of each object: fewest of its chunks held, then not a record holder.
                NativeClient[] readers = new NativeClient[count];
                long remote = 0;
                long total = 0;
                for (int i = 0; i < count; i++) {
                    io.hifadhi.api.nativeapi.ObjectLocator.ObjectLocation at = five.node(0).replicatedStore()
                            .locate(".native", fiveQueries.get(i)).orElseThrow();
                    int best = -1;
                    long bestHeld = Long.MAX_VALUE;
                    for (int n = 0; n < 5; n++) {
                        String id = TestCluster.name(n);
                        long held = 0;
                        for (io.hifadhi.api.nativeapi.ObjectLocator.ChunkLocation c : at.chunks()) {
                            held += c.holders().contains(id) ? c.size() : 0;
                        }
                        long rank = held * 2 + (at.recordHolders().contains(id) ? 1 : 0);
                        if (rank < bestHeld) {
                            bestHeld = rank;
                            best = n;
                        }
                    }
                    readers[i] = five.client(best);
                    remote += size - bestHeld / 2;
                    total += size;
                }
                double singleMiBs = readAll(i -> single.client(0), singleQueries, size, threads);
                double fiveMiBs = readAll(i -> readers[i], fiveQueries, size, threads);
                if (r >= 0) {
                    one.add(singleMiBs);
                    cluster.add(fiveMiBs);
                    System.out.printf("GET %s x%d, %d threads, run %d: one node %.1f MiB/s; five nodes through the least holder"
                                    + " %.1f MiB/s (%.2fx); %.0f%% of the chunk bytes fetched from other nodes%n", label(size), count,
                            threads, r, singleMiBs, fiveMiBs, fiveMiBs / singleMiBs, 100.0 * remote / total);
                }
            }
            double[] a = one.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double[] b = cluster.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("MEDIAN GET %s: one node %.1f MiB/s, five nodes through the least holder %.1f MiB/s: %.2fx%n",
                    label(size), a[a.length / 2], b[b.length / 2], b[b.length / 2] / a[a.length / 2]);
        }
    }

    private static List<String> storeAll(NativeClient client, String tag, int size, int count) throws Exception {
        List<String> queries = new ArrayList<>();
        byte[] body = new byte[size];
        for (int i = 0; i < count; i++) {
            new Random(i * 7919L + tag.hashCode()).nextBytes(body);
            HttpResponse<String> r = client.store("far-" + tag + "-" + i, body);
            assertEquals(200, r.statusCode(), r.body());
            queries.add(r.body());
        }
        return queries;
    }

    /** Reads every query once with {@code threads} threads, object {@code i} through {@code via.apply(i)}; MiB/s. */
    private static double readAll(java.util.function.IntFunction<NativeClient> via, List<String> queries, int size, int threads)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> fs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    // The body is read as a stream into one buffer: collected into a 16 MiB array per response, the
                    // client's own allocation and garbage collection took more of the two cores than the nodes did.
                    byte[] buffer = new byte[256 << 10];
                    for (int i = next.getAndIncrement(); i < queries.size(); i = next.getAndIncrement()) {
                        NativeClient c = via.apply(i);
                        HttpResponse<java.io.InputStream> r = c.send(c.get("retrieve", queries.get(i)),
                                HttpResponse.BodyHandlers.ofInputStream());
                        long got = 0;
                        try (java.io.InputStream in = r.body()) {
                            for (int n; (n = in.read(buffer)) >= 0; ) {
                                got += n;
                            }
                        }
                        assertEquals(200, r.statusCode());
                        assertEquals(size, got);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            return (double) size * queries.size() / (1 << 20) / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static String label(int size) {
        return size >= 1 << 20 ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
    }

    private static double median(List<Figures> list, java.util.function.ToDoubleFunction<Figures> f) {
        double[] v = list.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static Figures run(NativeClient put, NativeClient get, String tag, int size, int count, int threads) throws Exception {
        byte[][] bodies = new byte[Math.min(count, 8)][];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = new byte[size];
            new Random(size * 31L + i + tag.hashCode()).nextBytes(bodies[i]);
        }
        String[] queries = new String[count];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicInteger next = new AtomicInteger();
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        HttpResponse<String> r = put.store("bench-" + tag + "-" + size + "-" + i, bodies[i % bodies.length]);
                        assertEquals(200, r.statusCode(), r.body());
                        queries[i] = r.body();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            double putSeconds = (System.nanoTime() - t0) / 1e9;
            next.set(0);
            fs.clear();
            long t1 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        HttpResponse<byte[]> r = get.retrieve(queries[i]);
                        assertEquals(200, r.statusCode());
                        if (i < bodies.length && !Arrays.equals(bodies[i % bodies.length], r.body())) {
                            throw new AssertionError("wrong bytes for " + queries[i]);
                        }
                        assertEquals(size, r.body().length);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            double getSeconds = (System.nanoTime() - t1) / 1e9;
            double mib = (double) size * count / (1 << 20);
            return new Figures(count / putSeconds, mib / putSeconds, count / getSeconds, mib / getSeconds);
        } finally {
            pool.shutdownNow();
        }
    }
}
