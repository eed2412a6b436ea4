package io.hifadhi.node.replication;

import io.hifadhi.node.testing.Digests;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A 2 GiB object through a three-node cluster of separate JVMs (N=3, W=2, R=2, 4 MiB chunks,
 * fsync on), each node with a small heap: upload through node-a, download through node-b,
 * SHA-256 checked. Heap in use is sampled from each node's /metrics every 50 ms; the maximum
 * sample is the high-water mark printed. Not part of the default run:
 * <pre>
 * cd /work/main && mvn -B -q -pl api,node test -Dtest=ClusterMemoryBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Optional: -Dbench.heap=-Xmx128m -Dbench.gib=2
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class ClusterMemoryBenchmark {
    private static final String KEY = "memory-cluster-shard-key-0123456789";

    @TempDir
    Path dir;

    @Test
    void twoGibibytesThroughThreeNodesWithSmallHeaps() throws Exception {
        String heap = System.getProperty("bench.heap", "-Xmx128m");
        long size = Long.getLong("bench.gib", 2) << 30;
        Path logs = Path.of("target", "cluster-memory-logs");
        Files.createDirectories(logs);
        for (int i = 0; i < 3; i++) {
            Files.deleteIfExists(logs.resolve("n" + i + ".log"));
        }
        int[] ports = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
        List<NodeProcess> nodes = new ArrayList<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int i = 0; i < 3; i++) {
                List<String> extra = new ArrayList<>(List.of("--replication", "3", "--write-quorum", "2", "--read-quorum", "2"));
                if (i > 0) {
                    extra.addAll(List.of("--join", "127.0.0.1:" + ports[0]));
                }
                nodes.add(NodeProcess.start(dir.resolve("n" + i), KEY, heap, logs.resolve("n" + i + ".log"),
                        "node-" + (char) ('a' + i), ports[i], extra.toArray(String[]::new)));
            }
            NativeClient a = new NativeClient(nodes.get(0).port(), KEY);
            NativeClient b = new NativeClient(nodes.get(1).port(), KEY);
            // Wait until node-a sees three reachable members.
            for (int tries = 0; tries < 200; tries++) {
                String cluster = a.send(a.get("cluster", "").uri(java.net.URI.create(a.base() + "/api/v1/cluster")),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (cluster.split("\"reachable\":true", -1).length - 1 == 3) {
                    break;
                }
                Thread.sleep(100);
            }
            AtomicLongArray peak = new AtomicLongArray(3);
            List<NativeClient> clients = List.of(a, b, new NativeClient(nodes.get(2).port(), KEY));
            sampler.scheduleAtFixedRate(() -> {
                for (int i = 0; i < 3; i++) {
                    try {
                        String m = clients.get(i).getText("/metrics").body();
                        long used = Arrays.stream(m.split("\n")).filter(l -> l.startsWith("jvm_memory_heap_used_bytes "))
                                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
                        peak.accumulateAndGet(i, used, Math::max);
                    } catch (Exception e) {
                        // a missed sample
                    }
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            long t0 = System.nanoTime();
            HttpResponse<String> stored = a.storeSeeded("two-gib.bin", 7, size);
            double up = (System.nanoTime() - t0) / 1e9;
            assertEquals(200, stored.statusCode(), stored.body());
            long t1 = System.nanoTime();
            HttpResponse<InputStream> got = b.send(b.get("retrieve", stored.body()), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, got.statusCode());
            String sha;
            try (InputStream in = got.body()) {
                sha = Digests.sha256(in);
            }
            double down = (System.nanoTime() - t1) / 1e9;
            assertEquals(Digests.seededSha256(7, size), sha);
            sampler.shutdownNow();
            System.out.printf("MEMORY %d MiB through 3 nodes (%s each): upload via node-a %.1f s (%.0f MiB/s), download via node-b %.1f s (%.0f MiB/s);"
                            + " heap high-water (sampled every 50 ms): node-a %d MiB, node-b %d MiB, node-c %d MiB%n",
                    size >> 20, heap, up, (size >> 20) / up, down, (size >> 20) / down,
                    peak.get(0) >> 20, peak.get(1) >> 20, peak.get(2) >> 20);
            for (int i = 0; i < 3; i++) {
                assertFalse(Files.readString(logs.resolve("n" + i + ".log")).contains("OutOfMemoryError"));
            }
        } finally {
            sampler.shutdownNow();
            for (NodeProcess n : nodes) {
                n.close();
            }
        }
    }
}
