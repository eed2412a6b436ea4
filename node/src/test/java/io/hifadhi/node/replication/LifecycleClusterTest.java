package io.hifadhi.node.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.testing.NativeClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortIncompleteMultipartUpload;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleAndOperator;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expiry (issue 15) on three nodes (N=3, W=2, R=2) with a lifecycle "day" of 2 s and a pass every 500 ms: S3 lifecycle
 * rules through the AWS SDK (configuration round trip, AWS's refusals, Days and past-Date expiration by prefix and size,
 * a Disabled rule, AbortIncompleteMultipartUpload) and native files stored with {@code expires_in}. Expired keys
 * answer 404 through every node, everything else stays byte-exact, and each object is deleted by exactly one node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LifecycleClusterTest {
    private static final Duration DAY = Duration.ofSeconds(2);
    private static final String BUCKET = "life";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private TestCluster cluster;
    /** One client per node. */
    private final List<S3Client> s3 = new java.util.ArrayList<>();

    @BeforeAll
    void startCluster() throws Exception {
        long started = System.nanoTime();
        cluster = new TestCluster(dir, 3, 3, 2, 2, 64 << 10).lifecycle(DAY, Duration.ofMillis(500)).startAll();
        GarbageCollectionClusterTest.awaitLayout(cluster, 3);
        for (int n = 0; n < 3; n++) {
            s3.add(GarbageCollectionClusterTest.s3(cluster.node(n)));
        }
        System.out.printf("cluster up in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    void stopCluster() {
        s3.forEach(S3Client::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void lifecycleRulesExpireAndAbortOnlyWhatTheyCoverThroughEveryNode() throws Exception {
        Random random = new Random(15);
        Map<String, byte[]> kept = new LinkedHashMap<>();
        Map<String, byte[]> expiring = new LinkedHashMap<>();
        long began = System.nanoTime();
        // The other tests of this cluster expire objects too: count this test's deletes from here.
        long expiredBefore = sum("hifadhi_lifecycle_expired_total");
        long abortedBefore = sum("hifadhi_lifecycle_aborted_uploads_total");
        {
            S3Client s3 = this.s3.get(0);
            s3.createBucket(b -> b.bucket(BUCKET));
            S3Exception none = assertThrows(S3Exception.class, () -> s3.getBucketLifecycleConfiguration(b -> b.bucket(BUCKET)));
            assertEquals(404, none.statusCode());
            assertEquals("NoSuchLifecycleConfiguration", none.awsErrorDetails().errorCode());

            refused(s3, 400, "InvalidArgument", rule("zero", ExpirationStatus.ENABLED, prefix("x/"), days(0)));
            refused(s3, 400, "InvalidArgument", rule("noon", ExpirationStatus.ENABLED, prefix("x/"),
                    r -> r.expiration(e -> e.date(Instant.parse("2030-01-01T12:00:00Z")))));
            refused(s3, 400, "InvalidArgument", rule("twin", ExpirationStatus.ENABLED, prefix("x/"), days(1)),
                    rule("twin", ExpirationStatus.ENABLED, prefix("y/"), days(1)));
            refused(s3, 400, "MalformedXML", rule("two", ExpirationStatus.ENABLED,
                    LifecycleRuleFilter.builder().prefix("x/").objectSizeGreaterThan(5L).build(), days(1)));
            refused(s3, 400, "InvalidRequest", rule("idle", ExpirationStatus.ENABLED, prefix("x/"), r -> { }));
            refused(s3, 400, "InvalidRequest", rule("tagged", ExpirationStatus.ENABLED,
                    LifecycleRuleFilter.builder().tag(Tag.builder().key("k").value("v").build()).build(),
                    r -> r.abortIncompleteMultipartUpload(AbortIncompleteMultipartUpload.builder().daysAfterInitiation(1).build())));
            assertEquals(404, assertThrows(S3Exception.class, () -> s3.getBucketLifecycleConfiguration(b -> b.bucket(BUCKET)))
                    .statusCode(), "a refused configuration is not stored");

            // Objects first (their age counts from now), then the rules.
            for (String key : List.of("logs/a", "logs/b", "sized/small")) {
                expiring.put(key, bytes(random, key.equals("sized/small") ? 500 : 150_000 + random.nextInt(100_000)));
            }
            for (String key : List.of("keep/c", "tmp/d", "sized/large", "logsX", "old/x")) {
                kept.put(key, bytes(random, key.equals("sized/large") ? 5_000 : 100_000 + random.nextInt(100_000)));
            }
            expiring.forEach((k, v) -> s3.putObject(b -> b.bucket(BUCKET).key(k), RequestBody.fromBytes(v)));
            kept.forEach((k, v) -> s3.putObject(b -> b.bucket(BUCKET).key(k), RequestBody.fromBytes(v)));
            String abandoned = upload(s3, "up/abandoned", random);
            String keptUpload = upload(s3, "keep/upload", random);

            List<LifecycleRule> rules = List.of(
                    rule("logs", ExpirationStatus.ENABLED, prefix("logs/"), days(1)),
                    rule("off", ExpirationStatus.DISABLED, prefix("tmp/"), days(1)),
                    rule("small", ExpirationStatus.ENABLED, LifecycleRuleFilter.builder().and(LifecycleRuleAndOperator.builder()
                            .prefix("sized/").objectSizeLessThan(1_000L).build()).build(), days(1)),
                    rule("uploads", ExpirationStatus.ENABLED, prefix("up/"),
                            r -> r.abortIncompleteMultipartUpload(AbortIncompleteMultipartUpload.builder().daysAfterInitiation(1).build())));
            s3.putBucketLifecycleConfiguration(b -> b.bucket(BUCKET).lifecycleConfiguration(BucketLifecycleConfiguration.builder()
                    .rules(rules).build()));
            for (int n = 0; n < 3; n++) {
                assertEquals(rules, this.s3.get(n).getBucketLifecycleConfiguration(b -> b.bucket(BUCKET)).rules(),
                        "configuration read back through " + TestCluster.name(n));
            }
            System.out.printf("objects and rules in place after %d ms%n", (System.nanoTime() - began) / 1_000_000);
            long started = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                for (int n = 0; n < 3; n++) {
                    for (String key : expiring.keySet()) {
                        assertEquals(404, status(n, key), key + " through " + TestCluster.name(n));
                    }
                }
                assertEquals(List.of(keptUpload), s3.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().stream()
                        .map(MultipartUpload::uploadId).toList(), "the upload under up/ is aborted, the other stays");
            });
            System.out.printf("Days rules applied within %d ms of the configuration%n", (System.nanoTime() - started) / 1_000_000);
            assertTrue(!abandoned.equals(keptUpload));
            assertEquals(expiring.size(), sum("hifadhi_lifecycle_expired_total") - expiredBefore,
                    "each expired object deleted by one node");
            assertEquals(1, sum("hifadhi_lifecycle_aborted_uploads_total") - abortedBefore, "the upload aborted by one node");
            assertReadBack(kept);

            // A Date rule in the past expires what it covers on the next pass; DeleteBucketLifecycle removes the rules.
            s3.putBucketLifecycleConfiguration(b -> b.bucket(BUCKET).lifecycleConfiguration(BucketLifecycleConfiguration.builder()
                    .rules(rule("past", ExpirationStatus.ENABLED, prefix("old/"),
                            r -> r.expiration(e -> e.date(Instant.parse("2020-01-01T00:00:00Z"))))).build()));
            kept.remove("old/x");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                for (int n = 0; n < 3; n++) {
                    assertEquals(404, status(n, "old/x"), "old/x through " + TestCluster.name(n));
                }
            });
            assertEquals(expiring.size() + 1, sum("hifadhi_lifecycle_expired_total") - expiredBefore);
            s3.deleteBucketLifecycle(b -> b.bucket(BUCKET));
            assertEquals("NoSuchLifecycleConfiguration", assertThrows(S3Exception.class,
                    () -> s3.getBucketLifecycleConfiguration(b -> b.bucket(BUCKET))).awsErrorDetails().errorCode());
            assertReadBack(kept);
            assertEquals(new java.util.TreeSet<>(kept.keySet()), new java.util.TreeSet<>(s3.listObjectsV2(b -> b.bucket(BUCKET))
                    .contents().stream().map(o -> o.key()).toList()));
            System.out.printf("S3 lifecycle test done after %d ms%n", (System.nanoTime() - began) / 1_000_000);
        }
    }

    /**
     * Object tags (PutObjectTagging and friends, x-amz-tagging on PUT and multipart, the copy directives, the
     * tagging-count header, AWS's refusals) through different nodes, then rules with a Tag filter and with
     * And{Prefix, Tags} that expire exactly the objects holding those tags.
     */
    @Test
    void objectTagsReplicateAndLifecycleRulesFilterByThem() throws Exception {
        String bucket = "tagged";
        Random random = new Random(18);
        Map<String, byte[]> kept = new LinkedHashMap<>();
        Map<String, byte[]> expiring = new LinkedHashMap<>();
        long expiredBefore = sum("hifadhi_lifecycle_expired_total");
        long began = System.nanoTime();
        s3.get(0).createBucket(b -> b.bucket(bucket));

        // x-amz-tagging on PutObject, seen through every node, with its count on GET and HEAD.
        byte[] plain = bytes(random, 120_000);
        s3.get(0).putObject(b -> b.bucket(bucket).key("t/plain").tagging("class=temp&team=ops%2Fnight"), RequestBody.fromBytes(plain));
        expiring.put("t/plain", plain);
        for (int n = 0; n < 3; n++) {
            assertEquals(Map.of("class", "temp", "team", "ops/night"), tags(n, bucket, "t/plain"), "through " + TestCluster.name(n));
            S3Client c = s3.get(n);
            assertEquals(2, c.getObject(b -> b.bucket(bucket).key("t/plain"), software.amazon.awssdk.core.sync.ResponseTransformer
                    .toBytes()).response().tagCount());
            assertEquals(java.util.Optional.of("2"), c.headObject(b -> b.bucket(bucket).key("t/plain")).sdkHttpResponse()
                    .firstMatchingHeader("x-amz-tagging-count"));
        }

        // PutObjectTagging on node 1, read on node 2, DeleteObjectTagging on node 2, read on node 0.
        byte[] later = bytes(random, 3_000);
        s3.get(0).putObject(b -> b.bucket(bucket).key("t/later"), RequestBody.fromBytes(later));
        assertEquals(Map.of(), tags(1, bucket, "t/later"));
        assertEquals(null, s3.get(1).getObject(b -> b.bucket(bucket).key("t/later"),
                software.amazon.awssdk.core.sync.ResponseTransformer.toBytes()).response().tagCount(), "no tags, no count");
        s3.get(1).putObjectTagging(b -> b.bucket(bucket).key("t/later").tagging(t -> t.tagSet(tag("class", "temp"), tag("x", ""))));
        for (int n = 0; n < 3; n++) {
            assertEquals(Map.of("class", "temp", "x", ""), tags(n, bucket, "t/later"), "through " + TestCluster.name(n));
        }
        assertArrayEquals(later, s3.get(2).getObjectAsBytes(b -> b.bucket(bucket).key("t/later")).asByteArray(), "same body");
        s3.get(2).deleteObjectTagging(b -> b.bucket(bucket).key("t/later"));
        for (int n = 0; n < 3; n++) {
            assertEquals(Map.of(), tags(n, bucket, "t/later"), "after the delete, through " + TestCluster.name(n));
        }
        kept.put("t/later", later);

        // x-amz-tagging on CreateMultipartUpload: the completed object holds the tags.
        byte[] part1 = bytes(random, 5 << 20);
        byte[] part2 = bytes(random, 1_000);
        String id = s3.get(0).createMultipartUpload(b -> b.bucket(bucket).key("t/multi").tagging("class=temp")).uploadId();
        String e1 = s3.get(1).uploadPart(UploadPartRequest.builder().bucket(bucket).key("t/multi").uploadId(id).partNumber(1).build(),
                RequestBody.fromBytes(part1)).eTag();
        String e2 = s3.get(1).uploadPart(UploadPartRequest.builder().bucket(bucket).key("t/multi").uploadId(id).partNumber(2).build(),
                RequestBody.fromBytes(part2)).eTag();
        s3.get(2).completeMultipartUpload(b -> b.bucket(bucket).key("t/multi").uploadId(id).multipartUpload(m -> m.parts(
                p -> p.partNumber(1).eTag(e1), p -> p.partNumber(2).eTag(e2))));
        assertEquals(Map.of("class", "temp"), tags(0, bucket, "t/multi"));
        byte[] multi = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, multi, 0, part1.length);
        System.arraycopy(part2, 0, multi, part1.length, part2.length);
        expiring.put("t/multi", multi);

        // CopyObject: COPY (default) keeps the source's tags, REPLACE takes the request's (or none).
        s3.get(1).copyObject(b -> b.sourceBucket(bucket).sourceKey("t/plain").destinationBucket(bucket).destinationKey("c/copied"));
        assertEquals(Map.of("class", "temp", "team", "ops/night"), tags(2, bucket, "c/copied"));
        expiring.put("c/copied", plain);
        s3.get(1).copyObject(b -> b.sourceBucket(bucket).sourceKey("t/plain").destinationBucket(bucket).destinationKey("c/replaced")
                .taggingDirective(software.amazon.awssdk.services.s3.model.TaggingDirective.REPLACE).tagging("class=keep"));
        assertEquals(Map.of("class", "keep"), tags(0, bucket, "c/replaced"));
        kept.put("c/replaced", plain);
        s3.get(2).copyObject(b -> b.sourceBucket(bucket).sourceKey("t/plain").destinationBucket(bucket).destinationKey("c/bare")
                .taggingDirective(software.amazon.awssdk.services.s3.model.TaggingDirective.REPLACE));
        assertEquals(Map.of(), tags(0, bucket, "c/bare"));
        kept.put("c/bare", plain);

        // AWS's refusals: nothing changes.
        List<Tag> eleven = new java.util.ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(tag("k" + i, "v"));
        }
        assertTagRefused(() -> s3.get(0).putObjectTagging(b -> b.bucket(bucket).key("t/later").tagging(t -> t.tagSet(eleven))));
        assertTagRefused(() -> s3.get(0).putObjectTagging(b -> b.bucket(bucket).key("t/later").tagging(t -> t.tagSet(tag("a*b", "v")))));
        assertTagRefused(() -> s3.get(0).putObjectTagging(b -> b.bucket(bucket).key("t/later").tagging(t -> t.tagSet(
                tag("k", "1"), tag("k", "2")))));
        assertTagRefused(() -> s3.get(0).putObjectTagging(b -> b.bucket(bucket).key("t/later").tagging(t -> t.tagSet(
                tag("k".repeat(129), "v")))));
        assertTagRefused(() -> s3.get(1).putObject(b -> b.bucket(bucket).key("t/never").tagging("k=1&k=2"),
                RequestBody.fromBytes(later)));
        assertEquals(Map.of(), tags(2, bucket, "t/later"), "a refused tagging changes nothing");
        assertEquals(404, status(0, bucket, "t/never"), "a PUT with bad tags stores nothing");
        S3Exception missing = assertThrows(S3Exception.class, () -> s3.get(0).putObjectTagging(b -> b.bucket(bucket).key("t/none")
                .tagging(t -> t.tagSet(tag("k", "v")))));
        assertEquals("NoSuchKey", missing.awsErrorDetails().errorCode());
        assertEquals("NoSuchKey", assertThrows(S3Exception.class, () -> s3.get(1).getObjectTagging(b -> b.bucket(bucket).key("t/none")))
                .awsErrorDetails().errorCode());

        // Lifecycle: a Tag rule (class=temp) and an And{Prefix logs/, team=ops, keep=no} rule.
        Map<String, String> both = Map.of("team", "ops", "keep", "no");
        for (Map.Entry<String, Map<String, String>> o : Map.of("logs/a", both, "logs/b", Map.of("team", "ops"),
                "other/c", both, "t/keepclass", Map.of("class", "keep")).entrySet()) {
            byte[] body = bytes(random, 50_000);
            String header = o.getValue().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(java.util.stream.Collectors.joining("&"));
            s3.get(2).putObject(b -> b.bucket(bucket).key(o.getKey()).tagging(header), RequestBody.fromBytes(body));
            (o.getKey().equals("logs/a") ? expiring : kept).put(o.getKey(), body);
        }
        List<LifecycleRule> rules = List.of(
                rule("temp", ExpirationStatus.ENABLED, LifecycleRuleFilter.builder().tag(tag("class", "temp")).build(), days(1)),
                rule("ops-logs", ExpirationStatus.ENABLED, LifecycleRuleFilter.builder().and(LifecycleRuleAndOperator.builder()
                        .prefix("logs/").tags(tag("keep", "no"), tag("team", "ops")).build()).build(), days(1)));
        s3.get(0).putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(BucketLifecycleConfiguration.builder()
                .rules(rules).build()));
        for (int n = 0; n < 3; n++) {
            assertEquals(rules, s3.get(n).getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules(), TestCluster.name(n));
        }
        System.out.printf("tagging checks and rules in place after %d ms%n", (System.nanoTime() - began) / 1_000_000);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (int n = 0; n < 3; n++) {
                for (String key : expiring.keySet()) {
                    assertEquals(404, status(n, bucket, key), key + " through " + TestCluster.name(n));
                }
            }
        });
        assertEquals(expiring.size(), sum("hifadhi_lifecycle_expired_total") - expiredBefore, "only the tagged objects, once each");
        for (int n = 0; n < 3; n++) {
            for (Map.Entry<String, byte[]> e : kept.entrySet()) {
                assertArrayEquals(e.getValue(), s3.get(n).getObjectAsBytes(b -> b.bucket(bucket).key(e.getKey())).asByteArray(),
                        e.getKey() + " through " + TestCluster.name(n));
            }
        }
        s3.get(0).deleteBucketLifecycle(b -> b.bucket(bucket));
        System.out.printf("tag test done after %d ms%n", (System.nanoTime() - began) / 1_000_000);
    }

    private Map<String, String> tags(int node, String bucket, String key) {
        Map<String, String> out = new java.util.TreeMap<>();
        s3.get(node).getObjectTagging(b -> b.bucket(bucket).key(key)).tagSet().forEach(t -> out.put(t.key(), t.value()));
        return out;
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    private static void assertTagRefused(org.junit.jupiter.api.function.Executable call) {
        S3Exception e = assertThrows(S3Exception.class, call);
        assertEquals(400, e.statusCode(), e.getMessage());
        assertEquals("InvalidTag", e.awsErrorDetails().errorCode(), e.getMessage());
        assertNotNull(e.awsErrorDetails().errorMessage());
    }

    @Test
    void aNativeFileStoredWithExpiresInReadsUntilItsMomentThenIsGoneEverywhere() throws Exception {
        NativeClient client = cluster.client(0);
        byte[] body = bytes(new Random(16), 200_000);
        for (String bad : List.of("soon", "0", "-5", "1.5", "999999999999")) {
            HttpResponse<String> refused = client.store("bad.bin", body, Map.of("expires_in", bad));
            assertEquals(400, refused.statusCode(), bad);
            assertEquals("invalid_expiry", JSON.readTree(refused.body()).path("error").asText(), refused.body());
        }
        // Ten seconds: long enough for the reads below to come before the moment even on a loaded machine.
        Instant sent = Instant.now();
        HttpResponse<String> stored = client.store("short.bin", body, Map.of("expires_in", "10"));
        Instant answered = Instant.now();
        assertEquals(200, stored.statusCode(), stored.body());
        String query = stored.body();
        String forever = client.store("forever.bin", body).body();
        for (int n = 0; n < 3; n++) {
            assertArrayEquals(body, cluster.client(n).retrieve(query).body(), "before its expiry, through " + TestCluster.name(n));
        }
        JsonNode info = JSON.readTree(cluster.client(1).send(cluster.client(1).get("files", query), HttpResponse.BodyHandlers.ofString()).body());
        Instant expiresAt = Instant.parse(info.path("expires_at").asText());
        assertTrue(!expiresAt.isBefore(sent.plusSeconds(9)) && !expiresAt.isAfter(answered.plusSeconds(11)),
                "expires_in 10 between " + sent + " and " + answered + ": " + info);
        assertEquals(expiresAt.getEpochSecond(), info.path("expires").asLong());
        assertTrue(JSON.readTree(client.send(client.get("files", forever), HttpResponse.BodyHandlers.ofString()).body())
                .path("expires").isNull(), "a file stored without expires_in never expires");
        HttpResponse<String> link = client.http().send(HttpRequest.newBuilder(URI.create(client.base() + "/api/v1/presign"))
                .header("SHARD-KEY", TestCluster.KEY).POST(HttpRequest.BodyPublishers.ofString("{\"query\":\""
                        + query.replace("\"", "\\\"") + "\",\"expires_in\":3600}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expiresAt.toString(), JSON.readTree(link.body()).path("file_expires_at").asText(), link.body());

        await().atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (int n = 0; n < 3; n++) {
                assertEquals(404, cluster.client(n).retrieve(query).statusCode(), "after its expiry, through " + TestCluster.name(n));
                assertEquals(404, cluster.client(n).send(cluster.client(n).get("files", query), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
            }
        });
        assertTrue(Instant.now().isAfter(expiresAt), "never gone before its moment");
        // The pass then deletes it, on one node (its primary), through the replicated write path.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> sum("hifadhi_expired_files_total") == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            for (int n = 0; n < 3; n++) {
                var held = cluster.node(n).replication().replica().getRecord(new Messages.RecordGet(
                        io.hifadhi.api.nativeapi.NativeNames.BUCKET, query));
                if (held.record() == null || !cluster.node(n).replication().codec().decode(held.record()).deleted()) {
                    return false;
                }
            }
            return true;
        });
        for (int n = 0; n < 3; n++) {
            assertArrayEquals(body, cluster.client(n).retrieve(forever).body(), "forever.bin through " + TestCluster.name(n));
        }
    }

    /** A lone node is a cluster of one: the same pass deletes there, through its one-member placement. */
    @Test
    void aLoneNodeExpiresToo(@TempDir Path alone) throws Exception {
        try (TestCluster single = new TestCluster(alone, 1, 1, 1, 1, 64 << 10).lifecycle(DAY, Duration.ofMillis(300))) {
            single.start(0);
            byte[] body = bytes(new Random(17), 70_000);
            String query = single.client(0).store("brief.bin", body, Map.of("expires_in", "1")).body();
            try (S3Client s3 = GarbageCollectionClusterTest.s3(single.node(0))) {
                s3.createBucket(b -> b.bucket(BUCKET));
                s3.putObject(b -> b.bucket(BUCKET).key("a/1"), RequestBody.fromBytes(body));
                s3.putObject(b -> b.bucket(BUCKET).key("b/1"), RequestBody.fromBytes(body));
                s3.putBucketLifecycleConfiguration(b -> b.bucket(BUCKET).lifecycleConfiguration(BucketLifecycleConfiguration.builder()
                        .rules(rule("a", ExpirationStatus.ENABLED, prefix("a/"), days(1))).build()));
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() ->
                        metric(single.client(0), "hifadhi_lifecycle_expired_total") == 1
                                && metric(single.client(0), "hifadhi_expired_files_total") == 1);
                assertEquals(List.of("b/1"), s3.listObjectsV2(b -> b.bucket(BUCKET)).contents().stream().map(o -> o.key()).toList());
                assertArrayEquals(body, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("b/1")).asByteArray());
                assertEquals(404, single.client(0).retrieve(query).statusCode());
            }
        }
    }

    private static LifecycleRuleFilter prefix(String prefix) {
        return LifecycleRuleFilter.builder().prefix(prefix).build();
    }

    private static Consumer<LifecycleRule.Builder> days(int days) {
        return r -> r.expiration(LifecycleExpiration.builder().days(days).build());
    }

    private static LifecycleRule rule(String id, ExpirationStatus status, LifecycleRuleFilter filter, Consumer<LifecycleRule.Builder> action) {
        LifecycleRule.Builder b = LifecycleRule.builder().id(id).status(status).filter(filter);
        action.accept(b);
        return b.build();
    }

    private static void refused(S3Client s3, int status, String code, LifecycleRule... rules) {
        S3Exception e = assertThrows(S3Exception.class, () -> s3.putBucketLifecycleConfiguration(b -> b.bucket(BUCKET)
                .lifecycleConfiguration(BucketLifecycleConfiguration.builder().rules(rules).build())));
        assertEquals(status, e.statusCode(), e.getMessage());
        assertEquals(code, e.awsErrorDetails().errorCode(), e.getMessage());
        assertNotNull(e.awsErrorDetails().errorMessage());
    }

    private static String upload(S3Client s3, String key, Random random) {
        String id = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
        s3.uploadPart(UploadPartRequest.builder().bucket(BUCKET).key(key).uploadId(id).partNumber(1).build(),
                RequestBody.fromBytes(bytes(random, 100_000)));
        return id;
    }

    private int status(int node, String key) {
        return status(node, BUCKET, key);
    }

    private int status(int node, String bucket, String key) {
        try {
            s3.get(node).headObject(b -> b.bucket(bucket).key(key));
            return 200;
        } catch (S3Exception e) {
            return e.statusCode();
        }
    }

    private void assertReadBack(Map<String, byte[]> objects) {
        for (int n = 0; n < 3; n++) {
            for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                assertArrayEquals(e.getValue(), s3.get(n).getObjectAsBytes(b -> b.bucket(BUCKET).key(e.getKey())).asByteArray(),
                        e.getKey() + " through " + TestCluster.name(n));
            }
        }
    }

    /** A counter summed over the nodes' /metrics. */
    private long sum(String metric) throws Exception {
        long total = 0;
        for (int n = 0; n < 3; n++) {
            total += metric(cluster.client(n), metric);
        }
        return total;
    }

    private static long metric(NativeClient node, String metric) throws Exception {
        for (String line : node.getText("/metrics").body().split("\n")) {
            if (line.startsWith(metric + " ")) {
                return (long) Double.parseDouble(line.substring(metric.length() + 1).trim());
            }
        }
        throw new AssertionError(metric + " is not in /metrics");
    }

    private static byte[] bytes(Random random, int length) {
        return GarbageCollectionClusterTest.bytes(random, length);
    }
}
