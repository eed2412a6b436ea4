package io.hifadhi.node.replication;

import com.fasterxml.jackson.databind.JsonNode;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.ring.KeyHash;
import io.hifadhi.ring.Member;
import io.hifadhi.ring.Ring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Figures for node/README.md: five node processes; node-e misses 10,000 small records (hints lost as in
 * {@link AntiEntropyRecoveryTest}); how long and how many anti-entropy bytes (all nodes, envelopes sent) until it
 * holds them; then the anti-entropy bytes per second per node while all replicas agree.
 * <pre>
 * mvn -B -o -pl node surefire:test -Dtest=AntiEntropyBenchmark -Dbench=true
 * </pre>
 * Optional: -Dbench.records=10000
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class AntiEntropyBenchmark {
    @TempDir
    Path dir;

    @Test
    void convergenceAfterMissedWritesAndTheCostOfAgreeing() throws Exception {
        int records = Integer.getInteger("bench.records", 10_000);
        AntiEntropyRecoveryTest.FiveNodes cluster = new AntiEntropyRecoveryTest.FiveNodes(dir);
        try {
            cluster.startAll();
            cluster.nodes[4].kill9();
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.client(0).reachableMembers() == 4);
            List<String> ids = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger next = new AtomicInteger();
            ExecutorService writers = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            long w0 = System.nanoTime();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(writers.submit(() -> {
                    NativeClient client = cluster.client(thread % 4);
                    Random random = new Random(thread);
                    byte[] body = new byte[200];
                    for (int i; (i = next.getAndIncrement()) < records; ) {
                        random.nextBytes(body);
                        HttpResponse<String> r = client.store("r-" + i, body);
                        assertEquals(200, r.statusCode(), r.body());
                        ids.add(r.body());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            writers.shutdown();
            System.out.printf("wrote %d records with node-e down in %.1f s%n", records, (System.nanoTime() - w0) / 1e9);

            cluster.restartFourWithoutHints();
            // Let the four agree among themselves (they do already) so the bytes below are node-e's catching up.
            Thread.sleep(6_000);
            long bytesBefore = sum(cluster, "hifadhi_anti_entropy_sent_bytes", 4);
            cluster.start(4);
            long t0 = System.nanoTime();

            Ring ring = cluster.ring();
            List<String> owed = new ArrayList<>();
            for (String id : ids) {
                String key = id.startsWith("/") ? id.substring(1) : id;
                List<String> replicas = ring.preferenceList(KeyHash.ofObject(".native", key), 3).replicas().stream().map(Member::id).toList();
                if (replicas.contains("node-e")) {
                    owed.add(id);
                }
            }
            long lastChange = t0;
            long lastRepaired = -1;
            long bytesAtChange = bytesBefore;
            while (System.nanoTime() - lastChange < 20e9 && System.nanoTime() - t0 < 600e9) {
                long repaired = sum(cluster, "hifadhi_anti_entropy_repaired_entries", 5);
                long bytes = sum(cluster, "hifadhi_anti_entropy_sent_bytes", 5);
                if (repaired != lastRepaired) {
                    lastRepaired = repaired;
                    lastChange = System.nanoTime();
                    bytesAtChange = bytes;
                }
                Thread.sleep(500);
            }
            double seconds = (lastChange - t0) / 1e9;
            System.out.printf("node-e owed %d of %d records; anti-entropy moved %d entries; converged %.1f s after node-e"
                    + " answered its health check, %d anti-entropy bytes sent by all nodes%n", owed.size(), records, lastRepaired, seconds,
                    bytesAtChange - bytesBefore);
            Collections.shuffle(owed, new Random(1));
            for (String id : owed.subList(0, Math.min(300, owed.size()))) {
                JsonNode where = AntiEntropyRecoveryTest.locate(cluster.client(0), id);
                assertTrue(AntiEntropyRecoveryTest.names(where.get("record_holders")).contains("node-e"), where.toString());
            }

            long quiet0 = sum(cluster, "hifadhi_anti_entropy_sent_bytes", 5);
            long q0 = System.nanoTime();
            Thread.sleep(60_000);
            long quiet = sum(cluster, "hifadhi_anti_entropy_sent_bytes", 5) - quiet0;
            double perNode = quiet / ((System.nanoTime() - q0) / 1e9) / 5;
            System.out.printf("replicas agreeing (%d records): %.0f anti-entropy bytes/s per node (5 nodes, 60 s)%n", records, perNode);
        } finally {
            cluster.close();
        }
    }

    private static long sum(AntiEntropyRecoveryTest.FiveNodes cluster, String metric, int nodes) throws Exception {
        long total = 0;
        for (int i = 0; i < nodes; i++) {
            total += AntiEntropyRecoveryTest.metric(cluster.client(i), metric);
        }
        return total;
    }
}
