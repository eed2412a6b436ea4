package io.hifadhi.node.s3;

import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Multipart uploads against a real node, including an upload that survives a node restart. */
class S3MultipartTest {
    static final int MIB = 1 << 20;

    @TempDir
    Path tmp;
    Node node;
    S3Client s3;

    @BeforeEach
    void start() throws Exception {
        startNode();
        s3.createBucket(b -> b.bucket("mpu"));
    }

    void startNode() throws Exception {
        node = new Node(NodeConfig.builder(tmp.resolve("data")).name("mp").bindAddress("127.0.0.1").httpPort(0).clusterPort(0)
                .shardKey("test-shard-key-0123456789").accessKey(S3TestSupport.ACCESS_KEY).secretKey(S3TestSupport.SECRET_KEY)
                .chunkSize(MIB).build(), new PrintStream(new ByteArrayOutputStream()));
        node.start();
        s3 = S3TestSupport.client(node.httpPort());
    }

    @AfterEach
    void stop() {
        s3.close();
        node.close();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] md5(byte[] b) throws Exception {
        return MessageDigest.getInstance("MD5").digest(b);
    }

    String uploadPart(String key, String id, int n, byte[] data) {
        return s3.uploadPart(b -> b.bucket("mpu").key(key).uploadId(id).partNumber(n), RequestBody.fromBytes(data)).eTag();
    }

    @Test
    void multipartUploadSurvivesRestartAndCompletesWithS3sEtag() throws Exception {
        byte[] p1 = random(5 * MIB, 1);
        byte[] p2 = random(5 * MIB + 3, 2);
        byte[] p3 = random(1000, 3);
        String id = s3.createMultipartUpload(b -> b.bucket("mpu").key("movie.mp4").contentType("video/mp4")
                .metadata(Map.of("origin", "test"))).uploadId();
        String e1 = uploadPart("movie.mp4", id, 1, p1);
        String e3 = uploadPart("movie.mp4", id, 3, p3);
        assertEquals("\"" + HexFormat.of().formatHex(md5(p1)) + "\"", e1);

        // Parts are durable: restart the node between parts.
        s3.close();
        node.close();
        startNode();
        String e2 = uploadPart("movie.mp4", id, 2, p2);

        ListPartsResponse parts = s3.listParts(b -> b.bucket("mpu").key("movie.mp4").uploadId(id));
        assertEquals(List.of(1, 2, 3), parts.parts().stream().map(p -> p.partNumber()).toList());
        assertEquals(List.of((long) p1.length, (long) p2.length, (long) p3.length), parts.parts().stream().map(p -> p.size()).toList());
        ListMultipartUploadsResponse uploads = s3.listMultipartUploads(b -> b.bucket("mpu"));
        assertEquals(List.of(id), uploads.uploads().stream().map(u -> u.uploadId()).toList());
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket("mpu").key("movie.mp4")), "not visible before completion");

        String etag = s3.completeMultipartUpload(b -> b.bucket("mpu").key("movie.mp4").uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(e1).build(),
                CompletedPart.builder().partNumber(2).eTag(e2).build(),
                CompletedPart.builder().partNumber(3).eTag(e3).build()))).eTag();
        MessageDigest all = MessageDigest.getInstance("MD5");
        all.update(md5(p1));
        all.update(md5(p2));
        all.update(md5(p3));
        assertEquals("\"" + HexFormat.of().formatHex(all.digest()) + "-3\"", etag);

        byte[] whole = s3.getObjectAsBytes(b -> b.bucket("mpu").key("movie.mp4")).asByteArray();
        byte[] expected = new byte[p1.length + p2.length + p3.length];
        System.arraycopy(p1, 0, expected, 0, p1.length);
        System.arraycopy(p2, 0, expected, p1.length, p2.length);
        System.arraycopy(p3, 0, expected, p1.length + p2.length, p3.length);
        assertArrayEquals(expected, whole);
        var head = s3.headObject(b -> b.bucket("mpu").key("movie.mp4"));
        assertEquals("video/mp4", head.contentType());
        assertEquals(Map.of("origin", "test"), head.metadata());
        assertEquals(etag, head.eTag());
        int from = 5 * MIB - 10;
        byte[] across = s3.getObjectAsBytes(b -> b.bucket("mpu").key("movie.mp4").range("bytes=" + from + "-" + (from + 19))).asByteArray();
        assertArrayEquals(Arrays.copyOfRange(expected, from, from + 20), across);

        assertTrue(s3.listMultipartUploads(b -> b.bucket("mpu")).uploads().isEmpty());
        assertThrows(NoSuchUploadException.class, () -> s3.listParts(b -> b.bucket("mpu").key("movie.mp4").uploadId(id)));
    }

    @Test
    void completeValidatesPartsAndPublishesNothingOnError() throws Exception {
        String id = s3.createMultipartUpload(b -> b.bucket("mpu").key("k")).uploadId();
        String small = uploadPart("k", id, 1, random(1000, 4));
        String last = uploadPart("k", id, 2, random(1000, 5));

        S3Exception tooSmall = assertThrows(S3Exception.class, () -> s3.completeMultipartUpload(b -> b.bucket("mpu").key("k").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(small).build(),
                        CompletedPart.builder().partNumber(2).eTag(last).build()))));
        assertEquals("EntityTooSmall", tooSmall.awsErrorDetails().errorCode());
        S3Exception order = assertThrows(S3Exception.class, () -> s3.completeMultipartUpload(b -> b.bucket("mpu").key("k").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(2).eTag(last).build(),
                        CompletedPart.builder().partNumber(1).eTag(small).build()))));
        assertEquals("InvalidPartOrder", order.awsErrorDetails().errorCode());
        S3Exception wrongEtag = assertThrows(S3Exception.class, () -> s3.completeMultipartUpload(b -> b.bucket("mpu").key("k").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(2).eTag("\"00000000000000000000000000000000\"").build()))));
        assertEquals("InvalidPart", wrongEtag.awsErrorDetails().errorCode());
        S3Exception missing = assertThrows(S3Exception.class, () -> s3.completeMultipartUpload(b -> b.bucket("mpu").key("k").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(7).eTag(last).build()))));
        assertEquals("InvalidPart", missing.awsErrorDetails().errorCode());
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket("mpu").key("k")));

        // A single small part is a valid upload (only non-last parts have a minimum).
        s3.completeMultipartUpload(b -> b.bucket("mpu").key("k").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(2).eTag(last).build())));
        String first = s3.headObject(b -> b.bucket("mpu").key("k")).eTag();
        assertArrayEquals(random(1000, 5), s3.getObjectAsBytes(b -> b.bucket("mpu").key("k")).asByteArray());
        // A retried Complete (the SDKs retry after a timeout) with the same parts answers as the first did.
        assertEquals(first, s3.completeMultipartUpload(b -> b.bucket("mpu").key("k").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(2).eTag(last).build()))).eTag());
        // Other parts, or the object overwritten since, and the upload is unknown.
        assertThrows(NoSuchUploadException.class, () -> s3.completeMultipartUpload(b -> b.bucket("mpu").key("k").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(small).build()))));
        assertThrows(NoSuchUploadException.class, () -> s3.completeMultipartUpload(b -> b.bucket("mpu").key("k").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(2).eTag("\"not hex\"").build()))));
        s3.putObject(b -> b.bucket("mpu").key("k"), RequestBody.fromBytes(random(1000, 5)));
        assertThrows(NoSuchUploadException.class, () -> s3.completeMultipartUpload(b -> b.bucket("mpu").key("k").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(2).eTag(last).build()))));
        assertThrows(NoSuchUploadException.class, () -> s3.completeMultipartUpload(b -> b.bucket("mpu").key("never").uploadId("no-such-id")
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(2).eTag(last).build()))));
    }

    @Test
    void abortAndUnknownUploads() {
        String id = s3.createMultipartUpload(b -> b.bucket("mpu").key("gone")).uploadId();
        uploadPart("gone", id, 1, random(100, 6));
        s3.abortMultipartUpload(b -> b.bucket("mpu").key("gone").uploadId(id));
        assertThrows(NoSuchUploadException.class, () -> s3.uploadPart(b -> b.bucket("mpu").key("gone").uploadId(id).partNumber(2),
                RequestBody.fromString("x")));
        assertThrows(NoSuchUploadException.class, () -> s3.abortMultipartUpload(b -> b.bucket("mpu").key("gone").uploadId(id)));
        assertThrows(NoSuchUploadException.class, () -> s3.listParts(b -> b.bucket("mpu").key("gone").uploadId("not-an-id")));
        assertFalse(s3.listMultipartUploads(b -> b.bucket("mpu")).uploads().stream().anyMatch(u -> u.uploadId().equals(id)));
        S3Exception badNumber = assertThrows(S3Exception.class, () -> s3.uploadPart(b -> b.bucket("mpu").key("gone").uploadId(id)
                .partNumber(10001), RequestBody.fromString("x")));
        assertEquals(400, badNumber.statusCode());
    }

    @Test
    void uploadPartCopyTakesARangeOfAnotherObject() throws Exception {
        byte[] source = random(6 * MIB, 8);
        s3.putObject(b -> b.bucket("mpu").key("src"), RequestBody.fromBytes(source));
        String id = s3.createMultipartUpload(b -> b.bucket("mpu").key("assembled")).uploadId();
        UploadPartCopyResponse c1 = s3.uploadPartCopy(b -> b.sourceBucket("mpu").sourceKey("src").destinationBucket("mpu")
                .destinationKey("assembled").uploadId(id).partNumber(1).copySourceRange("bytes=0-" + (5 * MIB - 1)));
        UploadPartCopyResponse c2 = s3.uploadPartCopy(b -> b.sourceBucket("mpu").sourceKey("src").destinationBucket("mpu")
                .destinationKey("assembled").uploadId(id).partNumber(2).copySourceRange("bytes=100-199"));
        S3Exception outside = assertThrows(S3Exception.class, () -> s3.uploadPartCopy(b -> b.sourceBucket("mpu").sourceKey("src")
                .destinationBucket("mpu").destinationKey("assembled").uploadId(id).partNumber(3)
                .copySourceRange("bytes=0-" + (7 * MIB))));
        assertEquals(416, outside.statusCode());
        s3.completeMultipartUpload(b -> b.bucket("mpu").key("assembled").uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(c1.copyPartResult().eTag()).build(),
                CompletedPart.builder().partNumber(2).eTag(c2.copyPartResult().eTag()).build())));
        byte[] got = s3.getObjectAsBytes(b -> b.bucket("mpu").key("assembled")).asByteArray();
        byte[] expected = new byte[5 * MIB + 100];
        System.arraycopy(source, 0, expected, 0, 5 * MIB);
        System.arraycopy(source, 100, expected, 5 * MIB, 100);
        assertArrayEquals(expected, got);
    }
}
