package io.hifadhi.node.replication;

import io.hifadhi.node.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Space comes back (issue 15), through the S3 API with the AWS SDK: three nodes (N=3, so each holds every chunk)
 * take 62 MiB, then two thirds are deleted, some objects overwritten, one of two objects with identical bytes
 * deleted and a multipart upload aborted, while node-c is down (so it misses every delete and must catch up when
 * it returns, after a restart). After the grace each data directory is within 1.25x of the live bytes plus a few
 * MiB of databases, and every live object, the surviving twin included, reads back byte-exact through every node.
 */
class GarbageCollectionClusterTest {
    private static final int CHUNK = 1 << 20;
    private static final Duration GRACE = Duration.ofSeconds(3);
    /** RocksDB files (WAL, manifest, logs, options) of records/, tables/ and hints/. */
    private static final long DATABASES = 6L << 20;

    @TempDir
    Path dir;

    @Test
    void deletedOverwrittenAndAbortedBytesAreCollectedAndLiveObjectsStayByteExact() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 3, 2, 2, CHUNK).gcGrace(GRACE).startAll()) {
            awaitLayout(cluster, 3);
            Map<String, byte[]> live = new LinkedHashMap<>();
            Random random = new Random(15);
            byte[] twin = bytes(random, 2 * CHUNK + 12_345);
            try (S3Client s3 = s3(cluster.node(0))) {
                s3.createBucket(b -> b.bucket("gc-test"));
                long written = 0;
                for (int i = 0; written < 62L << 20; i++) {
                    byte[] body = i < 2 ? twin : bytes(random, CHUNK + random.nextInt(2 * CHUNK));
                    put(s3, "object-" + i, body);
                    live.put("object-" + i, body);
                    written += body.length;
                }
                System.out.printf("wrote %d objects, %d bytes%n", live.size(), written);
            }
            // Sends past the write quorum finish in the background: let node-c get its copies before it goes.
            await().atMost(Duration.ofSeconds(60)).until(() -> directorySize(cluster.node(2).dataDir().resolve("chunks"))
                    >= directorySize(cluster.node(0).dataDir().resolve("chunks")));
            cluster.stop(2);
            cluster.awaitReachable(new int[]{0, 1}, new int[]{0, 1});

            try (S3Client s3 = s3(cluster.node(1))) {
                // Two thirds deleted, object-0 (one twin) among them; object-1 (the other twin) stays.
                int i = 0;
                for (String key : live.keySet().toArray(String[]::new)) {
                    if (i++ % 3 != 1) {
                        s3.deleteObject(b -> b.bucket("gc-test").key(key));
                        live.remove(key);
                    }
                }
                // Some overwritten with other bytes.
                int overwritten = 0;
                for (String key : live.keySet().toArray(String[]::new)) {
                    if (!key.equals("object-1") && overwritten++ < 4) {
                        byte[] body = bytes(random, CHUNK / 2 + random.nextInt(CHUNK));
                        put(s3, key, body);
                        live.put(key, body);
                    }
                }
                // A multipart upload of 12 MiB, aborted.
                CreateMultipartUploadResponse upload = s3.createMultipartUpload(b -> b.bucket("gc-test").key("abandoned"));
                for (int part = 1; part <= 2; part++) {
                    s3.uploadPart(UploadPartRequest.builder().bucket("gc-test").key("abandoned").uploadId(upload.uploadId())
                            .partNumber(part).build(), RequestBody.fromBytes(bytes(random, 6 << 20)));
                }
                s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket("gc-test").key("abandoned")
                        .uploadId(upload.uploadId()).build());
            }
            // Nothing may be collected while node-c, which may hold references, is away.
            Thread.sleep(GRACE.toMillis() * 2);
            assertTrue(collected(cluster, 0) == 0 && collected(cluster, 1) == 0, "nothing is collected while a member is away");

            cluster.start(2);
            cluster.awaitReachable(cluster.allIndexes(), cluster.allIndexes());
            long liveBytes = live.values().stream().mapToLong(b -> b.length).sum();
            long bound = liveBytes + liveBytes / 4 + DATABASES;
            long started = System.nanoTime();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                for (int n = 0; n < 3; n++) {
                    long used = directorySize(cluster.node(n).dataDir());
                    assertTrue(used <= bound, TestCluster.name(n) + " holds " + used + " bytes; live objects need " + liveBytes
                            + ", bound " + bound);
                }
            });
            System.out.printf("collected within %d ms of node-c's return; live %d bytes; data directories %d / %d / %d bytes;"
                            + " collected %d / %d / %d bytes%n", (System.nanoTime() - started) / 1_000_000, liveBytes,
                    directorySize(cluster.node(0).dataDir()), directorySize(cluster.node(1).dataDir()),
                    directorySize(cluster.node(2).dataDir()), collected(cluster, 0), collected(cluster, 1), collected(cluster, 2));
            assertTrue(collected(cluster, 2) > 0, "node-c caught up on the deletes it missed");
            // Copies node-c received from hints when it came back were put then: they go a grace later. In the end each
            // node holds exactly the chunks of the live objects (no two of them share bytes).
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                for (int n = 0; n < 3; n++) {
                    Path chunks = cluster.node(n).dataDir().resolve("chunks");
                    assertEquals(liveBytes, chunkFileBytes(chunks), TestCluster.name(n));
                    assertEquals(0, orphanChecksumFiles(chunks), TestCluster.name(n) + ": CRC files whose chunk was collected");
                }
            });
            System.out.printf("every node holds only live chunks %d ms after node-c's return%n", (System.nanoTime() - started) / 1_000_000);
            for (int n = 0; n < 3; n++) {
                Path data = cluster.node(n).dataDir();
                System.out.printf("%s: chunks %d, node database %d bytes%n", TestCluster.name(n),
                        directorySize(data.resolve("chunks")), directorySize(data.resolve("db")));
            }

            // The tombstones of the deletes go too, once every node holds them and the grace passed; listings stay right.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                for (int n = 0; n < 3; n++) {
                    assertEquals(0, records(cluster, n, "gc-test", true), TestCluster.name(n) + " tombstones");
                    assertEquals(live.size(), records(cluster, n, "gc-test", false), TestCluster.name(n) + " records");
                }
            });
            for (int n = 0; n < 3; n++) {
                try (S3Client s3 = s3(cluster.node(n))) {
                    assertEquals(new java.util.TreeSet<>(live.keySet()), new java.util.TreeSet<>(s3.listObjectsV2(b -> b.bucket("gc-test"))
                            .contents().stream().map(o -> o.key()).toList()), "listing through " + TestCluster.name(n));
                    for (Map.Entry<String, byte[]> e : live.entrySet()) {
                        assertArrayEquals(e.getValue(), s3.getObjectAsBytes(b -> b.bucket("gc-test").key(e.getKey())).asByteArray(),
                                e.getKey() + " through " + TestCluster.name(n));
                    }
                }
            }
        }
    }

    @Test
    void aSingleNodeCollectsTooAndAbandonedMultipartUploadsAreAbortedAfterTheirAge() throws Exception {
        // A lone node (no cluster layout to settle, so not through TestCluster.startAll).
        TestCluster single = new TestCluster(dir, 1, 1, 1, 1, CHUNK).gcGrace(Duration.ofSeconds(1)).multipartExpiry(Duration.ofSeconds(4));
        try (single) {
            single.start(0);
            Random random = new Random(16);
            byte[] kept = bytes(random, 2 * CHUNK + 1);
            try (S3Client s3 = s3(single.node(0))) {
                s3.createBucket(b -> b.bucket("gc-test"));
                put(s3, "kept", kept);
                put(s3, "deleted", bytes(random, 3 * CHUNK));
                s3.deleteObject(b -> b.bucket("gc-test").key("deleted"));
                CreateMultipartUploadResponse upload = s3.createMultipartUpload(b -> b.bucket("gc-test").key("abandoned"));
                s3.uploadPart(UploadPartRequest.builder().bucket("gc-test").key("abandoned").uploadId(upload.uploadId())
                        .partNumber(1).build(), RequestBody.fromBytes(bytes(random, 5 << 20)));
                Path chunks = single.node(0).dataDir().resolve("chunks");
                // The deleted object goes a grace later; the upload's part stays while the upload is in progress.
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> chunkFileBytes(chunks) == kept.length + (5L << 20));
                assertEquals(1, s3.listMultipartUploads(b -> b.bucket("gc-test")).uploads().size());
                // Abandoned past its age: aborted, then its part collected.
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                        .until(() -> chunkFileBytes(chunks) == kept.length && orphanChecksumFiles(chunks) == 0);
                assertEquals(0, s3.listMultipartUploads(b -> b.bucket("gc-test")).uploads().size());
                assertArrayEquals(kept, s3.getObjectAsBytes(b -> b.bucket("gc-test").key("kept")).asByteArray());
            }
        }
    }

    /**
     * Four nodes, N=3: a write while one replica is down leaves a copy of the record on the stand-in (the fourth node)
     * with a hint. Once the hint is delivered the stand-in forgets its copy (else, never updated by anti-entropy, it
     * would keep the deleted object's chunks referenced for ever); after a delete every chunk is collected everywhere
     * and the tombstones are dropped once every node agrees.
     */
    @Test
    void aStandInForgetsItsDeliveredCopySoADeleteFreesEverything() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 4, 3, 2, 2, 64 << 10).gcGrace(Duration.ofSeconds(2)).startAll()) {
            awaitLayout(cluster, 4);
            Random random = new Random(17);
            cluster.node(0).store().put(new io.hifadhi.api.store.ObjectWrite("b", "k", null, null),
                    new java.io.ByteArrayInputStream(bytes(random, 100_000)));
            var where = cluster.node(0).replicatedStore().locate("b", "k").orElseThrow();
            String down = where.replicas().stream().filter(id -> !id.equals("node-a")).findFirst().orElseThrow();
            int downIndex = down.charAt(5) - 'a';
            String standIn = java.util.stream.IntStream.range(0, 4).mapToObj(TestCluster::name)
                    .filter(id -> !where.replicas().contains(id)).findFirst().orElseThrow();
            int standInIndex = standIn.charAt(5) - 'a';
            cluster.stop(downIndex);
            int[] up = java.util.stream.IntStream.range(0, 4).filter(i -> i != downIndex).toArray();
            cluster.awaitReachable(up, up);
            byte[] second = bytes(random, 300_000);
            cluster.node(0).store().put(new io.hifadhi.api.store.ObjectWrite("b", "k", null, null), new java.io.ByteArrayInputStream(second));
            assertEquals(1, records(cluster, standInIndex, false), standIn + " holds the stand-in copy");

            cluster.start(downIndex);
            cluster.awaitReachable(cluster.allIndexes(), cluster.allIndexes());
            await().atMost(Duration.ofSeconds(30)).until(() -> java.util.Arrays.stream(cluster.allIndexes())
                    .allMatch(i -> cluster.node(i).pendingHints() == 0));
            await().atMost(Duration.ofSeconds(10)).until(() -> records(cluster, standInIndex, false) == 0);

            cluster.node(0).store().delete("b", "k");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                for (int i = 0; i < 4; i++) {
                    assertEquals(0, directorySize(cluster.node(i).dataDir().resolve("chunks")), TestCluster.name(i) + " chunks");
                    assertEquals(0, records(cluster, i, true), TestCluster.name(i) + " tombstones");
                }
            });
            assertTrue(cluster.node(1).store().get("b", "k").isEmpty());
        }
    }

    private static int records(TestCluster cluster, int i, boolean tombstones) {
        return records(cluster, i, "b", tombstones);
    }

    /** Records of a bucket this node holds (tombstones only, or all). */
    private static int records(TestCluster cluster, int i, String bucket, boolean tombstones) {
        Messages.RecordBatch batch = cluster.node(i).replication().replica().scan(new Messages.RecordScan(bucket, "", null, 1000));
        int n = 0;
        for (byte[] r : batch.records()) {
            if (!tombstones || cluster.node(i).replication().codec().decode(r).deleted()) {
                n++;
            }
        }
        return n;
    }

    /** Until every node places data by a ring of all {@code size} nodes (the layout takes a moment to list them). */
    static void awaitLayout(TestCluster cluster, int size) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> java.util.Arrays.stream(cluster.allIndexes())
                .allMatch(i -> cluster.node(i).layout().current().readRing().size() == size
                        && !cluster.node(i).layout().current().inTransition()));
    }

    private static long collected(TestCluster cluster, int i) {
        return cluster.node(i).replication().collectedBytes();
    }

    static byte[] bytes(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    private static void put(S3Client s3, String key, byte[] body) {
        s3.putObject(b -> b.bucket("gc-test").key(key), RequestBody.fromBytes(body));
    }

    /** Bytes of the regular files under {@code root}; a file or directory the collector deletes meanwhile counts 0. */
    /** Bytes of the chunk files under {@code chunks}, without each chunk's CRC file ({@code <id>.crc}). */
    static long chunkFileBytes(Path chunks) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(chunks)) {
            return files.filter(f -> f.getFileName().toString().length() == 64).mapToLong(f -> {
                try {
                    return Files.isRegularFile(f) ? Files.size(f) : 0;
                } catch (IOException gone) {
                    return 0; // collected during the walk
                }
            }).sum();
        } catch (java.io.UncheckedIOException e) {
            return -1; // a directory went during the walk: measure again
        }
    }

    /** CRC files left behind by a chunk that is gone: the collector must delete both. */
    static long orphanChecksumFiles(Path chunks) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(chunks)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".crc") && !f.getParent().endsWith(".tmp"))
                    .filter(f -> !Files.exists(f.resolveSibling(f.getFileName().toString().replace(".crc", "")))).count();
        } catch (java.io.UncheckedIOException e) {
            return -1;
        }
    }

    static long directorySize(Path root) {
        long[] total = {0};
        try {
            Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof java.nio.file.NoSuchFileException) {
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e == null || e instanceof java.nio.file.NoSuchFileException) {
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total[0];
    }

    static S3Client s3(Node n) {
        return S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + n.httpPort()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(TestCluster.ACCESS_KEY,
                        TestCluster.SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }
}
