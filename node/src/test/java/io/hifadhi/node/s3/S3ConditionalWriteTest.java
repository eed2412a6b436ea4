package io.hifadhi.node.s3;

import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PutObject and CompleteMultipartUpload with If-None-Match: * and If-Match, through the SDK v2, on a real node. */
class S3ConditionalWriteTest {
    @TempDir
    static Path tmp;
    static Node node;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        node = new Node(NodeConfig.builder(tmp.resolve("data")).name("cond").bindAddress("127.0.0.1").httpPort(0).clusterPort(0)
                .shardKey("cond-test-shard-key-0123456789").accessKey(S3TestSupport.ACCESS_KEY)
                .secretKey(S3TestSupport.SECRET_KEY).build(), new PrintStream(new ByteArrayOutputStream()));
        node.start();
        s3 = S3TestSupport.client(node.httpPort());
        s3.createBucket(b -> b.bucket("cond"));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private static String body(String key) {
        return s3.getObjectAsBytes(b -> b.bucket("cond").key(key)).asString(StandardCharsets.UTF_8);
    }

    private static S3Exception refused(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(S3Exception.class, call);
    }

    @Test
    void ifNoneMatchStarWritesOnlyWhereNothingIs() {
        String etag = s3.putObject(b -> b.bucket("cond").key("once").ifNoneMatch("*"), RequestBody.fromString("first")).eTag();
        S3Exception second = refused(() -> s3.putObject(b -> b.bucket("cond").key("once").ifNoneMatch("*"), RequestBody.fromString("second")));
        assertEquals(412, second.statusCode());
        assertEquals("PreconditionFailed", second.awsErrorDetails().errorCode());
        assertEquals("first", body("once"));
        assertEquals(etag, s3.headObject(b -> b.bucket("cond").key("once")).eTag());
        // Only "*" is a write condition for If-None-Match.
        assertEquals(501, refused(() -> s3.putObject(b -> b.bucket("cond").key("once").ifNoneMatch(etag),
                RequestBody.fromString("x"))).statusCode());
        // After a delete the key is free again.
        s3.deleteObject(b -> b.bucket("cond").key("once"));
        s3.putObject(b -> b.bucket("cond").key("once").ifNoneMatch("*"), RequestBody.fromString("again"));
        assertEquals("again", body("once"));
    }

    @Test
    void ifMatchWritesOnlyOverThatEtag() {
        String v1 = s3.putObject(b -> b.bucket("cond").key("cas"), RequestBody.fromString("v1")).eTag();
        String v2 = s3.putObject(b -> b.bucket("cond").key("cas").ifMatch(v1), RequestBody.fromString("v2")).eTag();
        S3Exception stale = refused(() -> s3.putObject(b -> b.bucket("cond").key("cas").ifMatch(v1), RequestBody.fromString("v3")));
        assertEquals(412, stale.statusCode());
        assertEquals("v2", body("cas"));
        assertEquals(404, refused(() -> s3.putObject(b -> b.bucket("cond").key("absent").ifMatch(v2),
                RequestBody.fromString("x"))).statusCode());
        assertEquals(404, refused(() -> s3.headObject(b -> b.bucket("cond").key("absent"))).statusCode(), "nothing was written");
    }

    /** Sixteen writers race for one key through one node: exactly one If-None-Match: * succeeds. */
    @Test
    void concurrentCreatesHaveOneWinner() throws Exception {
        int writers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String mine = "writer-" + i;
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        s3.putObject(b -> b.bucket("cond").key("race").ifNoneMatch("*"), RequestBody.fromString(mine));
                        return 200;
                    } catch (S3Exception e) {
                        return e.statusCode();
                    }
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : results) {
                statuses.add(f.get());
            }
            assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
            assertEquals(writers - 1, statuses.stream().filter(s -> s == 412).count(), statuses.toString());
            assertTrue(body("race").startsWith("writer-"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void completeMultipartUploadHonoursConditions() {
        s3.putObject(b -> b.bucket("cond").key("mp"), RequestBody.fromString("already here"));
        String id = s3.createMultipartUpload(b -> b.bucket("cond").key("mp")).uploadId();
        String part = s3.uploadPart(b -> b.bucket("cond").key("mp").uploadId(id).partNumber(1), RequestBody.fromString("parts")).eTag();
        S3Exception refused = refused(() -> s3.completeMultipartUpload(b -> b.bucket("cond").key("mp").uploadId(id).ifNoneMatch("*")
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(part).build()))));
        assertEquals(412, refused.statusCode());
        assertEquals("already here", body("mp"));
        // The upload is still open: completing over the current ETag works.
        String current = s3.headObject(b -> b.bucket("cond").key("mp")).eTag();
        s3.completeMultipartUpload(b -> b.bucket("cond").key("mp").uploadId(id).ifMatch(current)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(part).build())));
        assertEquals("parts", body("mp"));
    }
}
