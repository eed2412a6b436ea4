package io.hifadhi.node.cache;

import io.hifadhi.node.testing.NativeClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Five nodes in this JVM (N=3, W=2, R=2, 4 MiB chunks, fsync on), 40 objects of 1 MiB written through node-a, then
 * readers whose every GET goes to a uniformly random node and names an object drawn Zipf(1.2). Three clusters in one
 * run, one after the other: spreading on (with the read-through cache), spreading off (cache still on), and neither
 * (--cache-size 0 --hot-spreading=false: the plain replicated read path). Printed per configuration: each node's
 * hifadhi_chunk_read_bytes_total over the measured reads, max/mean, and GET latency p50/p99. Not in the default run:
 * <pre>
 * mvn -B -o -pl node test -Dtest=HotSpreadingBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Optional: -Dbench.reads=3000 -Dbench.warmup=400 -Dbench.threads=8 -Dbench.threshold=5
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class HotSpreadingBenchmark {
    private static final int OBJECTS = 40;
    private static final int SIZE = 1 << 20;
    private static final double ZIPF_S = 1.2;

    @TempDir
    Path dir;

    record Figures(String name, long[] readBytes, double p50Millis, double p99Millis, double seconds) {
        double maxOverMean() {
            double mean = Arrays.stream(readBytes).average().orElse(0);
            return Arrays.stream(readBytes).max().orElse(0) / mean;
        }
    }

    @Test
    void spreadingOnVersusOff() throws Exception {
        double threshold = Double.parseDouble(System.getProperty("bench.threshold", "5"));
        CacheSettings on = new CacheSettings(1L << 30, true, threshold, 500, Duration.ofSeconds(60), 2);
        CacheSettings off = new CacheSettings(1L << 30, false, threshold, 500, Duration.ofSeconds(60), 2);
        CacheSettings none = new CacheSettings(0, false, threshold, 500, Duration.ofSeconds(60), 2);
        List<Figures> all = new ArrayList<>();
        all.add(run("spreading on, cache on", on, dir.resolve("on")));
        all.add(run("spreading off, cache on", off, dir.resolve("off")));
        all.add(run("spreading off, no cache", none, dir.resolve("none")));
        System.out.println();
        System.out.printf("%-26s %-62s %8s %9s %9s %8s%n", "configuration", "chunk bytes read per node (MiB)", "max/mean",
                "p50 ms", "p99 ms", "reads/s");
        int reads = Integer.getInteger("bench.reads", 3000);
        for (Figures f : all) {
            StringBuilder perNode = new StringBuilder();
            for (long b : f.readBytes()) {
                perNode.append(String.format("%8.1f", b / 1048576.0));
            }
            System.out.printf("%-26s %-62s %8.2f %9.1f %9.1f %8.1f%n", f.name(), perNode, f.maxOverMean(), f.p50Millis(),
                    f.p99Millis(), reads / f.seconds());
        }
    }

    private Figures run(String name, CacheSettings settings, Path base) throws Exception {
        int reads = Integer.getInteger("bench.reads", 3000);
        int warmup = Integer.getInteger("bench.warmup", 400);
        int threads = Integer.getInteger("bench.threads", 8);
        try (HotCluster cluster = new HotCluster(base, 5, 4 << 20, settings)) {
            byte[][] bodies = new byte[OBJECTS][];
            String[] queries = new String[OBJECTS];
            Random random = new Random(42);
            for (int i = 0; i < OBJECTS; i++) {
                bodies[i] = new byte[SIZE];
                random.nextBytes(bodies[i]);
                HttpResponse<String> r = cluster.client(0).store("object-" + i + ".bin", bodies[i]);
                assertEquals(200, r.statusCode(), r.body());
                queries[i] = r.body().trim();
            }
            double[] cdf = zipfCdf(OBJECTS, ZIPF_S);
            readAll(cluster, queries, bodies, cdf, warmup, threads);
            long[] before = cluster.metricOfAll("hifadhi_chunk_read_bytes_total");
            long start = System.nanoTime();
            long[] latencies = readAll(cluster, queries, bodies, cdf, reads, threads);
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] after = cluster.metricOfAll("hifadhi_chunk_read_bytes_total");
            long[] delta = new long[after.length];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = after[i] - before[i];
            }
            Arrays.sort(latencies);
            Figures f = new Figures(name, delta, latencies[latencies.length / 2] / 1e6,
                    latencies[(int) Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] / 1e6, seconds);
            System.out.printf("%s: hot objects now %s, cache hits %s, pushed %s%n", name,
                    Arrays.toString(cluster.metricOfAll("hifadhi_hot_objects")),
                    Arrays.toString(cluster.metricOfAll("hifadhi_cache_hits_total")),
                    Arrays.toString(cluster.metricOfAll("hifadhi_hot_pushed_chunks_total")));
            return f;
        }
    }

    /** {@code count} GETs over {@code threads} readers; every GET to a random node, its object Zipf-drawn; latencies in ns. */
    private static long[] readAll(HotCluster cluster, String[] queries, byte[][] bodies, double[] cdf, int count, int threads)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        NativeClient[] clients = new NativeClient[cluster.size()];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = cluster.client(i);
        }
        try {
            List<Future<long[]>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int share = count / threads + (t < count % threads ? 1 : 0);
                parts.add(pool.submit(() -> {
                    long[] out = new long[share];
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int i = 0; i < share; i++) {
                        int object = draw(cdf, r.nextDouble());
                        NativeClient c = clients[r.nextInt(clients.length)];
                        long t0 = System.nanoTime();
                        HttpResponse<byte[]> got = c.retrieve(queries[object]);
                        out[i] = System.nanoTime() - t0;
                        assertEquals(200, got.statusCode());
                        assertArrayEquals(bodies[object], got.body());
                    }
                    return out;
                }));
            }
            long[] all = new long[count];
            int at = 0;
            for (Future<long[]> f : parts) {
                long[] part = f.get();
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int k = 1; k <= n; k++) {
            sum += 1 / Math.pow(k, s);
            cdf[k - 1] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }

    static int draw(double[] cdf, double u) {
        int i = Arrays.binarySearch(cdf, u);
        return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
    }
}
