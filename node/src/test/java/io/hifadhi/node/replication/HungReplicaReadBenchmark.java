package io.hifadhi.node.replication;

import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * GETs while a replica hangs: five node processes (N=3, R=2, 256 KiB chunks), read through node-a by 16 clients of 300
 * objects of 4 KiB and, at the same time, 4 clients of 40 objects of 1 MiB (four chunks each, most of them on other
 * nodes). Each run reads for a steady stretch, then SIGSTOPs node-e and reads on: until the failure detector loses it
 * (1.5-2 s here), the record reads whose replicas include node-e reach it and get no answer, and so do chunk streams
 * asked of it. Prints, for each stretch and size, GETs per second, p99 and the slowest GET, the first second after the
 * SIGSTOP against the steady median, and how long node-a took to lose node-e. Not part of the default test run:
 * <pre>
 * mvn -B -q -pl node -am test -Dtest=HungReplicaReadBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Optional: -Dbench.runs=3
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class HungReplicaReadBenchmark {
    private static final String KEY = "hung-replica-read-benchmark-key-0123456789";
    private static final int NODES = 5;
    private static final int SMALL = 4 << 10;
    private static final int LARGE = 1 << 20;

    @TempDir
    Path dir;

    /** One stretch of reading: GETs finished in each second, and every GET's latency (ns, sorted). */
    record Stretch(long[] perSecond, long[] latencies, long errors) {
        String describe() {
            return String.format("%d GETs/s (seconds: %s), p99 %.0f ms, slowest %.0f ms, %d errors",
                    (long) Arrays.stream(perSecond).average().orElse(0), Arrays.toString(perSecond),
                    latencies[(int) (latencies.length * 0.99)] / 1e6, latencies[latencies.length - 1] / 1e6, errors);
        }

        double firstSecondAgainst(Stretch steady) {
            return perSecond[0] / (double) Arrays.stream(steady.perSecond()).sorted().toArray()[steady.perSecond().length / 2];
        }
    }

    @Test
    void getsWhileAReplicaHangs() throws Exception {
        int runs = Integer.getInteger("bench.runs", 3);
        int[] ports = new int[NODES];
        for (int i = 0; i < NODES; i++) {
            ports[i] = NodeProcess.freePort();
        }
        List<NodeProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < NODES; i++) {
                List<String> extra = new ArrayList<>(List.of("--chunk-size", "256KiB"));
                if (i > 0) {
                    extra.addAll(List.of("--join", "127.0.0.1:" + ports[0]));
                }
                nodes.add(NodeProcess.start(dir.resolve("n" + i), KEY, "-Xmx256m", dir.resolve("n" + i + ".log"),
                        "node-" + (char) ('a' + i), ports[i], extra.toArray(String[]::new)));
            }
            NativeClient a = new NativeClient(nodes.get(0).port(), KEY);
            await().atMost(Duration.ofSeconds(60)).until(() -> a.reachableMembers() == NODES);
            List<String> small = store(a, "small-", SMALL, 300);
            List<String> large = store(a, "large-", LARGE, 40);
            read(a, small, large, 5); // warm-up
            List<Double> smallShares = new ArrayList<>();
            List<Double> largeShares = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                Stretch[] steady = read(a, small, large, 6);
                NodeProcess hung = nodes.get(NODES - 1);
                hung.pause();
                long paused = System.nanoTime();
                AtomicLong lostAfter = new AtomicLong(-1);
                Thread watch = new Thread(() -> {
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> a.reachableMembers() == NODES - 1);
                    lostAfter.set((System.nanoTime() - paused) / 1_000_000);
                });
                watch.start();
                Stretch[] during = read(a, small, large, 6);
                watch.join();
                hung.resume();
                await().atMost(Duration.ofSeconds(30)).until(() -> a.reachableMembers() == NODES);
                smallShares.add(during[0].firstSecondAgainst(steady[0]));
                largeShares.add(during[1].firstSecondAgainst(steady[1]));
                System.out.printf("run %d: steady 4 KiB %s%n       steady 1 MiB %s%n       node-e hung, 4 KiB %s%n"
                                + "       node-e hung, 1 MiB %s%n       node-a lost node-e after %d ms; first second after the"
                                + " SIGSTOP at %.2fx (4 KiB) and %.2fx (1 MiB) the steady median%n",
                        r, steady[0].describe(), steady[1].describe(), during[0].describe(), during[1].describe(),
                        lostAfter.get(), smallShares.get(r), largeShares.get(r));
            }
            System.out.printf("MEDIAN first second after a replica hangs, against the steady GET rate (%d runs): 4 KiB %.2fx,"
                    + " 1 MiB %.2fx%n", runs, median(smallShares), median(largeShares));
        } finally {
            for (NodeProcess n : nodes) {
                if (n.process().isAlive()) {
                    n.resume();
                }
                n.close();
            }
        }
    }

    private static List<String> store(NativeClient client, String prefix, int size, int count) throws Exception {
        List<String> queries = new ArrayList<>();
        byte[] body = new byte[size];
        for (int i = 0; i < count; i++) {
            new Random(i).nextBytes(body);
            HttpResponse<String> stored = client.store(prefix + i, body);
            assertEquals(200, stored.statusCode(), stored.body());
            queries.add(stored.body());
        }
        return queries;
    }

    /** 16 clients reading {@code small} objects and 4 reading {@code large} ones through {@code client}, at once. */
    private static Stretch[] read(NativeClient client, List<String> small, List<String> large, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            CompletableFuture<Stretch> smalls = CompletableFuture.supplyAsync(() -> read(pool, client, small, SMALL, 16, end, seconds));
            CompletableFuture<Stretch> larges = CompletableFuture.supplyAsync(() -> read(pool, client, large, LARGE, 4, end, seconds));
            return new Stretch[]{smalls.get(), larges.get()};
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code clients} threads of {@code pool} GET random objects of {@code queries} through {@code client} until {@code end}. */
    private static Stretch read(ExecutorService pool, NativeClient client, List<String> queries, int size, int clients, long end,
                                int seconds) {
        long start = end - seconds * 1_000_000_000L;
        AtomicLongArray perSecond = new AtomicLongArray(seconds);
        AtomicLong errors = new AtomicLong();
        List<Future<long[]>> fs = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            Random random = new Random(t);
            fs.add(pool.submit(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                for (long s = System.nanoTime(); s < end && n < mine.length; s = System.nanoTime()) {
                    HttpResponse<byte[]> r = client.send(client.get("retrieve", queries.get(random.nextInt(queries.size())))
                            .timeout(Duration.ofSeconds(60)), HttpResponse.BodyHandlers.ofByteArray());
                    long done = System.nanoTime();
                    if (r.statusCode() != 200 || r.body().length != size) {
                        errors.incrementAndGet();
                    }
                    mine[n++] = done - s;
                    int second = (int) ((done - start) / 1_000_000_000L);
                    if (second < seconds) {
                        perSecond.incrementAndGet(second);
                    }
                }
                return Arrays.copyOf(mine, n);
            }));
        }
        List<long[]> latencies = new ArrayList<>();
        try {
            for (Future<long[]> f : fs) {
                latencies.add(f.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        long[] rates = new long[seconds];
        for (int i = 0; i < seconds; i++) {
            rates[i] = perSecond.get(i);
        }
        return new Stretch(rates, latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray(), errors.get());
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v[v.length / 2];
    }
}
