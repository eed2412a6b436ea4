package io.hifadhi.node.replication;

import io.hifadhi.node.storage.NodeDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;
import io.hifadhi.ring.KeyHash;
import io.hifadhi.ring.Member;
import io.hifadhi.ring.Ring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that missed writes while it was down, and whose hints were lost (every node that could hold them
 * killed and its hint store wiped), holds every record and chunk it should within 60 s of returning, by
 * anti-entropy alone: no read touches the data before the check (locate only asks what each node holds).
 * Five node processes, -Xmx256m each, N=3, W=2, R=2, 256 KiB chunks.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@EnabledIfSystemProperty(named = "hifadhi.drill", matches = "full",
        disabledReason = "ten node-process starts: -Pchaos only; AntiEntropyClusterTest has the short version")
class AntiEntropyRecoveryTest {
    static final String KEY = "anti-entropy-test-shard-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NODES = 5;
    private static final int CHUNK = 256 * 1024;

    @TempDir
    Path dir;

    @Test
    void aReturningNodeWhoseHintsWereLostCatchesUpByAntiEntropyAlone() throws Exception {
        FiveNodes cluster = new FiveNodes(dir);
        try {
            cluster.startAll();
            NativeClient a = cluster.client(0);
            cluster.nodes[4].kill9();
            await().atMost(Duration.ofSeconds(120)).until(() -> a.reachableMembers() == NODES - 1);

            List<String> ids = new ArrayList<>();
            List<byte[]> bodies = new ArrayList<>();
            Random random = new Random(13);
            for (int i = 0; i < 30; i++) {
                byte[] body = new byte[i % 3 == 0 ? 2 * CHUNK + 1000 : 2000];
                random.nextBytes(body);
                HttpResponse<String> stored = cluster.client(i % 4).store("missed-" + i + ".bin", body);
                assertEquals(200, stored.statusCode(), stored.body());
                ids.add(stored.body());
                bodies.add(body);
            }
            long hints = 0;
            for (int i = 0; i < 4; i++) {
                hints += metric(cluster.client(i), "hifadhi_pending_hints");
            }
            assertTrue(hints > 0, "the writes left hints for node-e");

            cluster.restartFourWithoutHints();
            cluster.start(4);
            cluster.awaitAllUp(NODES);
            long back = System.nanoTime();

            Ring ring = cluster.ring();
            Path chunksOfE = dir.resolve("n4").resolve("chunks");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                for (String id : ids) {
                    JsonNode where = locate(cluster.client(0), id);
                    if (names(where.get("replicas")).contains("node-e")) {
                        assertTrue(names(where.get("record_holders")).contains("node-e"), "record on node-e: " + where);
                    }
                    for (JsonNode chunk : where.get("chunks")) {
                        String chunkId = chunk.get("id").asText();
                        List<String> holders = ring.preferenceList(KeyHash.ofChunk(HexFormat.of().parseHex(chunkId)), 3)
                                .replicas().stream().map(Member::id).toList();
                        if (holders.contains("node-e")) {
                            Path file = chunksOfE.resolve(chunkId.substring(0, 2)).resolve(chunkId.substring(2, 4)).resolve(chunkId);
                            assertTrue(Files.exists(file) && Files.size(file) == chunk.get("size").asLong(), "chunk " + chunkId + " on node-e");
                        }
                    }
                }
            });
            System.out.printf("node-e held every record and chunk it should %.1f s after it answered its health check%n",
                    (System.nanoTime() - back) / 1e9);
            NativeClient e = cluster.client(4);
            for (int i = 0; i < ids.size(); i++) {
                assertArrayEquals(bodies.get(i), e.retrieve(ids.get(i)).body());
            }
        } finally {
            cluster.close();
        }
    }

    /** Five node processes on fixed cluster ports, so they can be killed and started again on the same data. */
    static final class FiveNodes implements AutoCloseable {
        final Path dir;
        final int[] ports = new int[NODES];
        final NodeProcess[] nodes = new NodeProcess[NODES];

        FiveNodes(Path dir) throws Exception {
            this.dir = dir;
            for (int i = 0; i < NODES; i++) {
                ports[i] = NodeProcess.freePort();
            }
        }

        void startAll() throws Exception {
            for (int i = 0; i < NODES; i++) {
                start(i);
            }
            awaitAllUp(NODES);
        }

        /**
         * Waits until the first {@code count} nodes are all reachable. A node whose join handshake timed out (it exits
         * 15 s after it started when no seed answered: seen on this shared machine under a load of 50+) is started
         * again: that is membership's business, not what these tests are about.
         */
        void awaitAllUp(int count) throws Exception {
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                for (int i = 0; i < count; i++) {
                    if (!nodes[i].process().isAlive()) {
                        System.out.println("node-" + (char) ('a' + i) + " exited (" + nodes[i].process().exitValue() + "); starting it again");
                        start(i);
                    }
                }
                return client(0).reachableMembers() == count;
            });
        }

        /**
         * Every node that may hold a hint for node-e is killed and loses its hint store; two at a time, so the other
         * two stay up as seeds (a cluster restarted all at once has nobody to rejoin).
         */
        void restartFourWithoutHints() throws Exception {
            for (int[] pair : new int[][]{{0, 1}, {2, 3}}) {
                for (int i : pair) {
                    nodes[i].kill9();
                    loseHints(dir.resolve("n" + i));
                }
                startTogether(pair);
                awaitAllUp(4);
            }
        }

        /** Starts nodes in parallel (a JVM start takes long on a loaded machine); seeds are the nodes running before. */
        void startTogether(int... indexes) throws Exception {
            List<String> seeds = new ArrayList<>();
            for (int j = 0; j < NODES; j++) {
                if (nodes[j] != null && nodes[j].process().isAlive()) {
                    seeds.add("127.0.0.1:" + ports[j]);
                }
            }
            java.util.concurrent.ExecutorService starter = java.util.concurrent.Executors.newFixedThreadPool(indexes.length);
            try {
                List<java.util.concurrent.Future<NodeProcess>> started = new ArrayList<>();
                for (int i : indexes) {
                    started.add(starter.submit(() -> launch(i, seeds)));
                }
                for (int k = 0; k < indexes.length; k++) {
                    nodes[indexes[k]] = started.get(k).get();
                }
            } finally {
                starter.shutdownNow();
            }
        }

        void start(int i) throws Exception {
            startTogether(i);
        }

        private NodeProcess launch(int i, List<String> seeds) throws Exception {
            List<String> extra = new ArrayList<>(List.of("--chunk-size", "256KiB", "--capacity", "10GiB"));
            // Seeds: the nodes running now (a node restarted alone finds the others through its remembered peers).
            for (String seed : seeds) {
                if (!seed.endsWith(":" + ports[i])) {
                    extra.addAll(List.of("--join", seed));
                }
            }
            return NodeProcess.start(dir.resolve("n" + i), KEY, "-Xmx256m", dir.resolve("n" + i + ".log"),
                    "node-" + (char) ('a' + i), ports[i], extra.toArray(String[]::new));
        }

        NativeClient client(int i) {
            return new NativeClient(nodes[i].port(), KEY);
        }

        /** The ring every node computes (same members, zones and declared capacities). */
        Ring ring() throws Exception {
            List<Member> members = new ArrayList<>();
            for (JsonNode m : cluster(client(0)).get("members")) {
                String zone = m.get("zone") == null || m.get("zone").isNull() ? "" : m.get("zone").asText();
                members.add(new Member(m.get("id").asText(), zone, Math.max(1, m.get("capacity_bytes").asLong())));
            }
            return Ring.of(members);
        }

        @Override
        public void close() throws Exception {
            for (NodeProcess n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
        }
    }

    static JsonNode cluster(NativeClient client) throws Exception {
        HttpResponse<String> r = client.http().send(HttpRequest.newBuilder(URI.create(client.base() + "/api/v1/cluster"))
                .header("SHARD-KEY", KEY).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    static JsonNode locate(NativeClient client, String id) throws Exception {
        return JSON.readTree(client.send(client.get("locate", id), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** A gauge or counter from /metrics (0 when absent). */
    static long metric(NativeClient client, String name) throws Exception {
        HttpResponse<String> r = client.http().send(HttpRequest.newBuilder(URI.create(client.base() + "/metrics"))
                .header("SHARD-KEY", KEY).build(), HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return 0;
    }

    static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A stopped node's disk loses every hint it kept (they live in its node database's hints family). */
    static void loseHints(Path dataDir) throws Exception {
        try (NodeDatabase database = NodeDatabase.open(dataDir.resolve("db"), true)) {
            HintStore hints = new HintStore(database);
            for (String target : hints.targets()) {
                hints.dropFor(target);
            }
            assertEquals(0, hints.count());
        }
    }
}
