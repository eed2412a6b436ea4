package io.hifadhi.node.s3;

import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.DebianProgram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.GetObjectAttributesResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectAttributes;
import software.amazon.awssdk.services.s3.model.ObjectPart;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * S3 additional checksums, GetObjectAttributes and GET/HEAD by partNumber on one real node, through the clients that
 * send them: the SDK for Java v2 (CRC32 trailers by default, every algorithm on request, composite and full-object
 * multipart checksums; it checks a GET's body against the returned checksum itself), Debian's boto3 and Debian's aws
 * CLI. Every refusal also checks that nothing was written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ChecksumTest {
    static final int MIB = 1 << 20;
    static final String BUCKET = "sums";

    @TempDir
    static Path tmp;
    Node node;
    S3Client s3;

    @BeforeAll
    void start() throws Exception {
        node = new Node(NodeConfig.builder(tmp.resolve("data")).name("sums").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey("checksum-test-shard-key-0123").accessKey(S3TestSupport.ACCESS_KEY)
                .secretKey(S3TestSupport.SECRET_KEY).build(), new PrintStream(new ByteArrayOutputStream()));
        node.start();
        s3 = S3TestSupport.client(node.httpPort());
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (node != null) {
            node.close();
        }
    }

    // ---------------------------------------------------------------- single-part objects, SDK v2

    /** The SDK's default: a CRC32 trailer on an aws-chunked body; kept, and returned only with checksum mode. */
    @Test
    void sdkDefaultCrc32TrailerIsKeptAndReturned() {
        byte[] body = random(300_000, 1);
        PutObjectResponse put = s3.putObject(b -> b.bucket(BUCKET).key("default"), RequestBody.fromBytes(body));
        assertEquals(crc32(body), put.checksumCRC32(), "the SDK sends CRC32 by default; the PUT answer echoes it");
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("default")
                .checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(body, got.asByteArray());
        assertEquals(crc32(body), got.response().checksumCRC32());
        assertEquals(ChecksumType.FULL_OBJECT, got.response().checksumType());
        HeadObjectResponse head = s3.headObject(b -> b.bucket(BUCKET).key("default").checksumMode(ChecksumMode.ENABLED));
        assertEquals(crc32(body), head.checksumCRC32());
        assertNull(s3.headObject(b -> b.bucket(BUCKET).key("default")).checksumCRC32(), "not without x-amz-checksum-mode");
        GetObjectResponse ranged = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("default").range("bytes=10-99")
                .checksumMode(ChecksumMode.ENABLED)).response();
        assertNull(ranged.checksumCRC32(), "a range answer carries no whole-object checksum");
    }

    /**
     * Each algorithm asked for by name: computed by the SDK, verified and kept by the node, checked again by the SDK.
     * (CRC64NVME needs the SDK's CRT module, which this build does not have; ChecksumsTest covers its arithmetic.)
     */
    @Test
    void everyAlgorithmRoundTrips() {
        byte[] body = random(70_000, 2);
        for (ChecksumAlgorithm a : List.of(ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32_C, ChecksumAlgorithm.SHA1,
                ChecksumAlgorithm.SHA256)) {
            String key = "algo-" + a;
            s3.putObject(b -> b.bucket(BUCKET).key(key).checksumAlgorithm(a), RequestBody.fromBytes(body));
            ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)
                    .checksumMode(ChecksumMode.ENABLED));
            assertArrayEquals(body, got.asByteArray(), a.toString());
            GetObjectResponse r = got.response();
            String returned = switch (a) {
                case CRC32 -> r.checksumCRC32();
                case CRC32_C -> r.checksumCRC32C();
                case SHA1 -> r.checksumSHA1();
                case SHA256 -> r.checksumSHA256();
                default -> throw new AssertionError(a);
            };
            String expected = switch (a) {
                case CRC32 -> crc32(body);
                case CRC32_C -> crc32c(body);
                case SHA1 -> digest("SHA-1", body);
                case SHA256 -> digest("SHA-256", body);
                default -> throw new AssertionError(a);
            };
            assertEquals(expected, returned, a.toString());
        }
    }

    /** A declared checksum that does not match the body: 400 BadDigest, and no object. */
    @Test
    void wrongDeclaredChecksumWritesNothing() {
        byte[] body = random(50_000, 3);
        String wrong = digest("SHA-256", random(10, 4));
        S3Exception e = assertThrows(S3Exception.class, () -> s3.putObject(b -> b.bucket(BUCKET).key("bad-sum")
                .checksumSHA256(wrong), RequestBody.fromBytes(body)));
        assertEquals(400, e.statusCode());
        assertEquals("BadDigest", e.awsErrorDetails().errorCode());
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket(BUCKET).key("bad-sum")));
        S3Exception malformed = assertThrows(S3Exception.class, () -> s3.putObject(b -> b.bucket(BUCKET).key("bad-sum")
                .checksumCRC32C("not base64 of 4 bytes"), RequestBody.fromBytes(body)));
        assertEquals(400, malformed.statusCode());
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket(BUCKET).key("bad-sum")));
        s3.putObject(b -> b.bucket(BUCKET).key("bad-sum").checksumSHA256(digest("SHA-256", body)), RequestBody.fromBytes(body));
        assertEquals(digest("SHA-256", body), s3.headObject(b -> b.bucket(BUCKET).key("bad-sum")
                .checksumMode(ChecksumMode.ENABLED)).checksumSHA256());
    }

    /**
     * An unsigned aws-chunked body with a CRC32C trailer, as SDKs send over HTTPS: a trailer that does not match is
     * BadDigest and writes nothing; two checksum headers at once, or a name that contradicts the header, are
     * InvalidRequest.
     */
    @Test
    void trailerMismatchAndContradictionsWriteNothing() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        byte[] data = random(20_000, 15);
        String wrong = crc32c(random(5, 16));
        for (String trailer : List.of(wrong, crc32c(data))) {
            byte[] body = concat(concat((Integer.toHexString(data.length) + "\r\n").getBytes(), data),
                    ("\r\n0\r\nx-amz-checksum-crc32c:" + trailer + "\r\n\r\n").getBytes());
            java.net.http.HttpResponse<String> r = S3TestSupport.signed(http, node.httpPort(), "PUT", "/" + BUCKET + "/trailed",
                    body, Map.of("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding", "aws-chunked",
                            "x-amz-decoded-content-length", Integer.toString(data.length), "x-amz-trailer", "x-amz-checksum-crc32c"));
            if (trailer.equals(wrong)) {
                assertEquals(400, r.statusCode(), r.body());
                assertTrue(r.body().contains("<Code>BadDigest</Code>"), r.body());
                assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket(BUCKET).key("trailed")));
            } else {
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(crc32c(data), r.headers().firstValue("x-amz-checksum-crc32c").orElse(null));
            }
        }
        assertEquals(crc32c(data), s3.headObject(b -> b.bucket(BUCKET).key("trailed").checksumMode(ChecksumMode.ENABLED))
                .checksumCRC32C());
        for (Map<String, String> contradiction : List.of(
                Map.of("x-amz-checksum-crc32", crc32(data), "x-amz-checksum-sha1", digest("SHA-1", data)),
                Map.of("x-amz-checksum-crc32", crc32(data), "x-amz-sdk-checksum-algorithm", "SHA256"))) {
            java.net.http.HttpResponse<String> r = S3TestSupport.signed(http, node.httpPort(), "PUT", "/" + BUCKET + "/contradicted",
                    data, contradiction);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("<Code>InvalidRequest</Code>"), r.body());
        }
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket(BUCKET).key("contradicted")));
    }

    /**
     * The SDK really checks a GET's body against the returned checksum: a client whose interceptor alters the
     * returned value fails the read, so the passing reads above are a check and not a formality.
     */
    @Test
    void sdkRefusesABodyThatDoesNotMatchTheReturnedChecksum() {
        byte[] body = random(40_000, 5);
        s3.putObject(b -> b.bucket(BUCKET).key("guarded").checksumAlgorithm(ChecksumAlgorithm.CRC32_C), RequestBody.fromBytes(body));
        String other = crc32c(random(40_000, 6));
        try (S3Client altering = S3Client.builder().endpointOverride(S3TestSupport.endpoint(node.httpPort())).forcePathStyle(true)
                .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3TestSupport.ACCESS_KEY, S3TestSupport.SECRET_KEY)))
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
                        return context.httpResponse().toBuilder().putHeader("x-amz-checksum-crc32c", other).build();
                    }
                })).build()) {
            SdkClientException e = assertThrows(SdkClientException.class, () -> altering.getObjectAsBytes(b -> b.bucket(BUCKET)
                    .key("guarded").checksumMode(ChecksumMode.ENABLED)));
            assertTrue(e.getMessage().toLowerCase().contains("checksum"), e.getMessage());
        }
        assertArrayEquals(body, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("guarded").checksumMode(ChecksumMode.ENABLED))
                .asByteArray());
    }

    // ---------------------------------------------------------------- multipart, parts, attributes

    /** Composite SHA256: the checksum of the part checksums and "-2", per-part reads with their own checksums. */
    @Test
    void compositeMultipartChecksumPartsAndAttributes() {
        byte[] p1 = random(5 * MIB, 7);
        byte[] p2 = random(MIB + 17, 8);
        String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("composite")
                .checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        UploadPartResponse r1 = s3.uploadPart(b -> b.bucket(BUCKET).key("composite").uploadId(uploadId).partNumber(1)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(p1));
        UploadPartResponse r2 = s3.uploadPart(b -> b.bucket(BUCKET).key("composite").uploadId(uploadId).partNumber(2)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(p2));
        assertEquals(digest("SHA-256", p1), r1.checksumSHA256());
        S3Exception wrongPart = assertThrows(S3Exception.class, () -> s3.uploadPart(b -> b.bucket(BUCKET).key("composite")
                .uploadId(uploadId).partNumber(3).checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(p2)));
        assertEquals("InvalidRequest", wrongPart.awsErrorDetails().errorCode(), "a part of another algorithm");
        S3Exception restatedWrong = assertThrows(S3Exception.class, () -> s3.completeMultipartUpload(b -> b.bucket(BUCKET)
                .key("composite").uploadId(uploadId).multipartUpload(m -> m.parts(
                        CompletedPart.builder().partNumber(1).eTag(r1.eTag()).checksumSHA256(r2.checksumSHA256()).build(),
                        CompletedPart.builder().partNumber(2).eTag(r2.eTag()).checksumSHA256(r2.checksumSHA256()).build()))));
        assertEquals("InvalidPart", restatedWrong.awsErrorDetails().errorCode());
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket(BUCKET).key("composite")));

        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(BUCKET).key("composite")
                .uploadId(uploadId).multipartUpload(m -> m.parts(
                        CompletedPart.builder().partNumber(1).eTag(r1.eTag()).checksumSHA256(r1.checksumSHA256()).build(),
                        CompletedPart.builder().partNumber(2).eTag(r2.eTag()).checksumSHA256(r2.checksumSHA256()).build())));
        String composite = digest("SHA-256", concat(raw(r1.checksumSHA256()), raw(r2.checksumSHA256()))) + "-2";
        assertEquals(composite, done.checksumSHA256());
        HeadObjectResponse head = s3.headObject(b -> b.bucket(BUCKET).key("composite").checksumMode(ChecksumMode.ENABLED));
        assertEquals(composite, head.checksumSHA256());
        assertEquals(ChecksumType.COMPOSITE, head.checksumType());
        // A composite value ("...-2") is not a checksum of the bytes: the SDK skips it and the read succeeds.
        assertArrayEquals(concat(p1, p2), s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("composite")
                .checksumMode(ChecksumMode.ENABLED)).asByteArray());

        // partNumber: that part's bytes, its own checksum (which the SDK checks), the part count.
        ResponseBytes<GetObjectResponse> second = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("composite").partNumber(2)
                .checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(p2, second.asByteArray());
        assertEquals(2, second.response().partsCount());
        assertEquals("bytes " + p1.length + "-" + (p1.length + p2.length - 1) + "/" + (p1.length + p2.length),
                second.response().contentRange());
        assertEquals(r2.checksumSHA256(), second.response().checksumSHA256());
        HeadObjectResponse headFirst = s3.headObject(b -> b.bucket(BUCKET).key("composite").partNumber(1));
        assertEquals(p1.length, headFirst.contentLength());
        assertEquals(2, headFirst.partsCount());
        S3Exception beyond = assertThrows(S3Exception.class, () -> s3.getObject(b -> b.bucket(BUCKET).key("composite")
                .partNumber(3)));
        assertEquals(416, beyond.statusCode());
        assertEquals("InvalidPartNumber", beyond.awsErrorDetails().errorCode());

        GetObjectAttributesResponse attributes = s3.getObjectAttributes(b -> b.bucket(BUCKET).key("composite")
                .objectAttributes(ObjectAttributes.E_TAG, ObjectAttributes.CHECKSUM, ObjectAttributes.OBJECT_PARTS,
                        ObjectAttributes.STORAGE_CLASS, ObjectAttributes.OBJECT_SIZE));
        assertEquals(head.eTag().replace("\"", ""), attributes.eTag());
        assertEquals(composite, attributes.checksum().checksumSHA256());
        assertEquals(ChecksumType.COMPOSITE, attributes.checksum().checksumType());
        assertEquals((long) p1.length + p2.length, attributes.objectSize());
        assertEquals("STANDARD", attributes.storageClassAsString());
        assertEquals(2, attributes.objectParts().totalPartsCount());
        List<ObjectPart> parts = attributes.objectParts().parts();
        assertEquals(List.of((long) p1.length, (long) p2.length), parts.stream().map(ObjectPart::size).toList());
        assertEquals(List.of(r1.checksumSHA256(), r2.checksumSHA256()), parts.stream().map(ObjectPart::checksumSHA256).toList());
        GetObjectAttributesResponse paged = s3.getObjectAttributes(b -> b.bucket(BUCKET).key("composite")
                .objectAttributes(ObjectAttributes.OBJECT_PARTS).maxParts(1).partNumberMarker(1));
        assertEquals(List.of(2), paged.objectParts().parts().stream().map(ObjectPart::partNumber).toList());
        assertFalse(paged.objectParts().isTruncated());
        assertNull(paged.eTag(), "only what was asked for");
    }

    /**
     * An upload created with an algorithm says so wherever S3 says it: Create echoes algorithm and type, UploadPart and
     * UploadPartCopy the part's checksum, ListParts and ListMultipartUploads the upload's algorithm and type and each
     * part's checksum, and Complete and a GET with checksum mode the composite "checksum of checksums-N" form.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = ChecksumAlgorithm.class, names = {"CRC32_C", "SHA256"})
    void uploadsShowTheirChecksumInEveryAnswer(ChecksumAlgorithm algorithm) {
        String key = "listed-" + algorithm;
        byte[] p1 = random(5 * MIB, 17);
        byte[] p2 = random(4321, 18);
        s3.putObject(b -> b.bucket(BUCKET).key(key + "-source"), RequestBody.fromBytes(p2));
        CreateMultipartUploadResponse created = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key)
                .checksumAlgorithm(algorithm));
        assertEquals(algorithm, created.checksumAlgorithm());
        assertEquals(ChecksumType.COMPOSITE, created.checksumType(), "S3's default for " + algorithm);
        String uploadId = created.uploadId();
        UploadPartResponse r1 = s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1)
                .checksumAlgorithm(algorithm), RequestBody.fromBytes(p1));
        String sum1 = algorithm == ChecksumAlgorithm.SHA256 ? r1.checksumSHA256() : r1.checksumCRC32C();
        assertEquals(algorithm == ChecksumAlgorithm.SHA256 ? digest("SHA-256", p1) : crc32c(p1), sum1);
        UploadPartCopyResponse r2 = s3.uploadPartCopy(b -> b.sourceBucket(BUCKET).sourceKey(key + "-source")
                .destinationBucket(BUCKET).destinationKey(key).uploadId(uploadId).partNumber(2));
        String sum2 = algorithm == ChecksumAlgorithm.SHA256 ? r2.copyPartResult().checksumSHA256()
                : r2.copyPartResult().checksumCRC32C();
        assertEquals(algorithm == ChecksumAlgorithm.SHA256 ? digest("SHA-256", p2) : crc32c(p2), sum2,
                "a copied part's checksum is of the bytes copied");

        ListPartsResponse listed = s3.listParts(b -> b.bucket(BUCKET).key(key).uploadId(uploadId));
        assertEquals(algorithm, listed.checksumAlgorithm());
        assertEquals(ChecksumType.COMPOSITE, listed.checksumType());
        assertEquals(List.of(sum1, sum2), listed.parts().stream().map(p -> algorithm == ChecksumAlgorithm.SHA256
                ? p.checksumSHA256() : p.checksumCRC32C()).toList());
        assertEquals(List.of((long) p1.length, (long) p2.length), listed.parts().stream().map(Part::size).toList());
        MultipartUpload open = s3.listMultipartUploads(b -> b.bucket(BUCKET).prefix(key)).uploads().stream()
                .filter(u -> u.uploadId().equals(uploadId)).findFirst().orElseThrow();
        assertEquals(algorithm, open.checksumAlgorithm());
        assertEquals(ChecksumType.COMPOSITE, open.checksumType());

        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(r1.eTag()).build(),
                        CompletedPart.builder().partNumber(2).eTag(r2.copyPartResult().eTag()).build())));
        String composite = (algorithm == ChecksumAlgorithm.SHA256 ? digest("SHA-256", concat(raw(sum1), raw(sum2)))
                : crc32c(concat(raw(sum1), raw(sum2)))) + "-2";
        assertEquals(composite, algorithm == ChecksumAlgorithm.SHA256 ? done.checksumSHA256() : done.checksumCRC32C());
        assertEquals(ChecksumType.COMPOSITE, done.checksumType());
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)
                .checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(concat(p1, p2), got.asByteArray());
        assertEquals(composite, algorithm == ChecksumAlgorithm.SHA256 ? got.response().checksumSHA256()
                : got.response().checksumCRC32C());
        assertEquals(ChecksumType.COMPOSITE, got.response().checksumType());
    }

    /**
     * Full-object CRC32C of a multipart object: the CRC of the whole body, combined from the parts' CRCs, so the SDK
     * checks a whole GET against it; a Complete that states another value is BadDigest and leaves the upload open.
     */
    @Test
    void fullObjectMultipartCrc() {
        byte[] p1 = random(5 * MIB + 3, 9);
        byte[] p2 = random(333_333, 10);
        String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("full").checksumAlgorithm(ChecksumAlgorithm.CRC32_C)
                .checksumType(ChecksumType.FULL_OBJECT)).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        int n = 1;
        for (byte[] p : List.of(p1, p2)) {
            int number = n++;
            UploadPartResponse r = s3.uploadPart(b -> b.bucket(BUCKET).key("full").uploadId(uploadId).partNumber(number)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32_C), RequestBody.fromBytes(p));
            parts.add(CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumCRC32C(r.checksumCRC32C()).build());
        }
        String whole = crc32c(concat(p1, p2));
        S3Exception wrong = assertThrows(S3Exception.class, () -> s3.completeMultipartUpload(b -> b.bucket(BUCKET).key("full")
                .uploadId(uploadId).checksumCRC32C(crc32c(p1)).checksumType(ChecksumType.FULL_OBJECT)
                .multipartUpload(m -> m.parts(parts))));
        assertEquals("BadDigest", wrong.awsErrorDetails().errorCode());
        assertThrows(NoSuchKeyException.class, () -> s3.headObject(b -> b.bucket(BUCKET).key("full")));
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(BUCKET).key("full").uploadId(uploadId)
                .checksumCRC32C(whole).checksumType(ChecksumType.FULL_OBJECT).multipartUpload(m -> m.parts(parts)));
        assertEquals(whole, done.checksumCRC32C());
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("full")
                .checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(concat(p1, p2), got.asByteArray());
        assertEquals(whole, got.response().checksumCRC32C());
        assertEquals(ChecksumType.FULL_OBJECT, got.response().checksumType());
    }

    /**
     * The SDK's default multipart (no algorithm at Create, CRC32 trailers on parts): no object checksum, parts kept
     * under the numbers they were uploaded with (here 1 and 3: partNumber=3 is the second part, 2 is none).
     */
    @Test
    void multipartWithoutAlgorithmKeepsPartsButNoChecksum() {
        byte[] p1 = random(5 * MIB, 11);
        byte[] p3 = random(1000, 12);
        String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("plain-mp")).uploadId();
        UploadPartResponse r1 = s3.uploadPart(b -> b.bucket(BUCKET).key("plain-mp").uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(p1));
        UploadPartResponse r3 = s3.uploadPart(b -> b.bucket(BUCKET).key("plain-mp").uploadId(uploadId).partNumber(3),
                RequestBody.fromBytes(p3));
        s3.completeMultipartUpload(b -> b.bucket(BUCKET).key("plain-mp").uploadId(uploadId).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(r1.eTag()).build(),
                CompletedPart.builder().partNumber(3).eTag(r3.eTag()).build())));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(BUCKET).key("plain-mp").checksumMode(ChecksumMode.ENABLED));
        assertNull(head.checksumCRC32());
        assertNull(head.checksumType());
        ResponseBytes<GetObjectResponse> third = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("plain-mp").partNumber(3));
        assertArrayEquals(p3, third.asByteArray());
        assertEquals(2, third.response().partsCount());
        assertEquals(416, assertThrows(S3Exception.class, () -> s3.headObject(b -> b.bucket(BUCKET).key("plain-mp")
                .partNumber(2))).statusCode());
        GetObjectAttributesResponse a = s3.getObjectAttributes(b -> b.bucket(BUCKET).key("plain-mp")
                .objectAttributes(ObjectAttributes.OBJECT_PARTS));
        assertEquals(List.of(1, 3), a.objectParts().parts().stream().map(ObjectPart::partNumber).toList());
    }

    /** An object written in one piece has one part: partNumber=1 is all of it, 2 is out of range. */
    @Test
    void singlePartObjectHasOnePart() {
        byte[] body = random(12_345, 13);
        s3.putObject(b -> b.bucket(BUCKET).key("one-piece"), RequestBody.fromBytes(body));
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("one-piece").partNumber(1)
                .checksumMode(ChecksumMode.ENABLED));
        assertArrayEquals(body, got.asByteArray());
        assertEquals(crc32(body), got.response().checksumCRC32());
        S3Exception e = assertThrows(S3Exception.class, () -> s3.headObject(b -> b.bucket(BUCKET).key("one-piece").partNumber(2)));
        assertEquals(416, e.statusCode());
        S3Exception both = assertThrows(S3Exception.class, () -> s3.getObject(b -> b.bucket(BUCKET).key("one-piece")
                .partNumber(1).range("bytes=0-1")));
        assertEquals(400, both.statusCode());
        GetObjectAttributesResponse a = s3.getObjectAttributes(b -> b.bucket(BUCKET).key("one-piece")
                .objectAttributes(ObjectAttributes.OBJECT_PARTS, ObjectAttributes.CHECKSUM, ObjectAttributes.OBJECT_SIZE));
        assertNull(a.objectParts(), "S3 lists parts of multipart objects only");
        assertEquals(crc32(body), a.checksum().checksumCRC32());
        assertEquals(body.length, a.objectSize());
    }

    // ---------------------------------------------------------------- other clients

    /**
     * Debian's aws CLI: put-object --checksum-algorithm, then get-object-attributes (each CLI run takes seconds; GET
     * with checksum mode is the SDK's and boto3's above and below).
     */
    @Test
    void awsCli() throws Exception {
        Path aws = DebianProgram.AWS_CLI.require();
        Path file = tmp.resolve("cli.bin");
        byte[] body = random(100_000, 14);
        Files.write(file, body);
        run(List.of(aws.toString(), "--endpoint-url", endpoint(), "s3api", "put-object", "--bucket", BUCKET, "--key", "cli",
                "--body", file.toString(), "--checksum-algorithm", "CRC32C"), awsEnv());
        String attributes = run(List.of(aws.toString(), "--endpoint-url", endpoint(), "s3api", "get-object-attributes",
                "--bucket", BUCKET, "--key", "cli", "--object-attributes", "ETag", "Checksum", "ObjectSize"), awsEnv());
        assertTrue(attributes.contains("\"ChecksumCRC32C\": \"" + crc32c(body) + "\""), attributes);
        assertTrue(attributes.contains("\"ObjectSize\": " + body.length), attributes);
    }

    /**
     * Debian's boto3 (and any other on the PATH, e.g. one that sends CRC32 by default): every algorithm it computes, a wrong one refused, attributes and parts of a multipart object;
     * and bucket tags (S3ApiTest has the SDK's), which need no node of their own.
     */
    @ParameterizedTest
    @MethodSource("io.hifadhi.node.s3.S3TestSupport#pythons")
    void boto3(String python) throws Exception {
        Path script = tmp.resolve("boto3_checksums.py");
        if (!Files.exists(script)) {
            try (InputStream in = S3ChecksumTest.class.getResourceAsStream("/s3/boto3_checksums.py")) {
                Files.copy(in, script);
            }
        }
        String out = run(List.of(python, script.toString(), endpoint(), BUCKET, S3TestSupport.ACCESS_KEY,
                S3TestSupport.SECRET_KEY), Map.of());
        assertTrue(out.contains("ok all"), out);
    }

    // ---------------------------------------------------------------- helpers

    private String endpoint() {
        return S3TestSupport.endpoint(node.httpPort()).toString();
    }

    private static Map<String, String> awsEnv() throws Exception {
        return S3TestSupport.awsCliEnv(tmp);
    }

    /** Runs a command to completion (bounded) and returns its stdout; fails the test with all its output otherwise. */
    private static String run(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("AWS_CA_BUNDLE");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 180 s");
        }
        String stdout = Files.readString(out);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\nstdout: " + stdout + "\nstderr: " + Files.readString(err));
        return stdout;
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] raw(String base64) {
        return Base64.getDecoder().decode(base64);
    }

    static String crc32(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) c.getValue()).array());
    }

    static String crc32c(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        return Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) c.getValue()).array());
    }

    static String digest(String algorithm, byte[] data) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
