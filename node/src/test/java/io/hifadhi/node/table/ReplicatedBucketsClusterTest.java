package io.hifadhi.node.table;

import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.Bucket;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Buckets live in a fully replicated table: a bucket created through one node exists on every
 * node, objects put through one node are read and listed through another with a real AWS SDK
 * client, and a node that was down while a bucket was created learns it when it comes back.
 */
class ReplicatedBucketsClusterTest {
    private static final String KEY = "bucket-table-test-shard-key-0123";
    private static final String ACCESS = "AKIDBUCKETTEST01";
    private static final String SECRET = "bucket-table-test-secret-0123456789";

    @TempDir
    Path dir;

    private final List<Node> nodes = new ArrayList<>(List.of());
    private int[] ports;

    private Node start(int i) throws Exception {
        List<String> join = new ArrayList<>();
        for (int j = 0; j < ports.length; j++) {
            if (j != i && nodes.size() > j && nodes.get(j) != null) {
                join.add("127.0.0.1:" + ports[j]);
            }
        }
        Node n = new Node(NodeConfig.builder(dir.resolve("n" + i)).name("node-" + i).bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(ports[i]).shardKey(KEY).join(join).accessKey(ACCESS).secretKey(SECRET)
                .chunkSize(64 * 1024).build(), new PrintStream(new ByteArrayOutputStream()));
        n.start();
        while (nodes.size() <= i) {
            nodes.add(null);
        }
        nodes.set(i, n);
        return n;
    }

    private static S3Client s3(Node n) {
        return S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + n.httpPort()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    private void awaitAllSeeAll(int expectedReachable) {
        for (Node n : nodes) {
            if (n != null) {
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        n.clusterMembers().stream().filter(m -> m.reachable()).count() == expectedReachable);
            }
        }
    }

    @Test
    void bucketsAreOnEveryNodeAndCatchUpAfterAnAbsence() throws Exception {
        ports = new int[]{NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
        try {
            for (int i = 0; i < 3; i++) {
                start(i);
            }
            awaitAllSeeAll(3);
            byte[] body = new byte[200_000];
            new Random(9).nextBytes(body);
            try (S3Client a = s3(nodes.get(0))) {
                a.createBucket(b -> b.bucket("shared"));
                a.putObject(b -> b.bucket("shared").key("dir/obj.bin"), RequestBody.fromBytes(body));
            }
            for (int i = 1; i < 3; i++) {
                try (S3Client c = s3(nodes.get(i))) {
                    c.headBucket(b -> b.bucket("shared"));
                    assertEquals(List.of("shared"), c.listBuckets().buckets().stream().map(Bucket::name).toList());
                    assertArrayEquals(body, c.getObjectAsBytes(b -> b.bucket("shared").key("dir/obj.bin")).asByteArray());
                    assertEquals(List.of("dir/obj.bin"), c.listObjectsV2(b -> b.bucket("shared")).contents().stream()
                            .map(o -> o.key()).toList());
                }
            }

            // Where is it? The S3 form of /api/v1/locate names bucket and key.
            java.net.http.HttpResponse<String> located = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(1).httpPort()
                            + "/api/v1/locate/shared/dir%2Fobj.bin")).header("SHARD-KEY", KEY).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, located.statusCode(), located.body());
            com.fasterxml.jackson.databind.JsonNode where = new com.fasterxml.jackson.databind.ObjectMapper().readTree(located.body());
            assertEquals("shared", where.get("bucket").asText());
            assertEquals("dir/obj.bin", where.get("key").asText());
            assertEquals(3, where.get("record_holders").size(), located.body());
            assertEquals(4, where.get("chunks").size(), "200,000 bytes in 64 KiB chunks");
            java.net.http.HttpResponse<String> missing = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(1).httpPort()
                            + "/api/v1/locate/shared/nope")).header("SHARD-KEY", KEY).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());

            // A multipart upload through node 0 (parts go through the replicated data path), read through node 2.
            byte[] part1 = new byte[5 << 20];
            byte[] part2 = new byte[1000];
            new Random(10).nextBytes(part1);
            new Random(11).nextBytes(part2);
            try (S3Client a = s3(nodes.get(0))) {
                String id = a.createMultipartUpload(r -> r.bucket("shared").key("multi.bin")).uploadId();
                String e1 = a.uploadPart(r -> r.bucket("shared").key("multi.bin").uploadId(id).partNumber(1),
                        RequestBody.fromBytes(part1)).eTag();
                String e2 = a.uploadPart(r -> r.bucket("shared").key("multi.bin").uploadId(id).partNumber(2),
                        RequestBody.fromBytes(part2)).eTag();
                a.completeMultipartUpload(r -> r.bucket("shared").key("multi.bin").uploadId(id).multipartUpload(m -> m.parts(
                        software.amazon.awssdk.services.s3.model.CompletedPart.builder().partNumber(1).eTag(e1).build(),
                        software.amazon.awssdk.services.s3.model.CompletedPart.builder().partNumber(2).eTag(e2).build())));
            }
            try (S3Client c = s3(nodes.get(2))) {
                byte[] whole = c.getObjectAsBytes(r -> r.bucket("shared").key("multi.bin")).asByteArray();
                assertEquals(part1.length + part2.length, whole.length);
                assertArrayEquals(part1, java.util.Arrays.copyOf(whole, part1.length));
                assertArrayEquals(part2, java.util.Arrays.copyOfRange(whole, part1.length, whole.length));
                c.deleteObject(r -> r.bucket("shared").key("multi.bin"));
            }

            nodes.get(2).close();
            nodes.set(2, null);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    nodes.get(0).clusterMembers().stream().filter(m -> m.reachable()).count() == 2);
            try (S3Client b = s3(nodes.get(1))) {
                b.createBucket(r -> r.bucket("made-while-away"));
            }
            Node back = start(2);
            awaitAllSeeAll(3);
            try (S3Client c = s3(back)) {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(List.of("made-while-away", "shared"),
                        c.listBuckets().buckets().stream().map(Bucket::name).toList()));
                c.deleteObject(r -> r.bucket("shared").key("dir/obj.bin"));
                c.deleteBucket(r -> r.bucket("shared"));
            }
            try (S3Client a = s3(nodes.get(0))) {
                assertEquals(List.of("made-while-away"), a.listBuckets().buckets().stream().map(Bucket::name).toList());
                assertTrue(a.listObjectsV2(r -> r.bucket("made-while-away")).contents().isEmpty());
            }
        } finally {
            for (Node n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
        }
    }
}
