package io.hifadhi.node.replication;

import io.hifadhi.node.storage.NodeDatabase;
import io.hifadhi.api.nativeapi.ObjectLocator.ObjectLocation;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.ring.KeyHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Anti-entropy repairs, without any read touching the data (only {@code locate}, which asks replicas what they
 * hold and repairs nothing): chunk files deleted on a replica's disk come back, and a record that only one
 * replica holds, or holds newer than the others (chaos README bug #2), reaches every replica. Three nodes in
 * this JVM, N=3, W=2, R=2.
 */
class AntiEntropyClusterTest {
    private static final int CHUNK = 64 * 1024;
    private static final Duration REPAIR = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void deletedChunkFilesAndRecordsLeftOnOneReplicaAreRepairedWithoutReads() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 3, 2, 2, CHUNK).startAll()) {
            byte[] body = new byte[3 * CHUNK + 5];
            new Random(1).nextBytes(body);
            cluster.node(0).store().put(new ObjectWrite("b", "chunked", null, null), new ByteArrayInputStream(body));
            cluster.node(0).store().put(new ObjectWrite("b", "shared", null, null),
                    new ByteArrayInputStream("first".getBytes(StandardCharsets.UTF_8)));
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(1).replicatedStore().locate("b", "chunked")
                    .orElseThrow().chunks().stream().allMatch(c -> c.holders().size() == 3));

            // Chunk files deleted on node-c's disk: its chunk keeper notices and fetches them from a replica.
            ObjectLocation where = cluster.node(1).replicatedStore().locate("b", "chunked").orElseThrow();
            List<Path> deleted = List.of(chunkFile(cluster, 2, where.chunks().get(0).id()), chunkFile(cluster, 2, where.chunks().get(2).id()));
            for (Path f : deleted) {
                Files.delete(f);
            }
            await().atMost(REPAIR).pollInterval(Duration.ofMillis(250)).until(() -> deleted.stream().allMatch(Files::exists));
            assertArrayEquals(Arrays.copyOfRange(body, 0, CHUNK), Files.readAllBytes(deleted.get(0)));
            assertArrayEquals(Arrays.copyOfRange(body, 2 * CHUNK, 3 * CHUNK), Files.readAllBytes(deleted.get(1)));

            // node-a, while stopped, gets a record nobody else has and a newer version of one they all have: on its return
            // anti-entropy pushes both (bug #2: a record left on one replica used to stay there).
            cluster.stop(0);
            cluster.awaitReachable(new int[]{1, 2}, new int[]{1, 2});
            VersionStamp newer = new VersionStamp(System.currentTimeMillis() + 1_000, 0, "node-a");
            try (NodeDatabase database = NodeDatabase.open(dir.resolve("node-a").resolve("db"), true)) {
                RecordStore records = new RecordStore(database, new RecordCodec());
                records.putAll(List.of(inline("lonely", "only on node-a", newer), inline("shared", "second", newer)));
            }
            assertFalse(cluster.node(1).replicatedStore().locate("b", "lonely").isPresent());
            cluster.start(0);
            await().atMost(REPAIR).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                ObjectLocation lonely = cluster.node(1).replicatedStore().locate("b", "lonely").orElseThrow();
                assertEquals(List.of("node-a", "node-b", "node-c"), lonely.recordHolders().stream().sorted().toList());
                ObjectLocation shared = cluster.node(2).replicatedStore().locate("b", "shared").orElseThrow();
                assertEquals(newer.toString(), shared.version());
                assertEquals(List.of("node-a", "node-b", "node-c"), shared.recordHolders().stream().sorted().toList());
            });
        }
    }

    /**
     * The short version of {@link AntiEntropyRecoveryTest} (which kills node processes and runs under -Pchaos):
     * five nodes in this JVM; node-e is away while objects are written, then every node that could hold a hint for
     * it is stopped and loses its hint store. On its return it must hold every record and chunk the ring gives it,
     * by anti-entropy alone (locate asks, and repairs nothing).
     */
    @Test
    void aReturningNodeWhoseHintsWereLostCatchesUpByAntiEntropyAlone() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 5, 3, 2, 2, CHUNK).startAll()) {
            cluster.stop(4);
            cluster.awaitReachable(new int[]{0, 1, 2, 3}, new int[]{0, 1, 2, 3});
            Random random = new Random(13);
            List<String> keys = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                byte[] body = new byte[i % 3 == 0 ? 2 * CHUNK + 1000 : 2000];
                random.nextBytes(body);
                String key = "missed-" + i;
                cluster.node(i % 4).store().put(new ObjectWrite("b", key, null, null), new ByteArrayInputStream(body));
                keys.add(key);
            }
            long hints = 0;
            for (int i = 0; i < 4; i++) {
                hints += cluster.node(i).pendingHints();
            }
            assertTrue(hints > 0, "the writes left hints for node-e");

            // Two at a time, so the other two stay up as seeds.
            for (int[] pair : new int[][]{{0, 1}, {2, 3}}) {
                for (int i : pair) {
                    Path dataDir = cluster.node(i).dataDir();
                    cluster.stop(i);
                    AntiEntropyRecoveryTest.loseHints(dataDir);
                }
                for (int i : pair) {
                    cluster.start(i);
                }
                cluster.awaitReachable(new int[]{0, 1, 2, 3}, new int[]{0, 1, 2, 3});
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(0, cluster.node(i).pendingHints(), "no hint survived on " + TestCluster.name(i));
            }
            cluster.start(4);
            cluster.awaitReachable(cluster.allIndexes(), cluster.allIndexes());

            Placement placement = cluster.node(0).replication().placement();
            Path chunksOfE = cluster.node(4).dataDir().resolve("chunks");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                for (String key : keys) {
                    ObjectLocation where = cluster.node(0).replicatedStore().locate("b", key).orElseThrow();
                    if (where.replicas().contains("node-e")) {
                        assertTrue(where.recordHolders().contains("node-e"), "record on node-e: " + where);
                    }
                    var view = placement.view();
                    for (var chunk : where.chunks()) {
                        List<String> owners = placement.walk(view, KeyHash.ofChunk(HexFormat.of().parseHex(chunk.id())))
                                .subList(0, placement.n(view));
                        if (owners.contains("node-e")) {
                            Path file = chunksOfE.resolve(chunk.id().substring(0, 2)).resolve(chunk.id().substring(2, 4)).resolve(chunk.id());
                            assertTrue(Files.exists(file) && Files.size(file) == chunk.size(), "chunk " + chunk.id() + " on node-e");
                        }
                    }
                }
            });
        }
    }

    static ObjectRecord inline(String key, String text, VersionStamp version) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        return new ObjectRecord("b", key, bytes.length, md5, "text/plain", Map.of(), version, false, bytes, List.of(), 0);
    }

    private static Path chunkFile(TestCluster cluster, int node, String id) {
        return cluster.node(node).dataDir().resolve("chunks").resolve(id.substring(0, 2)).resolve(id.substring(2, 4)).resolve(id);
    }
}
