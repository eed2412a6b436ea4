package io.hifadhi.node.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13: the small tables' tombstones are collected like the object records' (same collector, same rule). Five
 * nodes; multipart uploads completed and aborted, a bucket and an access key deleted: a grace later no node holds a
 * tombstone of the uploads, buckets or access-keys table ({@code hifadhi_table_tombstones} on /metrics). With a
 * member away nothing is collected; once it is back, with its old live copies of the deleted entries, collection
 * goes on and none of them comes back on any node.
 */
class TableTombstonesClusterTest {
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final List<String> TABLES = List.of("uploads", "buckets", "access-keys");
    private static final Pattern TOMBSTONES = Pattern.compile("^hifadhi_table_tombstones\\{table=\"([a-z-]+)\"} ([0-9.eE+]+)$",
            Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void completedAndAbortedUploadsADeletedBucketAndADeletedKeyLeaveNoTombstones() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 5, 3, 2, 2, 64 << 10).gcGrace(GRACE).startAll()) {
            List<String> completed = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                try (S3Client s3 = GarbageCollectionClusterTest.s3(cluster.node(i % 5))) {
                    if (i == 0) {
                        s3.createBucket(b -> b.bucket("mpu"));
                    }
                    String key = "file-" + i;
                    String id = startUpload(s3, key);
                    if (i % 2 == 0) {
                        s3.completeMultipartUpload(b -> b.bucket("mpu").key(key).uploadId(id).multipartUpload(m -> m.parts(
                                CompletedPart.builder().partNumber(1).eTag(partEtag(s3, key, id)).build())));
                        completed.add(key);
                    } else {
                        s3.abortMultipartUpload(b -> b.bucket("mpu").key(key).uploadId(id));
                    }
                }
            }
            try (S3Client s3 = GarbageCollectionClusterTest.s3(cluster.node(1))) {
                s3.createBucket(b -> b.bucket("doomed"));
                s3.deleteBucket(b -> b.bucket("doomed"));
            }
            String key = createKey(cluster, 2);
            assertEquals(204, admin(cluster, 3, "DELETE", "/api/v1/keys/" + key).statusCode());
            // Within the grace the deletes are tombstones on the node that made them.
            assertTrue(tombstones(cluster, 3, "access-keys") >= 1, "the key's tombstone within the grace");
            assertTrue(tombstones(cluster, 1, "buckets") >= 1, "the bucket's tombstone within the grace");

            long started = System.nanoTime();
            awaitNoTombstones(cluster, cluster.allIndexes(), Duration.ofSeconds(30));
            System.out.printf("every table tombstone dropped on every node %d ms after the last delete%n",
                    (System.nanoTime() - started) / 1_000_000);
            for (int n = 0; n < 5; n++) {
                int i = n;
                try (S3Client s3 = GarbageCollectionClusterTest.s3(cluster.node(n))) {
                    assertTrue(s3.listMultipartUploads(b -> b.bucket("mpu")).uploads().isEmpty(), "uploads through " + TestCluster.name(n));
                    for (String k : completed) {
                        assertArrayEquals(part(k), s3.getObjectAsBytes(b -> b.bucket("mpu").key(k)).asByteArray(), k);
                    }
                    assertThrows(NoSuchBucketException.class, () -> s3.headBucket(b -> b.bucket("doomed")), TestCluster.name(i));
                }
                assertEquals(404, admin(cluster, n, "GET", "/api/v1/keys/" + key).statusCode(), TestCluster.name(n));
            }
        }
    }

    @Test
    void aMemberAwayHoldsCollectionBackAndItsOldCopiesDoNotComeBack() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 5, 3, 2, 2, 64 << 10).gcGrace(GRACE).startAll()) {
            List<String> uploads = new ArrayList<>();
            try (S3Client s3 = GarbageCollectionClusterTest.s3(cluster.node(0))) {
                s3.createBucket(b -> b.bucket("mpu"));
                s3.createBucket(b -> b.bucket("doomed"));
                for (int i = 0; i < 5; i++) {
                    uploads.add(startUpload(s3, "file-" + i));
                }
            }
            String key = createKey(cluster, 0);
            // node-e holds live copies of all of them before it goes.
            int away = 4;
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                try (S3Client s3 = GarbageCollectionClusterTest.s3(cluster.node(away))) {
                    s3.headBucket(b -> b.bucket("doomed"));
                    assertEquals(5, s3.listMultipartUploads(b -> b.bucket("mpu")).uploads().size());
                }
                assertEquals(200, admin(cluster, away, "GET", "/api/v1/keys/" + key).statusCode());
            });
            cluster.stop(away);
            int[] up = {0, 1, 2, 3};
            cluster.awaitReachable(up, up);

            try (S3Client s3 = GarbageCollectionClusterTest.s3(cluster.node(1))) {
                s3.deleteBucket(b -> b.bucket("doomed"));
                for (int i = 0; i < 5; i++) {
                    String k = "file-" + i;
                    String id = uploads.get(i);
                    s3.abortMultipartUpload(b -> b.bucket("mpu").key(k).uploadId(id));
                }
            }
            assertEquals(204, admin(cluster, 2, "DELETE", "/api/v1/keys/" + key).statusCode());
            // Collection rounds run every quarter grace: none may drop a tombstone node-e has not confirmed.
            Thread.sleep(3 * GRACE.toMillis());
            for (int n : up) {
                for (String table : TABLES) {
                    assertTrue(tombstones(cluster, n, table) >= 1, table + " tombstones on " + TestCluster.name(n) + " while node-e is away");
                }
            }

            cluster.start(away);
            cluster.awaitReachable(cluster.allIndexes(), cluster.allIndexes());
            long started = System.nanoTime();
            awaitNoTombstones(cluster, cluster.allIndexes(), Duration.ofSeconds(40));
            System.out.printf("every table tombstone dropped on every node %d ms after node-e's return%n",
                    (System.nanoTime() - started) / 1_000_000);
            // A few anti-entropy rounds and catch-up pulls later, still nothing of them anywhere.
            Thread.sleep(6_000);
            for (int n = 0; n < 5; n++) {
                int i = n;
                try (S3Client s3 = GarbageCollectionClusterTest.s3(cluster.node(n))) {
                    assertThrows(NoSuchBucketException.class, () -> s3.headBucket(b -> b.bucket("doomed")), TestCluster.name(i));
                    assertTrue(s3.listMultipartUploads(b -> b.bucket("mpu")).uploads().isEmpty(), "uploads through " + TestCluster.name(n));
                }
                assertEquals(404, admin(cluster, n, "GET", "/api/v1/keys/" + key).statusCode(), TestCluster.name(n));
                for (String table : TABLES) {
                    assertEquals(0, tombstones(cluster, n, table), table + " on " + TestCluster.name(n));
                }
            }
        }
    }

    /** Starts an upload of {@code key} in bucket mpu with one small part; returns its id. */
    private static String startUpload(S3Client s3, String key) {
        String id = s3.createMultipartUpload(b -> b.bucket("mpu").key(key)).uploadId();
        s3.uploadPart(UploadPartRequest.builder().bucket("mpu").key(key).uploadId(id).partNumber(1).build(),
                RequestBody.fromBytes(part(key)));
        return id;
    }

    private static String partEtag(S3Client s3, String key, String id) {
        return s3.listParts(b -> b.bucket("mpu").key(key).uploadId(id)).parts().get(0).eTag();
    }

    private static byte[] part(String key) {
        return ("the only part of " + key).repeat(100).getBytes(StandardCharsets.UTF_8);
    }

    /** Makes an access key through node {@code i}'s admin API; returns its id. */
    private static String createKey(TestCluster cluster, int i) throws Exception {
        HttpResponse<String> r = HTTP.send(request(cluster, i, "/api/v1/keys")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"short-lived\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        Matcher m = Pattern.compile("\"access_key\"\\s*:\\s*\"([A-Z0-9]+)\"").matcher(r.body());
        assertTrue(m.find(), r.body());
        return m.group(1);
    }

    private static HttpResponse<String> admin(TestCluster cluster, int i, String method, String path) throws Exception {
        return HTTP.send(request(cluster, i, path).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(TestCluster cluster, int i, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.node(i).httpPort() + path))
                .header("SHARD-KEY", TestCluster.KEY);
    }

    /** {@code hifadhi_table_tombstones{table="..."}} from node {@code i}'s /metrics; fails when the node has no such gauge. */
    private static long tombstones(TestCluster cluster, int i, String table) throws Exception {
        String body = admin(cluster, i, "GET", "/metrics").body();
        Matcher m = TOMBSTONES.matcher(body);
        while (m.find()) {
            if (m.group(1).equals(table)) {
                return (long) Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError(TestCluster.name(i) + " has no tombstone gauge for " + table);
    }

    private static void awaitNoTombstones(TestCluster cluster, int[] nodes, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (int n : nodes) {
                for (String table : TABLES) {
                    assertEquals(0, tombstones(cluster, n, table), table + " tombstones on " + TestCluster.name(n));
                }
            }
        });
    }
}
