package io.hifadhi.node.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Small GETs while a replica hangs: five node processes (N=3, R=2), 300 objects of 4 KiB, 16 clients reading through
 * node-a. Each run reads for a steady stretch, then SIGSTOPs node-e and reads on: until the failure detector loses it
 * (1.5-2 s here), the reads whose replicas include node-e reach it and get no answer. Prints GETs per second, p99 and
 * the slowest GET of each stretch, the first second after the SIGSTOP against the steady seconds, and how long node-a
 * took to lose node-e. Not part of the default test run:
 * <pre>
 * mvn -B -q -pl node -am test -Dtest=HungReplicaReadBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Optional: -Dbench.runs=3
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class HungReplicaReadBenchmark {
    private static final String KEY = "hung-replica-read-benchmark-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NODES = 5;
    private static final int CLIENTS = 16;

    @TempDir
    Path dir;

    /** One stretch of reading: GETs finished in each second, and every GET's latency (ns, sorted). */
    record Stretch(long[] perSecond, long[] latencies, long errors) {
        String describe() {
            return String.format("%d GETs/s (seconds: %s), p99 %.0f ms, slowest %.0f ms, %d errors",
                    (long) Arrays.stream(perSecond).average().orElse(0), Arrays.toString(perSecond),
                    latencies[(int) (latencies.length * 0.99)] / 1e6, latencies[latencies.length - 1] / 1e6, errors);
        }
    }

    @Test
    void smallGetsWhileAReplicaHangs() throws Exception {
        int runs = Integer.getInteger("bench.runs", 3);
        int[] ports = new int[NODES];
        for (int i = 0; i < NODES; i++) {
            ports[i] = NodeProcess.freePort();
        }
        List<NodeProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < NODES; i++) {
                List<String> extra = i == 0 ? List.of() : List.of("--join", "127.0.0.1:" + ports[0]);
                nodes.add(NodeProcess.start(dir.resolve("n" + i), KEY, "-Xmx256m", dir.resolve("n" + i + ".log"),
                        "node-" + (char) ('a' + i), ports[i], extra.toArray(String[]::new)));
            }
            NativeClient a = new NativeClient(nodes.get(0).port(), KEY);
            await().atMost(Duration.ofSeconds(60)).until(() -> reachable(a) == NODES);
            List<String> queries = new ArrayList<>();
            byte[] body = new byte[4096];
            for (int i = 0; i < 300; i++) {
                new Random(i).nextBytes(body);
                HttpResponse<String> stored = a.store("small-" + i, body);
                assertEquals(200, stored.statusCode(), stored.body());
                queries.add(stored.body());
            }
            read(a, queries, 5); // warm-up
            List<Double> firstSecondShare = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                Stretch steady = read(a, queries, 6);
                NodeProcess hung = nodes.get(NODES - 1);
                hung.pause();
                long paused = System.nanoTime();
                AtomicLong lostAfter = new AtomicLong(-1);
                Thread watch = new Thread(() -> {
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> reachable(a) == NODES - 1);
                    lostAfter.set((System.nanoTime() - paused) / 1_000_000);
                });
                watch.start();
                Stretch during = read(a, queries, 6);
                watch.join();
                hung.resume();
                await().atMost(Duration.ofSeconds(30)).until(() -> reachable(a) == NODES);
                double steadyRate = Arrays.stream(steady.perSecond()).sorted().toArray()[steady.perSecond().length / 2];
                double share = during.perSecond()[0] / steadyRate;
                firstSecondShare.add(share);
                System.out.printf("run %d: steady %s%n       node-e hung: %s; node-a lost it after %d ms;"
                                + " first second after the SIGSTOP at %.2fx the steady median%n",
                        r, steady.describe(), during.describe(), lostAfter.get(), share);
            }
            double[] s = firstSecondShare.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("MEDIAN first second after a replica hangs: %.2fx the steady GET rate (%d runs)%n", s[s.length / 2], runs);
        } finally {
            for (NodeProcess n : nodes) {
                if (n.process().isAlive()) {
                    n.resume();
                }
                n.close();
            }
        }
    }

    /** {@code CLIENTS} threads GET random objects through {@code client} for {@code seconds}. */
    private static Stretch read(NativeClient client, List<String> queries, int seconds) throws Exception {
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        AtomicLongArray perSecond = new AtomicLongArray(seconds);
        List<long[]> latencies = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<long[]>> fs = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                Random random = new Random(t);
                fs.add(pool.submit(() -> {
                    long[] mine = new long[1 << 16];
                    int n = 0;
                    for (long s = System.nanoTime(); s < end && n < mine.length; s = System.nanoTime()) {
                        HttpResponse<byte[]> r = client.send(client.get("retrieve", queries.get(random.nextInt(queries.size())))
                                .timeout(Duration.ofSeconds(10)), HttpResponse.BodyHandlers.ofByteArray());
                        long done = System.nanoTime();
                        if (r.statusCode() != 200 || r.body().length != 4096) {
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
            for (Future<long[]> f : fs) {
                latencies.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long[] rates = new long[seconds];
        for (int i = 0; i < seconds; i++) {
            rates[i] = perSecond.get(i);
        }
        return new Stretch(rates, all, errors.get());
    }

    private static long reachable(NativeClient client) throws Exception {
        HttpResponse<String> r = client.http().send(HttpRequest.newBuilder(URI.create(client.base() + "/api/v1/cluster"))
                .header("SHARD-KEY", KEY).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        long n = 0;
        for (JsonNode m : JSON.readTree(r.body()).get("members")) {
            n += m.get("reachable").asBoolean() ? 1 : 0;
        }
        return n;
    }
}
