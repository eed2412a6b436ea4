package io.hifadhi.node.replication;

import io.hifadhi.node.storage.NodeDatabase;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.layout.LayoutMember;
import io.hifadhi.node.layout.LayoutRole;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.table.ReplicatedBucketCatalog;
import io.hifadhi.node.table.ReplicatedTable;
import io.hifadhi.node.table.TableStore;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short version of {@code ClusterShapeTest}'s dead-after drill (node processes and kill -9, under -Pchaos):
 * five nodes in this JVM with {@code --dead-after 10s}, N=3. One goes away for good; once it is removed and its
 * copies re-created, a second goes away, and every object is still byte-exact through each of the three left.
 * Then the first comes back on its old data directory: it rejoins as a new member and serves the right bytes, and
 * neither a record nor a table entry the others no longer have comes back from it.
 */
class DeadAfterClusterTest {
    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void aNodeAwayLongerThanDeadAfterIsReplacedSoASecondLossLosesNothing() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 5, 3, 2, 2, CHUNK).deadAfter(Duration.ofSeconds(10)).startAll()) {
            Random random = new Random(5);
            Map<String, byte[]> stored = new LinkedHashMap<>();
            for (int i = 0; i < 20; i++) {
                byte[] body = new byte[i % 2 == 0 ? 3 * CHUNK + 17 : 900];
                random.nextBytes(body);
                HttpResponse<String> r = cluster.client(i % 5).store("kept-" + i + ".bin", body);
                assertEquals(200, r.statusCode(), r.body());
                stored.put(r.body(), body);
            }

            long away = System.nanoTime();
            cluster.stop(4);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                    cluster.node(0).layout().current().member("node-e").map(LayoutMember::role).orElse(null) == LayoutRole.REMOVED);
            System.out.printf("node-e removed %.1f s after it went away (--dead-after 10s)%n", (System.nanoTime() - away) / 1e9);
            cluster.awaitLayoutSettled();
            System.out.printf("its copies re-created %.1f s after it went away%n", (System.nanoTime() - away) / 1e9);

            cluster.stop(3);
            cluster.awaitReachable(new int[]{0, 1, 2}, new int[]{0, 1, 2});
            for (int i = 0; i < 3; i++) {
                for (Map.Entry<String, byte[]> e : stored.entrySet()) {
                    HttpResponse<byte[]> got = cluster.client(i).retrieve(e.getKey());
                    assertEquals(200, got.statusCode(), e.getKey() + " through " + TestCluster.name(i));
                    assertArrayEquals(e.getValue(), got.body(), e.getKey() + " through " + TestCluster.name(i));
                }
            }

            // node-e comes back on its old data directory. Removed, it rejoins as a new member (its old copies are
            // reconciled by anti-entropy while the others serve), and what it serves is the acknowledged bytes.
            // A version only node-e still holds, as if the others deleted it while node-e was away and collected the
            // tombstone: the returning node must forget it, never push it back.
            try (NodeDatabase database = NodeDatabase.open(dir.resolve("node-e").resolve("db"), true)) {
                RecordStore records = new RecordStore(database, new RecordCodec());
                records.putAll(java.util.List.of(AntiEntropyClusterTest.inline("ghost", "deleted while node-e was away",
                        new VersionStamp(System.currentTimeMillis() - 3_600_000, 0, "node-e"))));
                // The same for a table entry: a bucket whose tombstone the others collected. Peers pull a returning
                // node's tables and sync them by anti-entropy; it must forget the bucket before it answers either.
                long hourAgo = System.currentTimeMillis() - 3_600_000;
                new ReplicatedBucketCatalog(new ReplicatedTable("buckets", new TableStore(database),
                        new HybridLogicalClock("node-e", () -> hourAgo)), Clock.systemUTC()).create("ghost-bucket", TestCluster.ACCESS_KEY);
            }
            // Listings hear every reachable member, replica or not: while node-e is back but not yet a member again
            // (its old records not yet forgotten), the others' listings must not show what only it still holds.
            AtomicBoolean listing = new AtomicBoolean(true);
            AtomicInteger listings = new AtomicInteger();
            List<String> ghostsListed = new CopyOnWriteArrayList<>();
            Thread lister = new Thread(() -> {
                while (listing.get()) {
                    for (int i : new int[]{0, 1}) {
                        try {
                            cluster.node(i).replicatedStore().list("b", "", null, 1000).objects().stream()
                                    .filter(o -> o.key().equals("ghost")).forEach(o -> ghostsListed.add(TestCluster.name(i)));
                            listings.incrementAndGet();
                        } catch (Exception e) {
                            // A listing refused while the view changes is no listing of the ghost.
                        }
                    }
                    LockSupport.parkNanos(20_000_000);
                }
            }, "ghost-lister");
            lister.start();
            long back = System.nanoTime();
            try {
                cluster.start(4);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() ->
                        cluster.node(0).layout().current().member("node-e").map(LayoutMember::role).orElse(null) == LayoutRole.MEMBER);
            } finally {
                listing.set(false);
                lister.join();
            }
            assertTrue(listings.get() > 0, "no listing ran while node-e came back");
            assertTrue(ghostsListed.isEmpty(), "the removed node's old record was listed through " + ghostsListed);
            // It serves once it sees every peer it remembers, or a quorum for RejoinGate's grace (node-d stays away).
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                for (Map.Entry<String, byte[]> e : stored.entrySet()) {
                    HttpResponse<byte[]> got = cluster.client(4).retrieve(e.getKey());
                    assertEquals(200, got.statusCode(), e.getKey() + " through node-e after it rejoined");
                    assertArrayEquals(e.getValue(), got.body(), e.getKey() + " through node-e after it rejoined");
                }
            });
            System.out.printf("node-e rejoined as a new member and served every object %.1f s after its restart%n",
                    (System.nanoTime() - back) / 1e9);
            cluster.awaitLayoutSettled();
            for (int i : new int[]{0, 1, 2, 4}) {
                assertTrue(cluster.node(i).replicatedStore().locate("b", "ghost").isEmpty(),
                        "the removed node's old record came back through " + TestCluster.name(i));
                int through = i;
                try (S3Client s3 = GarbageCollectionClusterTest.s3(cluster.node(i))) {
                    assertThrows(NoSuchBucketException.class, () -> s3.headBucket(b -> b.bucket("ghost-bucket")),
                            "the removed node's old bucket came back through " + TestCluster.name(through));
                }
            }
        }
    }
}
