package io.hifadhi.node.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.api.store.ListPage;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.StoredObject;
import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.node.testing.NativeClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real nodes in this JVM (real sockets, disks, RocksDB, Atomix), N=3, W=2, 64 KiB chunks so
 * that small bodies span several chunks.
 */
class ReplicationClusterTest {
    private static final int CHUNK = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void writtenThroughOneNodeReadableThroughEveryNodeAndLocatable() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 3, 2, 2, CHUNK).startAll()) {
            byte[] big = random(1, 5 * CHUNK + 1234);          // six chunks
            byte[] small = random(2, 1000);                      // inline in its record
            HttpResponse<String> stored = cluster.client(0).store("big.bin", big);
            assertEquals(200, stored.statusCode(), stored.body());
            String bigQuery = stored.body();
            String smallQuery = cluster.client(0).store("small.bin", small).body();
            for (int i = 0; i < 3; i++) {
                NativeClient c = cluster.client(i);
                HttpResponse<byte[]> got = c.retrieve(bigQuery);
                assertEquals(200, got.statusCode(), "via " + TestCluster.name(i));
                assertArrayEquals(big, got.body(), "via " + TestCluster.name(i));
                assertArrayEquals(small, c.retrieve(smallQuery).body());
                // A range across a chunk boundary fetches only the chunks it needs.
                HttpResponse<byte[]> range = c.retrieve(bigQuery, "Range", "bytes=" + (CHUNK - 10) + "-" + (2 * CHUNK + 9));
                assertEquals(206, range.statusCode());
                assertArrayEquals(java.util.Arrays.copyOfRange(big, CHUNK - 10, 2 * CHUNK + 10), range.body());
            }
            // Every node holds the record and every chunk (N = 3 of 3).
            JsonNode where = JSON.readTree(cluster.client(2).send(cluster.client(2).get("locate", bigQuery),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(Set.of("node-a", "node-b", "node-c"), names(where.get("record_holders")));
            assertEquals(6, where.get("chunks").size());
            for (JsonNode chunk : where.get("chunks")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> true);
                assertEquals(3, chunk.get("holders").size(), chunk.toString());
            }
            HttpResponse<String> anonymous = cluster.client(1).http().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(cluster.client(1).base() + "/api/v1/locate/" + NativeClient.encode(bigQuery))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, anonymous.statusCode());
            // Listing through any node merges every node's records.
            for (int i = 0; i < 3; i++) {
                ListPage page = cluster.node(i).store().list(".native", "", null, 10);
                assertEquals(List.of(bigQuery, smallQuery), page.objects().stream().map(ObjectInfo::key).toList());
            }
            // Delete through C: gone everywhere.
            assertTrue(cluster.node(2).store().delete(".native", bigQuery));
            for (int i = 0; i < 3; i++) {
                assertEquals(404, cluster.client(i).retrieve(bigQuery).statusCode());
                assertEquals(List.of(smallQuery), cluster.node(i).store().list(".native", "", null, 10)
                        .objects().stream().map(ObjectInfo::key).toList());
            }
        }
    }

    @Test
    void listingPaginatesAcrossTheClusterWithMarkers() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 2, 1, 1, CHUNK).startAll()) {
            // N=2 of 3: each node holds only part of the keys, so a page must merge all nodes.
            TreeSet<String> keys = new TreeSet<>();
            for (int i = 0; i < 40; i++) {
                String key = String.format("k/%03d", i);
                keys.add(key);
                cluster.node(i % 3).store().put(new ObjectWrite("bucket", key, null, null), new ByteArrayInputStream(new byte[]{(byte) i}));
            }
            cluster.node(1).store().delete("bucket", "k/007");
            keys.remove("k/007");
            List<String> seen = new ArrayList<>();
            String marker = null;
            for (int pages = 0; pages < 20; pages++) {
                ListPage page = cluster.node(pages % 3).store().list("bucket", "k/", marker, 7);
                page.objects().forEach(o -> seen.add(o.key()));
                if (!page.truncated()) {
                    break;
                }
                marker = page.objects().get(page.objects().size() - 1).key();
            }
            assertEquals(new ArrayList<>(keys), seen);
        }
    }

    @Test
    void oneReplicaDownThenBackReceivesItsHints() throws Exception {
        // R=1 throughout, so the returning node can later prove alone what it received.
        try (TestCluster cluster = new TestCluster(dir, 3, 3, 2, 1, CHUNK).startAll()) {
            cluster.stop(2);
            cluster.awaitReachable(new int[]{0, 1}, new int[]{0, 1});
            byte[] body = random(3, 3 * CHUNK + 77);
            HttpResponse<String> stored = cluster.client(0).store("while-c-was-down.bin", body);
            assertEquals(200, stored.statusCode(), stored.body());
            String query = stored.body();
            assertArrayEquals(body, cluster.client(1).retrieve(query).body());
            assertTrue(cluster.node(0).pendingHints() > 0, "the coordinator keeps hints for node-c");

            cluster.start(2);
            cluster.awaitReachable(cluster.allIndexes(), cluster.allIndexes());
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node(0).pendingHints() == 0);

            cluster.stop(0);
            cluster.stop(1);
            HttpResponse<byte[]> alone = cluster.client(2).retrieve(query);
            assertEquals(200, alone.statusCode());
            assertArrayEquals(body, alone.body(), "node-c serves the hinted object from its own disk");
        }
    }

    @Test
    void twoOfThreeDownWritesReadsAndListingsFailWith503AndNothingIsHalfVisible() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 3, 2, 2, CHUNK).startAll()) {
            byte[] before = random(4, 2 * CHUNK + 5);
            String kept = cluster.client(0).store("kept.bin", before).body();

            cluster.stop(2);
            cluster.awaitReachable(new int[]{0, 1}, new int[]{0, 1});
            byte[] oneDown = random(5, 2 * CHUNK + 9);
            HttpResponse<String> ok = cluster.client(1).store("one-down.bin", oneDown);
            assertEquals(200, ok.statusCode(), "one of three down: writes still succeed");
            assertArrayEquals(oneDown, cluster.client(0).retrieve(ok.body()).body());
            assertArrayEquals(before, cluster.client(1).retrieve(kept).body());

            cluster.stop(1);
            cluster.awaitReachable(new int[]{0}, new int[]{0});
            HttpResponse<String> refused = cluster.client(0).store("refused.bin", random(6, 3 * CHUNK));
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("write quorum"), refused.body());
            HttpResponse<String> refusedSmall = cluster.client(0).store("refused-small.bin", random(7, 100));
            assertEquals(503, refusedSmall.statusCode(), refusedSmall.body());
            assertEquals(503, cluster.client(0).retrieve(kept).statusCode(), "R=2 cannot be met by one node");
            // Nor a listing: one node's own records are not the bucket's contents.
            StoreUnavailableException listing = assertThrows(StoreUnavailableException.class,
                    () -> cluster.node(0).store().list(".native", "", null, 100));
            assertTrue(listing.getMessage().contains("read quorum"), listing.getMessage());

            cluster.start(1);
            cluster.start(2);
            cluster.awaitReachable(cluster.allIndexes(), cluster.allIndexes());
            for (int i = 0; i < 3; i++) {
                List<String> listed = cluster.node(i).store().list(".native", "", null, 100).objects().stream()
                        .map(ObjectInfo::key).toList();
                assertEquals(List.of("node-a@kept.bin", "node-b@one-down.bin"), listed, "listing via " + TestCluster.name(i));
                assertEquals(404, cluster.client(i).retrieve("node-a@refused.bin").statusCode());
                assertEquals(404, cluster.client(i).retrieve("node-a@refused-small.bin").statusCode());
                assertArrayEquals(oneDown, cluster.client(i).retrieve("node-b@one-down.bin").body());
            }
        }
    }

    @Test
    void concurrentWritesOfOneKeyConvergeToOneWinnerOnEveryReplica() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 3, 2, 2, CHUNK).startAll()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 10; round++) {
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<?>> writes = new ArrayList<>();
                    for (int w = 0; w < 2; w++) {
                        int writer = w;
                        byte[] body = random(100 * round + writer, writer == 0 ? 500 : 2 * CHUNK + 3);
                        writes.add(pool.submit(() -> {
                            go.await();
                            return cluster.node(writer).store().put(new ObjectWrite("race", "same-key", null, null),
                                    new ByteArrayInputStream(body));
                        }));
                    }
                    go.countDown();
                    for (Future<?> f : writes) {
                        f.get();
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                Optional<io.hifadhi.api.nativeapi.ObjectLocator.ObjectLocation> where =
                        cluster.node(2).replicatedStore().locate("race", "same-key");
                assertTrue(where.isPresent());
                assertEquals(List.of("node-a", "node-b", "node-c"), where.get().recordHolders().stream().sorted().toList());
            });
            String version = null;
            byte[] bytes = null;
            for (int i = 0; i < 3; i++) {
                StoredObject o = cluster.node(i).store().get("race", "same-key").orElseThrow();
                byte[] read;
                try (InputStream in = o.open(0, o.info().size())) {
                    read = in.readAllBytes();
                }
                if (version == null) {
                    version = o.info().version();
                    bytes = read;
                } else {
                    assertEquals(version, o.info().version(), "same winner via " + TestCluster.name(i));
                    assertArrayEquals(bytes, read);
                }
            }
            assertFalse(version.isEmpty());
        }
    }

    @Test
    void aStaleReplicaIsRepairedByAReadAndChunksComeFromPeersWhenMissingOrCorrupt() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 3, 2, 2, CHUNK).startAll()) {
            // C is down while B coordinates a write: B keeps C's hints. Then B goes down, so no hint can reach C.
            cluster.stop(2);
            cluster.awaitReachable(new int[]{0, 1}, new int[]{0, 1});
            byte[] body = random(8, 4 * CHUNK + 3);
            cluster.node(1).store().put(new ObjectWrite("b", "stale", null, null), new ByteArrayInputStream(body));
            cluster.stop(1);
            cluster.start(2);
            cluster.awaitReachable(new int[]{0, 2}, new int[]{0, 2});
            // C holds neither the record nor the chunks now, unless anti-entropy (a round every 5 s) got there first:
            // then the read below finds C current, and the end state checked after it is the same.

            // Read through C (R=2 of A and C): A's record wins, C's chunks come from A. C remembers B, which
            // is down, so C first waits (503, up to the rejoin grace) for B before it serves with A alone.
            StoredObject o = await().atMost(Duration.ofSeconds(20)).ignoreException(StoreUnavailableException.class)
                    .until(() -> cluster.node(2).store().get("b", "stale"), java.util.Optional::isPresent).orElseThrow();
            try (InputStream in = o.open(0, body.length)) {
                assertArrayEquals(body, in.readAllBytes());
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(List.of("node-a", "node-c"),
                    cluster.node(2).replicatedStore().locate("b", "stale").orElseThrow().recordHolders().stream().sorted().toList(),
                    "read repair (or anti-entropy) gave C the record"));

            // A corrupt local copy is never served: the reader fails over to a good one on a peer.
            byte[] other = random(9, 2 * CHUNK + 1);
            // A was alone while B and C were down: it too waits (up to the rejoin grace) for B before it serves again.
            await().atMost(Duration.ofSeconds(20)).ignoreException(StoreUnavailableException.class).until(() -> {
                cluster.node(0).store().put(new ObjectWrite("b", "corrupt", null, null), new ByteArrayInputStream(other));
                return true;
            });
            var where = cluster.node(0).replicatedStore().locate("b", "corrupt").orElseThrow();
            String id = where.chunks().get(0).id();
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(0).replicatedStore().locate("b", "corrupt")
                    .orElseThrow().chunks().get(0).holders().contains("node-c"));
            Path file = cluster.node(2).dataDir().resolve("chunks").resolve(id.substring(0, 2)).resolve(id.substring(2, 4)).resolve(id);
            byte[] damaged = java.nio.file.Files.readAllBytes(file);
            damaged[100] ^= 0x40;
            java.nio.file.Files.write(file, damaged);
            StoredObject c = cluster.node(2).store().get("b", "corrupt").orElseThrow();
            try (InputStream in = c.open(0, other.length)) {
                assertArrayEquals(other, in.readAllBytes(), "served from node-a after node-c's copy failed its hash");
            }
            // And node-c, a replica of that chunk, heals its copy from the good one it fetched.
            byte[] good = java.util.Arrays.copyOf(other, CHUNK);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertArrayEquals(good, java.nio.file.Files.readAllBytes(file)));
        }
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
