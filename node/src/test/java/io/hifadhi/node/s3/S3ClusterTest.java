package io.hifadhi.node.s3;

import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The S3 API of a three-node cluster (real nodes in this JVM: sockets, disks, RocksDB, Atomix;
 * N=3, W=2, R=2, 64 KiB chunks), one SDK client per node with the same key pair: every operation
 * goes through a different node than the one that wrote what it reads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class S3ClusterTest {
    static final String KEY = "s3-cluster-test-shard-key-0123";
    static final int CHUNK = 64 * 1024;
    /** Buckets live in a table written to every reachable node with W acks; the others apply it moments later. */
    static final Duration BUCKET_PROPAGATION = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    final Node[] nodes = new Node[3];
    final S3Client[] clients = new S3Client[3];

    @BeforeAll
    void startCluster() throws Exception {
        int seedPort = NodeProcess.freePort();
        for (int i = 0; i < 3; i++) {
            int clusterPort = i == 0 ? seedPort : NodeProcess.freePort();
            List<String> join = i == 0 ? List.of() : List.of("127.0.0.1:" + seedPort);
            nodes[i] = new Node(NodeConfig.builder(dir.resolve("node-" + i)).name("s3-node-" + (char) ('a' + i))
                    .bindAddress("127.0.0.1").httpPort(0).clusterPort(clusterPort).shardKey(KEY).join(join)
                    .chunkSize(CHUNK).accessKey(S3TestSupport.ACCESS_KEY).secretKey(S3TestSupport.SECRET_KEY).build(),
                    new PrintStream(new ByteArrayOutputStream()));
            nodes[i].start();
            clients[i] = S3TestSupport.client(nodes[i].httpPort());
        }
        for (Node n : nodes) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                    n.clusterMembers().stream().filter(m -> m.reachable()).count() == 3);
        }
    }

    @AfterAll
    void stopCluster() {
        for (int i = 0; i < 3; i++) {
            if (clients[i] != null) {
                clients[i].close();
            }
            if (nodes[i] != null) {
                nodes[i].close();
            }
        }
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String md5Hex(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    long recordWritesOfAll() throws Exception {
        long sum = 0;
        for (Node n : nodes) {
            sum += S3TestSupport.recordWrites(n.httpPort(), KEY);
        }
        return sum;
    }

    void awaitBucketOnEveryNode(String bucket) {
        long t0 = System.nanoTime();
        for (S3Client c : clients) {
            await().atMost(BUCKET_PROPAGATION).pollInterval(Duration.ofMillis(20)).ignoreException(NoSuchBucketException.class)
                    .untilAsserted(() -> c.headBucket(b -> b.bucket(bucket)));
        }
        System.out.printf("bucket %s visible through all three nodes %.1f ms after CreateBucket returned%n",
                bucket, (System.nanoTime() - t0) / 1e6);
    }

    @Test
    void objectsWrittenThroughOneNodeAreReadListedAndDeletedThroughAnother() throws Exception {
        S3Client a = clients[0];
        S3Client b = clients[1];
        S3Client c = clients[2];
        a.createBucket(r -> r.bucket("shared"));
        awaitBucketOnEveryNode("shared");
        for (S3Client any : clients) {
            assertTrue(any.listBuckets().buckets().stream().map(Bucket::name).anyMatch("shared"::equals));
        }

        byte[] big = random(5 * CHUNK + 1234, 1);   // six chunks
        byte[] small = "a small object, inline in its record".getBytes(StandardCharsets.UTF_8);
        String bigEtag = b.putObject(r -> r.bucket("shared").key("video/big.bin").contentType("video/mp4")
                .metadata(Map.of("origin", "node-b")), RequestBody.fromBytes(big)).eTag();
        b.putObject(r -> r.bucket("shared").key("docs/small.txt").contentType("text/plain"), RequestBody.fromBytes(small));
        b.putObject(r -> r.bucket("shared").key("top.txt"), RequestBody.fromString("top"));
        assertEquals("\"" + md5Hex(big) + "\"", bigEtag);

        // Read through C and A: body, headers, a range across a chunk boundary.
        for (S3Client reader : List.of(c, a)) {
            ResponseBytes<GetObjectResponse> got = reader.getObjectAsBytes(r -> r.bucket("shared").key("video/big.bin"));
            assertArrayEquals(big, got.asByteArray());
            assertEquals(bigEtag, got.response().eTag());
            assertEquals("video/mp4", got.response().contentType());
            assertEquals(Map.of("origin", "node-b"), got.response().metadata());
            HeadObjectResponse head = reader.headObject(r -> r.bucket("shared").key("video/big.bin"));
            assertEquals(big.length, head.contentLength());
            assertEquals(bigEtag, head.eTag());
            byte[] range = reader.getObjectAsBytes(r -> r.bucket("shared").key("video/big.bin")
                    .range("bytes=" + (CHUNK - 10) + "-" + (2 * CHUNK + 9))).asByteArray();
            assertArrayEquals(Arrays.copyOfRange(big, CHUNK - 10, 2 * CHUNK + 10), range);
            assertArrayEquals(small, reader.getObjectAsBytes(r -> r.bucket("shared").key("docs/small.txt")).asByteArray());
        }
        ListObjectsV2Response root = c.listObjectsV2(r -> r.bucket("shared").delimiter("/"));
        assertEquals(List.of("top.txt"), root.contents().stream().map(S3Object::key).toList());
        assertEquals(List.of("docs/", "video/"), root.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        List<String> paged = new ArrayList<>();
        c.listObjectsV2Paginator(r -> r.bucket("shared").maxKeys(1)).forEach(p -> p.contents().forEach(o -> paged.add(o.key())));
        assertEquals(List.of("docs/small.txt", "top.txt", "video/big.bin"), paged);

        // Overwrite through C, read through A: the newer version wins.
        c.putObject(r -> r.bucket("shared").key("top.txt"), RequestBody.fromString("top, second version"));
        assertEquals("top, second version", a.getObjectAsBytes(r -> r.bucket("shared").key("top.txt")).asUtf8String());

        // Copy through A of an object B wrote, read through C.
        a.copyObject(r -> r.sourceBucket("shared").sourceKey("video/big.bin").destinationBucket("shared").destinationKey("copy.bin"));
        assertArrayEquals(big, c.getObjectAsBytes(r -> r.bucket("shared").key("copy.bin")).asByteArray());

        // Delete through C: gone through every node, also from listings.
        c.deleteObject(r -> r.bucket("shared").key("docs/small.txt"));
        for (S3Client any : clients) {
            assertThrows(NoSuchKeyException.class, () -> any.getObject(r -> r.bucket("shared").key("docs/small.txt")));
            assertEquals(List.of("copy.bin", "top.txt", "video/big.bin"), any.listObjectsV2(r -> r.bucket("shared"))
                    .contents().stream().map(S3Object::key).toList());
        }
        b.deleteObjects(r -> r.bucket("shared").delete(d -> d.objects(ObjectIdentifier.builder().key("copy.bin").build(),
                ObjectIdentifier.builder().key("top.txt").build(), ObjectIdentifier.builder().key("video/big.bin").build())));
        for (S3Client any : clients) {
            assertEquals(0, any.listObjectsV2(r -> r.bucket("shared")).keyCount());
        }

        // An empty bucket deleted through C is gone through every node.
        c.deleteBucket(r -> r.bucket("shared"));
        for (S3Client any : clients) {
            await().atMost(BUCKET_PROPAGATION).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                    assertThrows(NoSuchBucketException.class, () -> any.headBucket(r -> r.bucket("shared"))));
            assertTrue(any.listBuckets().buckets().stream().map(Bucket::name).noneMatch("shared"::equals));
        }
    }

    @Test
    void multipartUploadThroughOneNodeIsReadThroughTheOthers() throws Exception {
        S3Client a = clients[0];
        S3Client b = clients[1];
        S3Client c = clients[2];
        c.createBucket(r -> r.bucket("multi"));
        awaitBucketOnEveryNode("multi");
        byte[] p1 = random(5 << 20, 11);
        byte[] p2 = random(5 << 20, 12);
        byte[] p3 = random(4321, 13);
        String id = b.createMultipartUpload(r -> r.bucket("multi").key("film.bin").contentType("video/mp4")).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        MessageDigest md5s = MessageDigest.getInstance("MD5");
        int n = 1;
        for (byte[] part : List.of(p1, p2, p3)) {
            int number = n++;
            String etag = b.uploadPart(r -> r.bucket("multi").key("film.bin").uploadId(id).partNumber(number),
                    RequestBody.fromBytes(part)).eTag();
            assertEquals("\"" + md5Hex(part) + "\"", etag);
            md5s.update(MessageDigest.getInstance("MD5").digest(part));
            parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        }
        String etag = b.completeMultipartUpload(r -> r.bucket("multi").key("film.bin").uploadId(id)
                .multipartUpload(m -> m.parts(parts))).eTag();
        assertEquals("\"" + HexFormat.of().formatHex(md5s.digest()) + "-3\"", etag);

        byte[] expected = new byte[p1.length + p2.length + p3.length];
        System.arraycopy(p1, 0, expected, 0, p1.length);
        System.arraycopy(p2, 0, expected, p1.length, p2.length);
        System.arraycopy(p3, 0, expected, p1.length + p2.length, p3.length);
        for (S3Client reader : List.of(c, a)) {
            ResponseBytes<GetObjectResponse> got = reader.getObjectAsBytes(r -> r.bucket("multi").key("film.bin"));
            assertArrayEquals(expected, got.asByteArray());
            assertEquals(etag, got.response().eTag());
            assertEquals("video/mp4", got.response().contentType());
            int from = p1.length - 7;
            byte[] across = reader.getObjectAsBytes(r -> r.bucket("multi").key("film.bin")
                    .range("bytes=" + from + "-" + (from + 13))).asByteArray();
            assertArrayEquals(Arrays.copyOfRange(expected, from, from + 14), across);
            assertEquals(List.of("film.bin"), reader.listObjectsV2(r -> r.bucket("multi")).contents().stream()
                    .map(S3Object::key).toList());
        }
        a.deleteObject(r -> r.bucket("multi").key("film.bin"));
        assertThrows(NoSuchKeyException.class, () -> c.headObject(r -> r.bucket("multi").key("film.bin")));
        a.deleteBucket(r -> r.bucket("multi"));
    }

    /** A presigned S3 link works on whichever node it names: keys are cluster-wide, so is the check. */
    @Test
    void presignedLinksWorkOnEveryNode() throws Exception {
        clients[0].createBucket(r -> r.bucket("links"));
        awaitBucketOnEveryNode("links");
        byte[] body = random(300_000, 31);
        clients[1].putObject(r -> r.bucket("links").key("shared.bin"), RequestBody.fromBytes(body));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < nodes.length; i++) {
            try (software.amazon.awssdk.services.s3.presigner.S3Presigner presigner = S3TestSupport.presigner(nodes[i].httpPort())) {
                java.net.URI get = presigner.presignGetObject(r -> r.signatureDuration(Duration.ofMinutes(5))
                        .getObjectRequest(g -> g.bucket("links").key("shared.bin"))).url().toURI();
                java.net.http.HttpResponse<byte[]> got = http.send(java.net.http.HttpRequest.newBuilder(get).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, got.statusCode(), "presigned GET via node " + i);
                assertArrayEquals(body, got.body());

                String key = "put-via-" + i;
                java.net.URI put = presigner.presignPutObject(r -> r.signatureDuration(Duration.ofMinutes(5))
                        .putObjectRequest(p -> p.bucket("links").key(key))).url().toURI();
                java.net.http.HttpResponse<String> stored = http.send(java.net.http.HttpRequest.newBuilder(put)
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("via " + i)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, stored.statusCode(), "presigned PUT via node " + i + ": " + stored.body());
                int other = (i + 1) % nodes.length;
                assertEquals("via " + i, clients[other].getObjectAsBytes(r -> r.bucket("links").key(key)).asUtf8String());
                clients[other].deleteObject(r -> r.bucket("links").key(key));
            }
        }
        clients[2].deleteObject(r -> r.bucket("links").key("shared.bin"));
        clients[2].deleteBucket(r -> r.bucket("links"));
    }

    /**
     * A public-read object (its ACL is a grant in the object's record) and a public-read bucket (its ACL is in the
     * bucket table every node holds) are read and listed without a key through every node; a private one is refused
     * by every node, and making the object private again closes it everywhere at once (the record is read by quorum).
     */
    @Test
    void publicObjectsAreReadAnonymouslyThroughEveryNode() throws Exception {
        clients[0].createBucket(r -> r.bucket("open").acl(software.amazon.awssdk.services.s3.model.BucketCannedACL.PUBLIC_READ));
        awaitBucketOnEveryNode("open");
        byte[] body = random(300_000, 41);
        long before = recordWritesOfAll();
        clients[1].putObject(r -> r.bucket("open").key("pub/file.bin").acl(software.amazon.awssdk.services.s3.model.ObjectCannedACL.PUBLIC_READ),
                RequestBody.fromBytes(body));
        // Body and ACL are one record version on each of the N=3 replicas (W=2 answered; the third may be a moment
        // behind), never a private version followed by a public one, which would be two on each.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> recordWritesOfAll() - before >= 3);
        assertEquals(3, recordWritesOfAll() - before, "record copies written by a PUT with x-amz-acl");
        clients[2].putObject(r -> r.bucket("open").key("secret.bin"), RequestBody.fromString("no"));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < nodes.length; i++) {
            String base = "http://127.0.0.1:" + nodes[i].httpPort() + "/open";
            java.net.http.HttpResponse<byte[]> got = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/pub/file.bin")).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, got.statusCode(), "anonymous GET via node " + i);
            assertArrayEquals(body, got.body());
            assertEquals(403, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/secret.bin")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode(), "private object via node " + i);
            java.net.URI list = java.net.URI.create(base + "?list-type=2");
            await().atMost(BUCKET_PROPAGATION).untilAsserted(() -> {
                java.net.http.HttpResponse<String> listed = http.send(java.net.http.HttpRequest.newBuilder(list).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, listed.statusCode(), listed.body());
                assertTrue(listed.body().contains("<Key>pub/file.bin</Key>") && listed.body().contains("<Key>secret.bin</Key>"));
            });
        }
        clients[2].putObjectAcl(r -> r.bucket("open").key("pub/file.bin").acl(software.amazon.awssdk.services.s3.model.ObjectCannedACL.PRIVATE));
        for (Node n : nodes) {
            assertEquals(403, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + n.httpPort()
                    + "/open/pub/file.bin")).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        clients[0].deleteObjects(r -> r.bucket("open").delete(d -> d.objects(ObjectIdentifier.builder().key("pub/file.bin").build(),
                ObjectIdentifier.builder().key("secret.bin").build())));
        clients[0].deleteBucket(r -> r.bucket("open"));
    }

    /**
     * Behind a load balancer (or DNS round robin with a pooled client) the parts of one upload reach
     * different nodes: upload and part records live in a table replicated to every node, so any node
     * takes any part, lists the upload, and completes it.
     */
    @Test
    void partsOfOneUploadThroughDifferentNodes() throws Exception {
        S3Client a = clients[0];
        S3Client b = clients[1];
        S3Client c = clients[2];
        a.createBucket(r -> r.bucket("spread"));
        awaitBucketOnEveryNode("spread");
        byte[] p1 = random(5 << 20, 21);
        byte[] p2 = random(777, 22);
        String id = a.createMultipartUpload(r -> r.bucket("spread").key("k").checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        // Listings read this node's copy, which a write reaches within moments (it waited for 2 of 3).
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(List.of(id),
                c.listMultipartUploads(r -> r.bucket("spread")).uploads().stream().map(u -> u.uploadId()).toList()));
        UploadPartResponse r1 = b.uploadPart(r -> r.bucket("spread").key("k").uploadId(id).partNumber(1)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(p1));
        UploadPartResponse r2 = c.uploadPart(r -> r.bucket("spread").key("k").uploadId(id).partNumber(2)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(p2));
        String e1 = r1.eTag();
        String e2 = r2.eTag();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(List.of(1, 2),
                a.listParts(r -> r.bucket("spread").key("k").uploadId(id)).parts().stream().map(p -> p.partNumber()).toList()));
        // The part checksums went through b and c, the upload's algorithm through a: Complete through b finds them all.
        String composite = b.completeMultipartUpload(r -> r.bucket("spread").key("k").uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2).build())))
                .checksumSHA256();
        assertTrue(composite.endsWith("-2"), composite);
        byte[] expected = Arrays.copyOf(p1, p1.length + p2.length);
        System.arraycopy(p2, 0, expected, p1.length, p2.length);
        assertArrayEquals(expected, c.getObjectAsBytes(r -> r.bucket("spread").key("k")).asByteArray());
        assertEquals(composite, c.headObject(r -> r.bucket("spread").key("k").checksumMode(ChecksumMode.ENABLED)).checksumSHA256());
        ResponseBytes<GetObjectResponse> second = a.getObjectAsBytes(r -> r.bucket("spread").key("k").partNumber(2)
                .checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(p2, second.asByteArray());
        assertEquals(r2.checksumSHA256(), second.response().checksumSHA256());
        // A single PUT's CRC32C, stored through a, returned (and checked by the SDK) through c.
        a.putObject(r -> r.bucket("spread").key("one").checksumAlgorithm(ChecksumAlgorithm.CRC32_C), RequestBody.fromBytes(p2));
        GetObjectResponse one = c.getObjectAsBytes(r -> r.bucket("spread").key("one").checksumMode(ChecksumMode.ENABLED)).response();
        assertEquals(S3ChecksumTest.crc32c(p2), one.checksumCRC32C());
        assertEquals(ChecksumType.FULL_OBJECT, one.checksumType());
        a.deleteObject(r -> r.bucket("spread").key("one"));
        for (S3Client any : clients) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertTrue(any.listMultipartUploads(r -> r.bucket("spread")).uploads().isEmpty()));
        }
        a.deleteObject(r -> r.bucket("spread").key("k"));
        a.deleteBucket(r -> r.bucket("spread"));
    }
}
