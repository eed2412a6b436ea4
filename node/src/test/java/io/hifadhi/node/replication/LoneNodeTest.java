package io.hifadhi.node.replication;

import io.hifadhi.api.nativeapi.ObjectLocator.ChunkLocation;
import io.hifadhi.api.nativeapi.ObjectLocator.ObjectLocation;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.StagedBody;
import io.hifadhi.api.store.StoredObject;
import io.hifadhi.node.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lone node is a cluster of one: its writes and reads go through the same placement as a cluster's (N=W=R=1 over
 * a ring of one member), so its records and chunk inventory are a replica's, and a node that joins it later receives
 * them by the ordinary transfer path (anti-entropy and hand-over), not by any special case.
 */
class LoneNodeTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;

    @Test
    void aLoneNodeStoresThroughItsOneMemberPlacementAndANodeJoiningLaterReceivesEverything() throws Exception {
        Random random = new Random(13);
        byte[] small = bytes(random, 1000);
        byte[] large = bytes(random, 3 * CHUNK + 17);
        byte[] stagedAlone = bytes(random, 2 * CHUNK + 5);
        // N=2, W=R=1: capped to 1/1/1 while node-a is alone; with node-b both nodes hold everything.
        try (TestCluster cluster = new TestCluster(dir, 2, 2, 1, 1, CHUNK)) {
            Node a = cluster.start(0);
            cluster.awaitLayoutSettled();
            // What the status says a node holds is what a leaving node waits on before it exits.
            assertFalse(a.transferStatus().holdsData());
            assertFalse(a.transferStatus().holdsHints());
            ReplicatedObjectStore store = a.replicatedStore();
            put(store, "small", small);
            assertTrue(a.transferStatus().holdsData());
            put(store, "large", large);
            put(store, "deleted", bytes(random, CHUNK + 1));
            assertTrue(store.delete("b", "deleted"));

            // Through the placement: the record holders and each chunk's holders are the ring's one member by name,
            // and the chunks are in its chunk inventory (a chunk read counts as one from a replica's own disk).
            ObjectLocation where = store.locate("b", "large").orElseThrow();
            assertEquals(List.of("node-a"), where.recordHolders());
            assertEquals(List.of("node-a"), where.replicas());
            assertEquals(4, where.chunks().size());
            for (ChunkLocation chunk : where.chunks()) {
                assertEquals(List.of("node-a"), chunk.holders(), "chunk " + chunk.index());
            }
            long readBefore = a.replication().chunkReadBytes();
            assertArrayEquals(large, read(store, "large"));
            assertTrue(a.replication().chunkReadBytes() >= readBefore + large.length, "chunks served from the replica's own files");
            assertEquals("node-a", store.record("b", "large").orElseThrow().version().nodeId());
            assertFalse(store.get("b", "deleted").isPresent());

            // Staged while alone, committed once a second node is in the cluster: the record goes to both owners, and
            // the chunks that only node-a held reach node-b by repair.
            StagedBody staged = store.stage(new ByteArrayInputStream(stagedAlone));

            cluster.start(1);
            cluster.awaitReachable(cluster.allIndexes(), cluster.allIndexes());
            cluster.awaitLayoutSettled();
            store.commit(new ObjectWrite("b", "staged-alone", null, Map.of()), staged);

            // Everything node-a stored alone is now on node-b too, the tombstone included.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                for (String key : List.of("small", "large", "staged-alone")) {
                    ObjectLocation at = cluster.node(1).replicatedStore().locate("b", key).orElseThrow();
                    assertEquals(List.of("node-a", "node-b"), at.recordHolders().stream().sorted().toList(), key);
                    for (ChunkLocation chunk : at.chunks()) {
                        assertEquals(List.of("node-a", "node-b"), chunk.holders().stream().sorted().toList(),
                                key + " chunk " + chunk.index());
                    }
                }
            });
        }
        // node-b alone on its data (node-a gone for good) serves what node-a wrote before node-b existed.
        try (TestCluster later = new TestCluster(dir, 2, 2, 1, 1, CHUNK)) {
            Node b = later.start(1);
            ReplicatedObjectStore store = b.replicatedStore();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> store.unavailableReason().isEmpty());
            assertArrayEquals(small, read(store, "small"));
            assertArrayEquals(large, read(store, "large"));
            assertArrayEquals(stagedAlone, read(store, "staged-alone"));
            assertFalse(store.get("b", "deleted").isPresent(), "the delete made while alone reached node-b too");
        }
    }

    private static void put(ReplicatedObjectStore store, String key, byte[] body) throws IOException {
        store.put(new ObjectWrite("b", key, null, Map.of()), new ByteArrayInputStream(body));
    }

    private static byte[] read(ReplicatedObjectStore store, String key) throws IOException {
        StoredObject o = store.get("b", key).orElseThrow();
        try (InputStream in = o.open(0, o.info().size())) {
            return in.readAllBytes();
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
