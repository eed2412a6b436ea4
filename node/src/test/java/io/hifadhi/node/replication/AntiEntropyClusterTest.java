package io.hifadhi.node.replication;

import io.hifadhi.api.nativeapi.ObjectLocator.ObjectLocation;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.storage.RecordStore;
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
            try (RecordStore records = RecordStore.open(dir.resolve("node-a").resolve("records"), true, new RecordCodec())) {
                records.put(inline("lonely", "only on node-a", newer));
                records.put(inline("shared", "second", newer));
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

    private static ObjectRecord inline(String key, String text, VersionStamp version) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        return new ObjectRecord("b", key, bytes.length, md5, "text/plain", Map.of(), version, false, bytes, List.of(), 0);
    }

    private static Path chunkFile(TestCluster cluster, int node, String id) {
        return cluster.node(node).dataDir().resolve("chunks").resolve(id.substring(0, 2)).resolve(id.substring(2, 4)).resolve(id);
    }
}
