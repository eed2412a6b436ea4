package io.hifadhi.node.s3;

import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListBucketsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static io.hifadhi.node.s3.S3TestSupport.md5Base64;
import static io.hifadhi.node.s3.S3TestSupport.md5Hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The S3 API of a real node (real sockets, disk, RocksDB) driven by the AWS SDK for Java v2 with
 * default settings, by its presigner plus java.net.http, and by raw signed requests for what the
 * SDK will not send. Every negative test also checks that nothing changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ApiTest {
    static final int CHUNK = 256 * 1024;

    @TempDir
    static Path tmp;
    Node node;
    int port;
    S3Client s3;
    HttpClient http;

    @BeforeAll
    void start() throws Exception {
        node = new Node(NodeConfig.builder(tmp.resolve("data")).name("s3node").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey("test-shard-key-0123456789").accessKey(S3TestSupport.ACCESS_KEY)
                .secretKey(S3TestSupport.SECRET_KEY).chunkSize(CHUNK).s3Domains(List.of("s3.test")).build(), new PrintStream(new ByteArrayOutputStream()));
        node.start();
        port = node.httpPort();
        s3 = S3TestSupport.client(port);
        http = HttpClient.newHttpClient();
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

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    void createBucket(String name) {
        s3.createBucket(b -> b.bucket(name));
    }

    byte[] get(String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    boolean exists(String bucket, String key) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    static S3Exception s3Error(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(S3Exception.class, call);
    }

    // ---------------------------------------------------------------- buckets

    @Test
    void bucketLifecycle() throws Exception {
        createBucket("life-cycle");
        s3.headBucket(b -> b.bucket("life-cycle"));
        ListBucketsResponse list = s3.listBuckets();
        assertTrue(list.buckets().stream().map(Bucket::name).anyMatch("life-cycle"::equals));
        assertTrue(list.buckets().stream().allMatch(b -> b.creationDate() != null));
        assertTrue(list.owner().id().matches("[0-9a-f]{64}"), list.owner().id());
        assertEquals(list.owner().id(), s3.listBuckets().owner().id(), "owner id is stable");
        assertEquals(S3TestSupport.ACCESS_KEY, list.owner().displayName());

        assertThrows(BucketAlreadyOwnedByYouException.class, () -> createBucket("life-cycle"));
        for (String bad : List.of("Bad_Bucket", "ab", "api", "a..b")) {
            // Signed raw: the SDK refuses some of these names itself before sending.
            HttpResponse<String> invalid = S3TestSupport.signed(http, port, "PUT", "/" + bad, new byte[0], Map.of());
            assertEquals(400, invalid.statusCode(), invalid.body());
            assertTrue(invalid.body().contains("<Code>InvalidBucketName</Code>"), invalid.body());
        }
        assertFalse(s3.listBuckets().buckets().stream().map(Bucket::name).anyMatch(n -> n.equals("api") || n.equals("ab")));

        assertEquals("", s3.getBucketLocation(b -> b.bucket("life-cycle")).locationConstraintAsString() == null ? ""
                : s3.getBucketLocation(b -> b.bucket("life-cycle")).locationConstraintAsString());

        s3.putObject(b -> b.bucket("life-cycle").key("k"), RequestBody.fromString("x"));
        S3Exception notEmpty = s3Error(() -> s3.deleteBucket(b -> b.bucket("life-cycle")));
        assertEquals(409, notEmpty.statusCode());
        assertEquals("BucketNotEmpty", notEmpty.awsErrorDetails().errorCode());
        assertEquals("x", new String(get("life-cycle", "k"), StandardCharsets.UTF_8), "nothing was deleted");

        s3.deleteObject(b -> b.bucket("life-cycle").key("k"));
        s3.deleteBucket(b -> b.bucket("life-cycle"));
        assertThrows(NoSuchBucketException.class, () -> s3.headBucket(b -> b.bucket("life-cycle")));
        assertThrows(NoSuchBucketException.class, () -> s3.listObjectsV2(b -> b.bucket("life-cycle")));
        assertThrows(NoSuchBucketException.class, () -> s3.putObject(b -> b.bucket("never-made").key("k"), RequestBody.fromString("x")));
        assertFalse(s3.listBuckets().buckets().stream().map(Bucket::name).anyMatch("life-cycle"::equals));
    }

    // ---------------------------------------------------------------- objects

    @Test
    void putGetHeadWithMetadataAndSystemHeaders() throws Exception {
        createBucket("objects");
        byte[] small = "hello, hifadhi".getBytes(StandardCharsets.UTF_8);
        PutObjectResponse put = s3.putObject(b -> b.bucket("objects").key("dir/hello.txt").contentType("text/plain")
                .cacheControl("max-age=60").contentDisposition("attachment; filename=\"hello.txt\"")
                .contentEncoding("identity").contentLanguage("sw").metadata(Map.of("color", "blue", "Owner-Team", "storage")),
                RequestBody.fromBytes(small));
        assertEquals("\"" + md5Hex(small) + "\"", put.eTag());

        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket("objects").key("dir/hello.txt"));
        assertArrayEquals(small, got.asByteArray());
        GetObjectResponse r = got.response();
        assertEquals("text/plain", r.contentType());
        assertEquals("max-age=60", r.cacheControl());
        assertEquals("attachment; filename=\"hello.txt\"", r.contentDisposition());
        assertEquals("identity", r.contentEncoding());
        assertEquals("sw", r.contentLanguage());
        assertEquals(Map.of("color", "blue", "owner-team", "storage"), r.metadata());
        assertEquals(put.eTag(), r.eTag());

        HeadObjectResponse head = s3.headObject(b -> b.bucket("objects").key("dir/hello.txt"));
        assertEquals(small.length, head.contentLength());
        assertEquals("blue", head.metadata().get("color"));
        assertEquals(put.eTag(), head.eTag());
        assertNotNull(head.lastModified());

        // Larger than several chunks: streamed through aws-chunked, cut into chunks, read back verified.
        byte[] big = random(5 * CHUNK + 12345, 7);
        PutObjectResponse bigPut = s3.putObject(b -> b.bucket("objects").key("big.bin"), RequestBody.fromBytes(big));
        assertEquals("\"" + md5Hex(big) + "\"", bigPut.eTag());
        assertArrayEquals(big, get("objects", "big.bin"));

        // Overwrite: last writer wins; an empty object is an object.
        s3.putObject(b -> b.bucket("objects").key("big.bin"), RequestBody.fromBytes(new byte[0]));
        assertEquals(0, get("objects", "big.bin").length);
        assertEquals(0L, s3.headObject(b -> b.bucket("objects").key("big.bin")).contentLength());

        assertThrows(NoSuchKeyException.class, () -> s3.getObject(b -> b.bucket("objects").key("absent")));
        S3Exception headMissing = s3Error(() -> s3.headObject(b -> b.bucket("objects").key("absent")));
        assertEquals(404, headMissing.statusCode());
    }

    @Test
    void unicodeAndOddKeysRoundTrip() throws Exception {
        createBucket("odd-keys");
        List<String> keys = List.of("sp ace/plus+sign", "ü/😀/中文", "a//double", "percent%20literal", "../../../etc/passwd",
                "q?x=y&z", "tilde~star*", "k".repeat(1024));
        for (String k : keys) {
            try {
                s3.putObject(b -> b.bucket("odd-keys").key(k), RequestBody.fromString("v:" + k));
            } catch (S3Exception e) {
                throw new AssertionError("PUT of key '" + k + "' failed: " + e.awsErrorDetails().errorCode(), e);
            }
        }
        for (String k : keys) {
            assertEquals("v:" + k, new String(get("odd-keys", k), StandardCharsets.UTF_8), k);
        }
        List<String> listed = s3.listObjectsV2(b -> b.bucket("odd-keys")).contents().stream().map(S3Object::key).toList();
        assertEquals(keys.stream().sorted(S3ApiTest::utf8Order).toList(), listed);
        List<String> urlListed = s3.listObjectsV2(b -> b.bucket("odd-keys").encodingType(EncodingType.URL)).contents()
                .stream().map(S3Object::key).toList();
        assertEquals(listed, urlListed, "the SDK decodes encoding-type=url keys back");
        // encoding-type=url covers everything that echoes a key: prefix, delimiter, start-after, common prefixes.
        HttpResponse<String> raw = S3TestSupport.signed(HttpClient.newHttpClient(), port, "GET",
                "/odd-keys?list-type=2&encoding-type=url&prefix=sp%20ace%2F&delimiter=%2B&start-after=sp%20ace%2Fa", new byte[0], Map.of());
        assertEquals(200, raw.statusCode(), raw.body());
        for (String element : List.of("<Prefix>sp+ace%2F</Prefix>", "<Delimiter>%2B</Delimiter>", "<StartAfter>sp+ace%2Fa</StartAfter>",
                "<CommonPrefixes><Prefix>sp+ace%2Fplus%2B</Prefix></CommonPrefixes>", "<EncodingType>url</EncodingType>")) {
            assertTrue(raw.body().contains(element), element + " in " + raw.body());
        }
        // max-keys=0: nothing, and not truncated (as S3), in both list versions.
        ListObjectsV2Response none = s3.listObjectsV2(b -> b.bucket("odd-keys").maxKeys(0));
        assertEquals(0, none.keyCount());
        assertTrue(none.contents().isEmpty());
        assertFalse(none.isTruncated());
        assertFalse(s3.listObjects(b -> b.bucket("odd-keys").maxKeys(0)).isTruncated());
    }

    static int utf8Order(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keyOf1025BytesIsRefusedAndNothingIsStored() {
        createBucket("long-keys");
        String key = "k".repeat(1025);
        S3Exception e = s3Error(() -> s3.putObject(b -> b.bucket("long-keys").key(key), RequestBody.fromString("x")));
        assertEquals(400, e.statusCode());
        assertEquals("KeyTooLongError", e.awsErrorDetails().errorCode());
        assertEquals(0, s3.listObjectsV2(b -> b.bucket("long-keys")).keyCount());
    }

    @Test
    void rangesAndConditionalRequests() throws Exception {
        createBucket("ranges");
        byte[] data = random(3 * CHUNK + 100, 11);
        String etag = s3.putObject(b -> b.bucket("ranges").key("r"), RequestBody.fromBytes(data)).eTag();

        ResponseBytes<GetObjectResponse> mid = s3.getObjectAsBytes(b -> b.bucket("ranges").key("r").range("bytes=" + (CHUNK - 10) + "-" + (CHUNK + 9)));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, CHUNK - 10, CHUNK + 10), mid.asByteArray());
        assertEquals("bytes " + (CHUNK - 10) + "-" + (CHUNK + 9) + "/" + data.length, mid.response().contentRange());
        byte[] suffix = s3.getObjectAsBytes(b -> b.bucket("ranges").key("r").range("bytes=-100")).asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(data, data.length - 100, data.length), suffix);
        S3Exception unsatisfiable = s3Error(() -> s3.getObject(b -> b.bucket("ranges").key("r").range("bytes=" + data.length + "-")));
        assertEquals(416, unsatisfiable.statusCode());
        assertEquals("InvalidRange", unsatisfiable.awsErrorDetails().errorCode());

        assertEquals(data.length, s3.getObjectAsBytes(b -> b.bucket("ranges").key("r").ifMatch(etag)).asByteArray().length);
        S3Exception ifMatch = s3Error(() -> s3.getObject(b -> b.bucket("ranges").key("r").ifMatch("\"0123\"")));
        assertEquals(412, ifMatch.statusCode());
        assertEquals("PreconditionFailed", ifMatch.awsErrorDetails().errorCode());
        assertEquals(304, s3Error(() -> s3.getObject(b -> b.bucket("ranges").key("r").ifNoneMatch(etag))).statusCode());
        Instant future = Instant.now().plusSeconds(3600);
        Instant past = Instant.now().minusSeconds(3600);
        assertEquals(304, s3Error(() -> s3.getObject(b -> b.bucket("ranges").key("r").ifModifiedSince(future))).statusCode());
        assertEquals(412, s3Error(() -> s3.getObject(b -> b.bucket("ranges").key("r").ifUnmodifiedSince(past))).statusCode());
        assertEquals(data.length, s3.getObjectAsBytes(b -> b.bucket("ranges").key("r").ifModifiedSince(past)).asByteArray().length);
        assertEquals(412, s3Error(() -> s3.headObject(b -> b.bucket("ranges").key("r").ifMatch("\"nope\""))).statusCode());

        GetObjectResponse overridden = s3.getObjectAsBytes(b -> b.bucket("ranges").key("r").responseContentType("video/mp4")
                .responseContentDisposition("inline").responseCacheControl("no-cache")).response();
        assertEquals("video/mp4", overridden.contentType());
        assertEquals("inline", overridden.contentDisposition());
        assertEquals("no-cache", overridden.cacheControl());
    }

    @Test
    void deleteObjectAndDeleteObjects() {
        createBucket("deletes");
        for (int i = 0; i < 5; i++) {
            int n = i;
            s3.putObject(b -> b.bucket("deletes").key("k" + n), RequestBody.fromString("v" + n));
        }
        s3.deleteObject(b -> b.bucket("deletes").key("k0"));
        assertFalse(exists("deletes", "k0"));
        s3.deleteObject(b -> b.bucket("deletes").key("k0")); // deleting an absent key succeeds, as in S3

        DeleteObjectsResponse loud = s3.deleteObjects(b -> b.bucket("deletes").delete(Delete.builder()
                .objects(ObjectIdentifier.builder().key("k1").build(), ObjectIdentifier.builder().key("k2").build(),
                        ObjectIdentifier.builder().key("never-existed").build()).build()));
        assertEquals(List.of("k1", "k2", "never-existed"), loud.deleted().stream().map(d -> d.key()).toList());
        assertTrue(loud.errors().isEmpty());
        DeleteObjectsResponse quiet = s3.deleteObjects(b -> b.bucket("deletes").delete(Delete.builder().quiet(true)
                .objects(ObjectIdentifier.builder().key("k3").build()).build()));
        assertTrue(quiet.deleted().isEmpty());
        assertTrue(quiet.errors().isEmpty());
        assertEquals(List.of("k4"), s3.listObjectsV2(b -> b.bucket("deletes")).contents().stream().map(S3Object::key).toList());
    }

    @Test
    void copyObjectWithCopyAndReplaceDirectives() throws Exception {
        createBucket("copy-src");
        createBucket("copy-dst");
        byte[] data = random(2 * CHUNK + 77, 5);
        s3.putObject(b -> b.bucket("copy-src").key("orig").contentType("image/png").cacheControl("max-age=5")
                .metadata(Map.of("a", "1")), RequestBody.fromBytes(data));

        CopyObjectResponse copied = s3.copyObject(b -> b.sourceBucket("copy-src").sourceKey("orig")
                .destinationBucket("copy-dst").destinationKey("same meta"));
        assertEquals("\"" + md5Hex(data) + "\"", copied.copyObjectResult().eTag());
        assertArrayEquals(data, get("copy-dst", "same meta"));
        HeadObjectResponse h1 = s3.headObject(b -> b.bucket("copy-dst").key("same meta"));
        assertEquals("image/png", h1.contentType());
        assertEquals("max-age=5", h1.cacheControl());
        assertEquals(Map.of("a", "1"), h1.metadata());

        s3.copyObject(b -> b.sourceBucket("copy-src").sourceKey("orig").destinationBucket("copy-dst").destinationKey("new meta")
                .metadataDirective(MetadataDirective.REPLACE).contentType("text/csv").metadata(Map.of("b", "2")));
        HeadObjectResponse h2 = s3.headObject(b -> b.bucket("copy-dst").key("new meta"));
        assertEquals("text/csv", h2.contentType());
        assertEquals(Map.of("b", "2"), h2.metadata());
        assertEquals(null, h2.cacheControl());
        assertArrayEquals(data, get("copy-dst", "new meta"));

        S3Exception self = s3Error(() -> s3.copyObject(b -> b.sourceBucket("copy-src").sourceKey("orig")
                .destinationBucket("copy-src").destinationKey("orig")));
        assertEquals("InvalidRequest", self.awsErrorDetails().errorCode());
        assertThrows(NoSuchKeyException.class, () -> s3.copyObject(b -> b.sourceBucket("copy-src").sourceKey("nope")
                .destinationBucket("copy-dst").destinationKey("x")));
        S3Exception precondition = s3Error(() -> s3.copyObject(b -> b.sourceBucket("copy-src").sourceKey("orig")
                .destinationBucket("copy-dst").destinationKey("cond").copySourceIfMatch("\"bad\"")));
        assertEquals(412, precondition.statusCode());
        assertFalse(exists("copy-dst", "cond"));
    }

    @Test
    void virtualHostStyleNamesTheBucketInTheHost() throws Exception {
        createBucket("vhost-bucket");
        s3.putObject(b -> b.bucket("vhost-bucket").key("dir/hello.txt"), RequestBody.fromString("hello from a virtual host"));
        String get = S3TestSupport.signedGetWithHost(port, "vhost-bucket.s3.test:" + port, "/dir/hello.txt");
        assertTrue(get.startsWith("HTTP/1.1 200"), get);
        assertTrue(get.endsWith("hello from a virtual host"), get);
        String list = S3TestSupport.signedGetWithHost(port, "vhost-bucket.s3.test", "/?list-type=2&prefix=dir%2F");
        assertTrue(list.startsWith("HTTP/1.1 200"), list);
        assertTrue(list.contains("<Name>vhost-bucket</Name>") && list.contains("<Key>dir/hello.txt</Key>"), list);
        String missing = S3TestSupport.signedGetWithHost(port, "no-such-bucket.s3.test", "/k");
        assertTrue(missing.startsWith("HTTP/1.1 404") && missing.contains("<Code>NoSuchBucket</Code>"), missing);
    }

    /**
     * GETs pipelined on one connection, of small objects (kept inline with their record) and of one kept in chunks,
     * come back whole and in order: a worker writes each body, the I/O thread ends the response and reads the next
     * request, which was waiting in the connection's buffer all along.
     */
    @Test
    void pipelinedGetsOfInlineAndChunkedObjectsComeBackInOrder() throws Exception {
        createBucket("pipelined");
        Map<String, byte[]> bodies = Map.of("small", random(4096, 91), "tiny", random(100, 92), "chunked", random(CHUNK + 1000, 93));
        bodies.forEach((key, body) -> s3.putObject(b -> b.bucket("pipelined").key(key), RequestBody.fromBytes(body)));
        List<String> keys = List.of("small", "chunked", "tiny", "small", "tiny");
        byte[] raw = S3TestSupport.pipelinedGets(port, "127.0.0.1:" + port, keys.stream().map(k -> "/pipelined/" + k).toList());
        int at = 0;
        for (String key : keys) {
            int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), at);
            assertTrue(end > 0, "no complete response for " + key);
            String head = new String(raw, at, end - at, StandardCharsets.US_ASCII);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            int length = Integer.parseInt(head.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                    .findFirst().orElseThrow().substring("content-length:".length()).trim());
            assertArrayEquals(bodies.get(key), Arrays.copyOfRange(raw, end + 4, end + 4 + length), key);
            at = end + 4 + length;
        }
        assertEquals(raw.length, at, "nothing after the last response");
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        for (int i = from; i <= haystack.length - needle.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- listing

    @Test
    void listObjectsV1AndV2WithDelimiterAndPagination() {
        createBucket("listing");
        List<String> keys = new ArrayList<>(List.of("a.txt", "b/1", "b/2", "b/c/3", "d/4", "e.txt"));
        IntStream.range(0, 7).forEach(i -> keys.add("logs/" + i));
        for (String k : keys) {
            s3.putObject(b -> b.bucket("listing").key(k), RequestBody.fromString(k));
        }
        ListObjectsV2Response root = s3.listObjectsV2(b -> b.bucket("listing").delimiter("/"));
        assertEquals(List.of("a.txt", "e.txt"), root.contents().stream().map(S3Object::key).toList());
        assertEquals(List.of("b/", "d/", "logs/"), root.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        assertEquals(5, root.keyCount());
        assertFalse(root.isTruncated());

        ListObjectsV2Response underB = s3.listObjectsV2(b -> b.bucket("listing").prefix("b/").delimiter("/"));
        assertEquals(List.of("b/1", "b/2"), underB.contents().stream().map(S3Object::key).toList());
        assertEquals(List.of("b/c/"), underB.commonPrefixes().stream().map(CommonPrefix::prefix).toList());

        // v2 pagination by hand: max-keys 3 and continuation tokens, with and without delimiter.
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket("listing").maxKeys(3).continuationToken(t));
            seen.addAll(page.contents().stream().map(S3Object::key).toList());
            token = page.isTruncated() ? page.nextContinuationToken() : null;
            assertTrue(page.keyCount() <= 3);
            pages++;
        } while (token != null && pages < 20);
        assertEquals(keys.stream().sorted().toList(), seen);
        assertEquals(5, pages);

        List<String> folded = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket("listing").delimiter("/").maxKeys(2)).forEach(p -> {
            p.contents().forEach(o -> folded.add(o.key()));
            p.commonPrefixes().forEach(c -> folded.add(c.prefix()));
        });
        assertEquals(List.of("a.txt", "b/", "d/", "e.txt", "logs/"), folded.stream().sorted().toList());

        ListObjectsV2Response after = s3.listObjectsV2(b -> b.bucket("listing").startAfter("d/4").maxKeys(2));
        assertEquals(List.of("e.txt", "logs/0"), after.contents().stream().map(S3Object::key).toList());
        assertTrue(after.isTruncated());

        // v1: marker and NextMarker.
        ListObjectsResponse v1 = s3.listObjects(b -> b.bucket("listing").maxKeys(3).delimiter("/"));
        assertEquals(List.of("a.txt"), v1.contents().stream().map(S3Object::key).toList());
        assertEquals(List.of("b/", "d/"), v1.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        assertTrue(v1.isTruncated());
        assertEquals("d/", v1.nextMarker());
        ListObjectsResponse v1b = s3.listObjects(b -> b.bucket("listing").maxKeys(3).delimiter("/").marker(v1.nextMarker()));
        assertEquals(List.of("e.txt"), v1b.contents().stream().map(S3Object::key).toList());
        assertEquals(List.of("logs/"), v1b.commonPrefixes().stream().map(CommonPrefix::prefix).toList());
        assertFalse(v1b.isTruncated());
        List<String> v1all = new ArrayList<>();
        String marker = null;
        for (int i = 0; i < 20; i++) {
            String m = marker;
            ListObjectsResponse page = s3.listObjects(b -> b.bucket("listing").maxKeys(5).marker(m));
            page.contents().forEach(o -> v1all.add(o.key()));
            if (!page.isTruncated()) {
                break;
            }
            marker = page.nextMarker();
        }
        assertEquals(keys.stream().sorted().toList(), v1all);

        S3Object first = s3.listObjectsV2(b -> b.bucket("listing").prefix("a.txt")).contents().get(0);
        assertEquals(5L, first.size());
        assertNotNull(first.lastModified());
        assertEquals("\"" + md5HexQuiet("a.txt") + "\"", first.eTag());
    }

    static String md5HexQuiet(String s) {
        try {
            return md5Hex(s.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- presigned URLs

    @Test
    void presignedGetAndPutOverPlainHttp() throws Exception {
        createBucket("presigned");
        try (S3Presigner presigner = S3TestSupport.presigner(port)) {
            PresignedPutObjectRequest put = presigner.presignPutObject(b -> b.signatureDuration(Duration.ofMinutes(5))
                    .putObjectRequest(p -> p.bucket("presigned").key("via url.txt")));
            HttpResponse<String> putResponse = http.send(HttpRequest.newBuilder(put.url().toURI())
                    .PUT(HttpRequest.BodyPublishers.ofString("uploaded by link")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, putResponse.statusCode(), putResponse.body());
            assertTrue(putResponse.headers().firstValue("x-amz-request-id").isPresent());

            PresignedGetObjectRequest get = presigner.presignGetObject(b -> b.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket("presigned").key("via url.txt")));
            HttpResponse<String> getResponse = http.send(HttpRequest.newBuilder(get.url().toURI()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, getResponse.statusCode());
            assertEquals("uploaded by link", getResponse.body());

            // Tampered: the same signature for another key.
            String tampered = get.url().toString().replace("via%20url.txt", "other.txt");
            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(tampered)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, bad.statusCode());
            assertTrue(bad.body().contains("<Code>SignatureDoesNotMatch</Code>"), bad.body());
            assertTrue(bad.body().contains("<RequestId>"), bad.body());
            // Tampered PUT: nothing stored.
            String tamperedPut = put.url().toString().replace("via%20url.txt", "sneaky.txt");
            HttpResponse<String> badPut = http.send(HttpRequest.newBuilder(URI.create(tamperedPut))
                    .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, badPut.statusCode());
            assertFalse(exists("presigned", "sneaky.txt"));

            // Any changed or added query parameter breaks the signature as well.
            String url = get.url().toString();
            assertTrue(url.contains("X-Amz-Expires=300"), url);
            for (String changed : List.of(url.replace("X-Amz-Expires=300", "X-Amz-Expires=3600"),
                    url + "&response-content-type=text%2Fhtml",
                    changeLastDigitOfDate(url))) {
                assertFalse(changed.equals(url));
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(changed)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, r.statusCode(), changed + " -> " + r.body());
                assertTrue(r.body().contains("<Code>SignatureDoesNotMatch</Code>"), r.body());
                assertFalse(r.body().contains("uploaded by link"));
            }
            HttpResponse<String> longerPut = http.send(HttpRequest.newBuilder(URI.create(put.url().toString()
                    .replace("via%20url.txt", "longer.txt").replace("X-Amz-Expires=300", "X-Amz-Expires=3600")))
                    .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, longerPut.statusCode());
            HttpResponse<String> extendedPut = http.send(HttpRequest.newBuilder(URI.create(put.url().toString()
                    .replace("X-Amz-Expires=300", "X-Amz-Expires=3600"))).PUT(HttpRequest.BodyPublishers.ofString("overwritten"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, extendedPut.statusCode(), extendedPut.body());
            assertFalse(exists("presigned", "longer.txt"));
            assertEquals("uploaded by link", new String(get("presigned", "via url.txt"), StandardCharsets.UTF_8));

            // Expired (both presigned for one second, then used after two).
            PresignedGetObjectRequest shortLived = presigner.presignGetObject(b -> b.signatureDuration(Duration.ofSeconds(1))
                    .getObjectRequest(g -> g.bucket("presigned").key("via url.txt")));
            PresignedPutObjectRequest shortPut = presigner.presignPutObject(b -> b.signatureDuration(Duration.ofSeconds(1))
                    .putObjectRequest(p -> p.bucket("presigned").key("via url.txt")));
            Thread.sleep(2100);
            HttpResponse<String> expired = http.send(HttpRequest.newBuilder(shortLived.url().toURI()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, expired.statusCode());
            assertTrue(expired.body().contains("<Code>AccessDenied</Code>") && expired.body().contains("Request has expired"), expired.body());
            assertFalse(expired.body().contains("uploaded by link"));
            HttpResponse<String> expiredPut = http.send(HttpRequest.newBuilder(shortPut.url().toURI())
                    .PUT(HttpRequest.BodyPublishers.ofString("too late")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, expiredPut.statusCode(), expiredPut.body());
            assertTrue(expiredPut.body().contains("Request has expired"), expiredPut.body());
            assertEquals("uploaded by link", new String(get("presigned", "via url.txt"), StandardCharsets.UTF_8));
        }
    }

    /** The presigned URL with X-Amz-Date one second off (still within its validity). */
    static String changeLastDigitOfDate(String url) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("X-Amz-Date=\\d{8}T\\d{5}(\\d)Z").matcher(url);
        assertTrue(m.find(), url);
        char digit = m.group(1).charAt(0);
        return url.substring(0, m.start(1)) + (digit == '0' ? '1' : (char) (digit - 1)) + url.substring(m.end(1));
    }

    // ---------------------------------------------------------------- CORS

    @Test
    void corsConfigurationPreflightAndActualRequests() throws Exception {
        createBucket("cors-bucket");
        s3.putObject(b -> b.bucket("cors-bucket").key("page.txt"), RequestBody.fromString("for the browser"));
        assertEquals(404, s3Error(() -> s3.getBucketCors(b -> b.bucket("cors-bucket"))).statusCode());
        URI object = URI.create("http://127.0.0.1:" + port + "/cors-bucket/page.txt");
        HttpResponse<String> before = http.send(HttpRequest.newBuilder(object).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "GET").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, before.statusCode(), before.body());

        s3.putBucketCors(b -> b.bucket("cors-bucket").corsConfiguration(c -> c.corsRules(
                software.amazon.awssdk.services.s3.model.CORSRule.builder().allowedOrigins("https://*.example.com")
                        .allowedMethods("GET", "PUT").allowedHeaders("content-type", "x-amz-*").exposeHeaders("ETag")
                        .maxAgeSeconds(300).build())));
        var rules = s3.getBucketCors(b -> b.bucket("cors-bucket")).corsRules();
        assertEquals(List.of("https://*.example.com"), rules.get(0).allowedOrigins());
        assertEquals(List.of("GET", "PUT"), rules.get(0).allowedMethods());

        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(object).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "Content-Type, X-Amz-Date").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, preflight.statusCode(), preflight.body());
        assertEquals("https://app.example.com", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("PUT"));
        assertEquals("300", preflight.headers().firstValue("Access-Control-Max-Age").orElse(""));
        HttpResponse<String> denied = http.send(HttpRequest.newBuilder(object).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.org").header("Access-Control-Request-Method", "GET").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, denied.statusCode());
        assertFalse(denied.headers().firstValue("Access-Control-Allow-Origin").isPresent());

        try (S3Presigner presigner = S3TestSupport.presigner(port)) {
            URI link = presigner.presignGetObject(b -> b.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket("cors-bucket").key("page.txt"))).url().toURI();
            HttpResponse<String> actual = http.send(HttpRequest.newBuilder(link).header("Origin", "https://app.example.com").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, actual.statusCode());
            assertEquals("for the browser", actual.body());
            assertEquals("https://app.example.com", actual.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            assertEquals("ETag", actual.headers().firstValue("Access-Control-Expose-Headers").orElse(""));
        }
        s3.deleteBucketCors(b -> b.bucket("cors-bucket"));
        assertEquals(404, s3Error(() -> s3.getBucketCors(b -> b.bucket("cors-bucket"))).statusCode());
    }

    // ---------------------------------------------------------------- authentication failures

    @Test
    void wrongSecretIsRefusedAndChangesNothing() {
        createBucket("auth");
        try (S3Client wrong = S3TestSupport.client(port, S3TestSupport.ACCESS_KEY, "not-the-secret-at-all", Region.US_EAST_1)) {
            S3Exception e = s3Error(() -> wrong.putObject(b -> b.bucket("auth").key("k"), RequestBody.fromString("x")));
            assertEquals(403, e.statusCode());
            assertEquals("SignatureDoesNotMatch", e.awsErrorDetails().errorCode());
            assertNotNull(e.requestId());
            assertEquals("SignatureDoesNotMatch", s3Error(() -> wrong.createBucket(b -> b.bucket("by-wrong-secret")))
                    .awsErrorDetails().errorCode());
            assertEquals("SignatureDoesNotMatch", s3Error(() -> wrong.deleteBucket(b -> b.bucket("auth"))).awsErrorDetails().errorCode());
        }
        try (S3Client unknown = S3TestSupport.client(port, "AKIDUNKNOWN000", "whatever-secret", Region.US_EAST_1)) {
            assertEquals("InvalidAccessKeyId", s3Error(() -> unknown.listBuckets()).awsErrorDetails().errorCode());
        }
        assertFalse(exists("auth", "k"));
        s3.headBucket(b -> b.bucket("auth"));
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("by-wrong-secret")));
    }

    @Test
    void wrongRegionIsRefused() {
        try (S3Client eu = S3TestSupport.client(port, S3TestSupport.ACCESS_KEY, S3TestSupport.SECRET_KEY, Region.EU_WEST_1)) {
            S3Exception e = s3Error(() -> eu.createBucket(b -> b.bucket("wrong-region")));
            assertEquals(400, e.statusCode());
            assertEquals("AuthorizationHeaderMalformed", e.awsErrorDetails().errorCode());
        }
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("wrong-region")));
    }

    @Test
    void tamperedHeaderSignatureIsRefusedAndChangesNothing() throws Exception {
        createBucket("tamper");
        s3.putObject(b -> b.bucket("tamper").key("kept"), RequestBody.fromString("original"));
        try (S3Client tampering = S3TestSupport.tamperingClient(port)) {
            List<org.junit.jupiter.api.function.Executable> calls = List.of(
                    () -> tampering.putObject(b -> b.bucket("tamper").key("new"), RequestBody.fromBytes(random(3 * CHUNK, 21))),
                    () -> tampering.putObject(b -> b.bucket("tamper").key("kept"), RequestBody.fromString("replaced")),
                    () -> tampering.copyObject(b -> b.sourceBucket("tamper").sourceKey("kept").destinationBucket("tamper")
                            .destinationKey("copied")),
                    () -> tampering.deleteObject(b -> b.bucket("tamper").key("kept")),
                    () -> tampering.deleteObjects(b -> b.bucket("tamper").delete(d -> d.objects(ObjectIdentifier.builder()
                            .key("kept").build()))),
                    () -> tampering.createMultipartUpload(b -> b.bucket("tamper").key("parts")),
                    () -> tampering.createBucket(b -> b.bucket("tamper-made")),
                    () -> tampering.deleteBucket(b -> b.bucket("tamper")),
                    () -> tampering.getObject(b -> b.bucket("tamper").key("kept")),
                    () -> tampering.listObjectsV2(b -> b.bucket("tamper")));
            for (org.junit.jupiter.api.function.Executable call : calls) {
                S3Exception e = s3Error(call);
                assertEquals(403, e.statusCode(), e.getMessage());
                assertEquals("SignatureDoesNotMatch", e.awsErrorDetails().errorCode(), e.getMessage());
            }
        }
        assertFalse(exists("tamper", "new"));
        assertFalse(exists("tamper", "copied"));
        assertEquals("original", new String(get("tamper", "kept"), StandardCharsets.UTF_8));
        assertTrue(s3.listMultipartUploads(b -> b.bucket("tamper")).uploads().isEmpty());
        assertFalse(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals("tamper-made")));

        // The same raw request: flipped it is refused and stores nothing, as signed it is stored.
        byte[] body = "raw body".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> flipped = S3TestSupport.signed(http, port, "PUT", "/tamper/raw", body, Map.of(), true);
        assertEquals(403, flipped.statusCode(), flipped.body());
        assertTrue(flipped.body().contains("<Code>SignatureDoesNotMatch</Code>"), flipped.body());
        assertFalse(exists("tamper", "raw"));
        HttpResponse<String> intact = S3TestSupport.signed(http, port, "PUT", "/tamper/raw", body, Map.of(), false);
        assertEquals(200, intact.statusCode(), intact.body());
        assertArrayEquals(body, get("tamper", "raw"));
    }

    @Test
    void oversizedMetadataAndHeaderBlocksAreRefusedAndChangeNothing() throws Exception {
        createBucket("big-headers");
        s3.putObject(b -> b.bucket("big-headers").key("kept").metadata(Map.of("v", "1")), RequestBody.fromString("original"));

        // S3's limit on user metadata is 2 KiB of names and values (UTF-8): exactly that is stored, one byte more is not.
        Map<String, String> atLimit = Map.of("k", "v".repeat(2047));
        s3.putObject(b -> b.bucket("big-headers").key("at-limit").metadata(atLimit), RequestBody.fromString("x"));
        assertEquals(atLimit, s3.headObject(b -> b.bucket("big-headers").key("at-limit")).metadata());
        S3Exception over = s3Error(() -> s3.putObject(b -> b.bucket("big-headers").key("over").metadata(Map.of("k", "v".repeat(2048))),
                RequestBody.fromString("x")));
        assertEquals(400, over.statusCode());
        assertEquals("MetadataTooLarge", over.awsErrorDetails().errorCode());
        assertFalse(exists("big-headers", "over"));

        // 32 KiB spread over 64 x-amz-meta-* headers (inside the listener's 64 KiB header block) on an overwrite.
        Map<String, String> spread = new java.util.TreeMap<>();
        IntStream.range(0, 64).forEach(i -> spread.put("m" + i, "x".repeat(500)));
        S3Exception many = s3Error(() -> s3.putObject(b -> b.bucket("big-headers").key("kept").metadata(spread),
                RequestBody.fromString("replaced")));
        assertEquals("MetadataTooLarge", many.awsErrorDetails().errorCode());
        S3Exception copy = s3Error(() -> s3.copyObject(b -> b.sourceBucket("big-headers").sourceKey("kept")
                .destinationBucket("big-headers").destinationKey("copy").metadataDirective(MetadataDirective.REPLACE).metadata(spread)));
        assertEquals("MetadataTooLarge", copy.awsErrorDetails().errorCode());
        S3Exception multipart = s3Error(() -> s3.createMultipartUpload(b -> b.bucket("big-headers").key("mp").metadata(spread)));
        assertEquals("MetadataTooLarge", multipart.awsErrorDetails().errorCode());
        assertFalse(exists("big-headers", "copy"));
        assertTrue(s3.listMultipartUploads(b -> b.bucket("big-headers")).uploads().isEmpty());

        // A header block beyond the 64 KiB limit gets S3's RequestHeaderSectionTooLarge and changes
        // nothing. The control request (same signing, small padding) shows it is otherwise accepted.
        byte[] body = "padded".getBytes(StandardCharsets.UTF_8);
        String control = S3TestSupport.signedRaw(port, "PUT", "/big-headers/padded-control", body, Map.of("X-Padding", "p".repeat(1000)));
        assertTrue(control.startsWith("HTTP/1.1 200"), control);
        assertTrue(exists("big-headers", "padded-control"));
        String huge = S3TestSupport.signedRaw(port, "PUT", "/big-headers/padded", body, Map.of("X-Padding", "p".repeat(70 * 1024)));
        assertTrue(huge.startsWith("HTTP/1.1 400") && huge.contains("<Code>RequestHeaderSectionTooLarge</Code>"),
                "response: '" + huge + "'");
        assertFalse(exists("big-headers", "padded"));
        String hugeOverwrite = S3TestSupport.signedRaw(port, "PUT", "/big-headers/kept", body,
                Map.of("X-Padding", "p".repeat(70 * 1024)));
        assertTrue(hugeOverwrite.startsWith("HTTP/1.1 400") && hugeOverwrite.contains("RequestHeaderSectionTooLarge"),
                hugeOverwrite);
        // The SDK sending 64 KiB of x-amz-meta-* gets an error, never a success.
        Map<String, String> huge64 = new java.util.TreeMap<>();
        IntStream.range(0, 64).forEach(i -> huge64.put("h" + i, "y".repeat(1024)));
        assertThrows(software.amazon.awssdk.core.exception.SdkException.class, () -> s3.putObject(b -> b.bucket("big-headers")
                .key("kept").metadata(huge64), RequestBody.fromString("replaced")));

        HeadObjectResponse kept = s3.headObject(b -> b.bucket("big-headers").key("kept"));
        assertEquals(Map.of("v", "1"), kept.metadata());
        assertEquals("original", new String(get("big-headers", "kept"), StandardCharsets.UTF_8));
        assertEquals(List.of("at-limit", "kept", "padded-control"), s3.listObjectsV2(b -> b.bucket("big-headers")).contents()
                .stream().map(S3Object::key).toList());
    }

    @Test
    void anonymousRequestsAreDenied() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("<Code>AccessDenied</Code>"), r.body());
        assertTrue(r.headers().firstValue("x-amz-request-id").isPresent());
        assertEquals("application/xml", r.headers().firstValue("Content-Type").orElse(""));
    }

    // ---------------------------------------------------------------- bodies the SDK will not send

    @Test
    void malformedXmlAndXxeAreRefusedAndDeleteNothing() throws Exception {
        createBucket("xml-bodies");
        s3.putObject(b -> b.bucket("xml-bodies").key("keep"), RequestBody.fromString("still here"));
        byte[] malformed = "<Delete><Object><Key>keep</Key></Object>".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r1 = S3TestSupport.signed(http, port, "POST", "/xml-bodies?delete", malformed,
                Map.of("content-md5", md5Base64(malformed)));
        assertEquals(400, r1.statusCode(), r1.body());
        assertTrue(r1.body().contains("<Code>MalformedXML</Code>"), r1.body());

        byte[] xxe = ("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
                + "<Delete><Object><Key>&x;</Key></Object><Object><Key>keep</Key></Object></Delete>").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r2 = S3TestSupport.signed(http, port, "POST", "/xml-bodies?delete", xxe,
                Map.of("content-md5", md5Base64(xxe)));
        assertEquals(400, r2.statusCode(), r2.body());
        assertTrue(r2.body().contains("<Code>MalformedXML</Code>"), r2.body());

        byte[] good = "<Delete><Object><Key>keep</Key></Object></Delete>".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> noMd5 = S3TestSupport.signed(http, port, "POST", "/xml-bodies?delete", good, Map.of());
        assertEquals(400, noMd5.statusCode(), noMd5.body());
        HttpResponse<String> badMd5 = S3TestSupport.signed(http, port, "POST", "/xml-bodies?delete", good,
                Map.of("content-md5", md5Base64("other".getBytes(StandardCharsets.UTF_8))));
        assertEquals(400, badMd5.statusCode(), badMd5.body());
        assertTrue(badMd5.body().contains("<Code>BadDigest</Code>"), badMd5.body());
        assertEquals("still here", new String(get("xml-bodies", "keep"), StandardCharsets.UTF_8));

        // boto3 >= 1.36 sends a CRC32 instead of Content-MD5.
        s3.putObject(b -> b.bucket("xml-bodies").key("crc-target"), RequestBody.fromString("x"));
        byte[] crcBody = "<Delete><Quiet>true</Quiet><Object><Key>crc-target</Key></Object></Delete>".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> crcDelete = S3TestSupport.signed(http, port, "POST", "/xml-bodies?delete", crcBody,
                Map.of("x-amz-checksum-crc32", crc32Base64(crcBody), "x-amz-sdk-checksum-algorithm", "CRC32"));
        assertEquals(200, crcDelete.statusCode(), crcDelete.body());
        assertFalse(exists("xml-bodies", "crc-target"));
        HttpResponse<String> badCrc = S3TestSupport.signed(http, port, "POST", "/xml-bodies?delete", good,
                Map.of("x-amz-checksum-crc32", crc32Base64("other".getBytes(StandardCharsets.UTF_8))));
        assertEquals(400, badCrc.statusCode(), badCrc.body());
        assertTrue(badCrc.body().contains("<Code>BadDigest</Code>"), badCrc.body());
        assertTrue(exists("xml-bodies", "keep"));
    }

    static String crc32Base64(byte[] data) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        return java.util.Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void contentMd5MismatchStoresNothing() throws Exception {
        createBucket("digests");
        S3Exception e = s3Error(() -> s3.putObject(b -> b.bucket("digests").key("k")
                .contentMD5(java.util.Base64.getEncoder().encodeToString(new byte[16])), RequestBody.fromString("body")));
        assertEquals(400, e.statusCode());
        assertEquals("BadDigest", e.awsErrorDetails().errorCode());
        assertFalse(exists("digests", "k"));
        byte[] body = "signed body".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> ok = S3TestSupport.signed(http, port, "PUT", "/digests/raw", body, Map.of("content-md5", md5Base64(body)));
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("\"" + md5Hex(body) + "\"", ok.headers().firstValue("ETag").orElse(""));
        HttpResponse<String> badCrc = S3TestSupport.signed(http, port, "PUT", "/digests/crc", body,
                Map.of("x-amz-checksum-crc32", crc32Base64("not the body".getBytes(StandardCharsets.UTF_8))));
        assertEquals(400, badCrc.statusCode(), badCrc.body());
        assertTrue(badCrc.body().contains("<Code>BadDigest</Code>"), badCrc.body());
        assertFalse(exists("digests", "crc"));
        HttpResponse<String> goodCrc = S3TestSupport.signed(http, port, "PUT", "/digests/crc", body,
                Map.of("x-amz-checksum-crc32", crc32Base64(body)));
        assertEquals(200, goodCrc.statusCode(), goodCrc.body());
        assertTrue(exists("digests", "crc"));
    }

    @Test
    void crc32cAndSha256ChecksumsAreVerified() throws Exception {
        createBucket("checksums");
        byte[] body = random(2 * CHUNK + 5, 31);
        byte[] other = random(2 * CHUNK + 5, 32);
        s3.putObject(b -> b.bucket("checksums").key("kept"), RequestBody.fromString("original"));
        // Computed by the SDK and sent in the aws-chunked trailer.
        for (ChecksumAlgorithm a : List.of(ChecksumAlgorithm.CRC32_C, ChecksumAlgorithm.SHA256, ChecksumAlgorithm.SHA1)) {
            s3.putObject(b -> b.bucket("checksums").key("trailer-" + a).checksumAlgorithm(a), RequestBody.fromBytes(body));
            assertArrayEquals(body, get("checksums", "trailer-" + a), a.toString());
        }
        // Given by the caller: the SDK sends them as headers.
        s3.putObject(b -> b.bucket("checksums").key("given").checksumSHA256(sha256Base64(body)), RequestBody.fromBytes(body));
        s3.putObject(b -> b.bucket("checksums").key("given").checksumCRC32C(crc32cBase64(body)), RequestBody.fromBytes(body));
        assertArrayEquals(body, get("checksums", "given"));
        List<org.junit.jupiter.api.function.Executable> wrong = List.of(
                () -> s3.putObject(b -> b.bucket("checksums").key("bad").checksumSHA256(sha256Base64(other)), RequestBody.fromBytes(body)),
                () -> s3.putObject(b -> b.bucket("checksums").key("bad").checksumCRC32C(crc32cBase64(other)), RequestBody.fromBytes(body)),
                () -> s3.putObject(b -> b.bucket("checksums").key("kept").checksumSHA256(sha256Base64(other)), RequestBody.fromBytes(body)),
                () -> s3.putObject(b -> b.bucket("checksums").key("kept").checksumCRC32C(crc32cBase64(other)), RequestBody.fromBytes(body)));
        for (org.junit.jupiter.api.function.Executable call : wrong) {
            S3Exception e = s3Error(call);
            assertEquals(400, e.statusCode(), e.getMessage());
            assertEquals("BadDigest", e.awsErrorDetails().errorCode(), e.getMessage());
        }
        assertFalse(exists("checksums", "bad"));
        assertEquals("original", new String(get("checksums", "kept"), StandardCharsets.UTF_8));

        // Raw signed requests with the headers (signed payload hash right, checksum wrong).
        for (String header : List.of("x-amz-checksum-crc32c", "x-amz-checksum-sha256")) {
            String good = header.endsWith("crc32c") ? crc32cBase64(body) : sha256Base64(body);
            String bad = header.endsWith("crc32c") ? crc32cBase64(other) : sha256Base64(other);
            HttpResponse<String> refused = S3TestSupport.signed(http, port, "PUT", "/checksums/raw", body, Map.of(header, bad));
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("<Code>BadDigest</Code>"), refused.body());
            assertFalse(exists("checksums", "raw"));
            HttpResponse<String> malformed = S3TestSupport.signed(http, port, "PUT", "/checksums/raw", body, Map.of(header, "not base64!"));
            assertEquals(400, malformed.statusCode(), malformed.body());
            assertFalse(exists("checksums", "raw"));
            HttpResponse<String> accepted = S3TestSupport.signed(http, port, "PUT", "/checksums/raw", body, Map.of(header, good));
            assertEquals(200, accepted.statusCode(), accepted.body());
            assertArrayEquals(body, get("checksums", "raw"));
            s3.deleteObject(b -> b.bucket("checksums").key("raw"));
        }
    }

    static String sha256Base64(byte[] data) {
        try {
            return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String crc32cBase64(byte[] data) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(data);
        return java.util.Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    // ---------------------------------------------------------------- bucket tags

    /** Bucket tags are kept with the bucket: put (replacing), get in key order, delete; S3's checks and errors. */
    @Test
    void bucketTagging() {
        createBucket("tagged-bucket");
        S3Exception none = s3Error(() -> s3.getBucketTagging(b -> b.bucket("tagged-bucket")));
        assertEquals(404, none.statusCode());
        assertEquals("NoSuchTagSet", none.awsErrorDetails().errorCode());
        s3.putBucketTagging(b -> b.bucket("tagged-bucket").tagging(t -> t.tagSet(
                software.amazon.awssdk.services.s3.model.Tag.builder().key("team").value("media").build(),
                software.amazon.awssdk.services.s3.model.Tag.builder().key("cost centre").value("ünï 42").build())));
        assertEquals(Map.of("team", "media", "cost centre", "ünï 42"), bucketTags("tagged-bucket"));
        s3.putBucketTagging(b -> b.bucket("tagged-bucket").tagging(t -> t.tagSet(
                software.amazon.awssdk.services.s3.model.Tag.builder().key("team").value("ops").build())));
        assertEquals(Map.of("team", "ops"), bucketTags("tagged-bucket"), "a PUT replaces the whole set");
        List<software.amazon.awssdk.services.s3.model.Tag> many = IntStream.range(0, 51)
                .mapToObj(i -> software.amazon.awssdk.services.s3.model.Tag.builder().key("k" + i).value("v").build()).toList();
        S3Exception tooMany = s3Error(() -> s3.putBucketTagging(b -> b.bucket("tagged-bucket").tagging(t -> t.tagSet(many))));
        assertEquals("InvalidTag", tooMany.awsErrorDetails().errorCode());
        S3Exception reserved = s3Error(() -> s3.putBucketTagging(b -> b.bucket("tagged-bucket").tagging(t -> t.tagSet(
                software.amazon.awssdk.services.s3.model.Tag.builder().key("aws:x").value("v").build()))));
        assertEquals("InvalidTag", reserved.awsErrorDetails().errorCode());
        assertEquals(Map.of("team", "ops"), bucketTags("tagged-bucket"), "a refused PUT changes nothing");
        s3.putBucketTagging(b -> b.bucket("tagged-bucket").tagging(t -> t.tagSet(many.subList(0, 50))));
        assertEquals(50, bucketTags("tagged-bucket").size(), "a bucket holds up to 50 tags");
        s3.deleteBucketTagging(b -> b.bucket("tagged-bucket"));
        assertEquals("NoSuchTagSet", s3Error(() -> s3.getBucketTagging(b -> b.bucket("tagged-bucket"))).awsErrorDetails().errorCode());
        assertEquals("NoSuchBucket", s3Error(() -> s3.getBucketTagging(b -> b.bucket("no-such-bucket-tags")))
                .awsErrorDetails().errorCode());
        s3.deleteBucket(b -> b.bucket("tagged-bucket"));
    }

    Map<String, String> bucketTags(String bucket) {
        Map<String, String> out = new java.util.HashMap<>();
        s3.getBucketTagging(b -> b.bucket(bucket)).tagSet().forEach(t -> out.put(t.key(), t.value()));
        return out;
    }

    // ---------------------------------------------------------------- not implemented

    @Test
    void unsupportedOperationsAnswerNotImplemented() {
        createBucket("unsupported");
        s3.putObject(b -> b.bucket("unsupported").key("k"), RequestBody.fromString("v"));
        List<org.junit.jupiter.api.function.Executable> calls = List.of(
                () -> s3.getBucketWebsite(b -> b.bucket("unsupported")),
                () -> s3.getBucketLogging(b -> b.bucket("unsupported")),
                () -> s3.putBucketVersioning(b -> b.bucket("unsupported").versioningConfiguration(v -> v.status("Enabled"))),
                () -> s3.putBucketEncryption(b -> b.bucket("unsupported").serverSideEncryptionConfiguration(c -> c.rules(
                        r -> r.applyServerSideEncryptionByDefault(d -> d.sseAlgorithm("AES256"))))),
                () -> s3.getObjectRetention(b -> b.bucket("unsupported").key("k")),
                () -> s3.putObject(b -> b.bucket("unsupported").key("enc").serverSideEncryption("AES256"), RequestBody.fromString("v")));
        for (org.junit.jupiter.api.function.Executable call : calls) {
            S3Exception e = s3Error(call);
            assertEquals(501, e.statusCode(), e.getMessage());
            assertEquals("NotImplemented", e.awsErrorDetails().errorCode());
        }
        assertFalse(exists("unsupported", "enc"));
        assertEquals(null, s3.getBucketVersioning(b -> b.bucket("unsupported")).status());
        // A bucket never configured for encryption answers as S3 does for one (and nothing here is encrypted at rest).
        S3Exception encryption = s3Error(() -> s3.getBucketEncryption(b -> b.bucket("unsupported")));
        assertEquals(404, encryption.statusCode(), encryption.getMessage());
        assertEquals("ServerSideEncryptionConfigurationNotFoundError", encryption.awsErrorDetails().errorCode());
        assertEquals("NoSuchBucket", s3Error(() -> s3.getBucketEncryption(b -> b.bucket("no-such-bucket-here")))
                .awsErrorDetails().errorCode());
    }
}
