package io.hifadhi.node.s3;

import io.hifadhi.node.testing.NodeProcess;
import io.hifadhi.node.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Careless and hostile input to one node in its own JVM (its log is read back): each refusal is a 4xx
 * with a body and one WARN line, never a stack trace; the limits per client address answer 503 with
 * Retry-After; what the node writes to disk is owner-only.
 */
@Tag("timing") // asserts a request rate: runs in the fork that has the machine to itself (node/pom.xml)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostileInputTest {
    static final String KEY = "hostile-input-shard-key";

    @TempDir
    static Path tmp;
    static NodeProcess node;
    static S3Client s3;

    @BeforeAll
    static void start() throws IOException {
        node = NodeProcess.start(tmp.resolve("data"), KEY, "-Xmx256m", tmp.resolve("node.log"),
                "--access-key", S3TestSupport.ACCESS_KEY, "--secret-key", S3TestSupport.SECRET_KEY,
                "--client-request-rate", "20", "--client-connections", "4",
                "--key-request-rate", "30", "--max-buckets-per-key", "3", "--max-uploads-per-object", "2",
                "--key-connections", "3", "--max-uploads-per-key", "4");
        s3 = S3TestSupport.client(node.port());
        s3.createBucket(b -> b.bucket("hostile"));
        s3.putObject(b -> b.bucket("hostile").key("page.txt"), RequestBody.fromString("<script>alert(1)</script>"));
        s3.putObject(b -> b.bucket("hostile").key("chunked.bin"), RequestBody.fromBytes(new byte[1 << 20]));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (s3 != null) {
            s3.close();
        }
        if (node != null) {
            node.close();
        }
    }

    static String log() throws IOException {
        return Files.readString(node.log());
    }

    @Test
    void aNativeFormAnnouncingTenTerabytesIs413() throws IOException {
        for (String expect : List.of("", "Expect: 100-continue\r\n")) {
            String answer = exchange("127.0.0.1", "POST /api/v1/store HTTP/1.1\r\nHost: x\r\nSHARD-KEY: " + KEY + "\r\n" + expect
                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000000000\r\n\r\n"
                    + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nxxxx");
            assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            assertTrue(answer.contains("\"error\":\"too_large\""), answer);
            assertTrue(answer.toLowerCase().contains("x-content-type-options: nosniff"), answer);
        }
    }

    @Test
    void aMalformedChunkedBodyIs400AndOneWarnLine() throws Exception {
        String nativePut = "PUT /api/v1/store/proc%40chunked.txt HTTP/1.1\r\nHost: x\r\nSHARD-KEY: " + KEY
                + "\r\nTransfer-Encoding: chunked\r\n\r\n";
        // A chunk size too long to be one, in the body's first bytes (refused before any handler runs).
        String answer = refusedWithOneWarnLine(nativePut + "fffffffffffffffffffff\r\nhello\r\n",
                "refused a malformed request body from /127.0.0.1");
        assertTrue(answer.contains("\"error\":\"malformed_body\"") && answer.contains("more than 15 hex digits"), answer);
        // Garbage after 128 KiB of good chunks: found by the handler, which has not answered yet.
        String later = nativePut + "20000\r\n" + "x".repeat(0x20000) + "\r\nhello\r\n";
        answer = refusedWithOneWarnLine(later, "refused a malformed request body from /127.0.0.1");
        assertTrue(answer.contains("\"error\":\"malformed_body\"") && answer.contains("chunk-size line starts with 'h'"), answer);
        String link;
        try (var presigner = S3TestSupport.presigner(node.port())) {
            link = presigner.presignPutObject(b -> b.signatureDuration(java.time.Duration.ofMinutes(5))
                    .putObjectRequest(p -> p.bucket("hostile").key("chunked-put.bin"))).url().toString();
        }
        String s3Put = "PUT " + link.substring(link.indexOf("/hostile/")) + " HTTP/1.1\r\nHost: 127.0.0.1:" + node.port()
                + "\r\nTransfer-Encoding: chunked\r\n\r\n";
        // Chunk data longer than its size line says: S3 answers in XML.
        answer = refusedWithOneWarnLine(s3Put + "3\r\nhello\r\n0\r\n\r\n", "refused, its body could not be read from /127.0.0.1");
        assertTrue(answer.contains("<Code>InvalidRequest</Code>") && answer.contains("more data than its size line"), answer);
        // The SigV4 streaming layer's own framing (aws-chunked inside a valid Content-Length body).
        answer = refusedWithOneWarnLine(awsChunkedPut("/hostile/aws-chunked.bin", "5\r\nhello\r\n0\r\n\r\n"),
                "refused: InvalidRequest: Malformed aws-chunked body");
        assertTrue(answer.contains("<Code>InvalidRequest</Code>") && answer.contains("header lacks"), answer);
        // Nothing was stored by any of them.
        assertEquals(404, RawHttp.send(node.port(), "GET", "/api/v1/retrieve/proc%40chunked.txt", Map.of("SHARD-KEY", KEY), null).status());
        assertEquals(404, assertThrows(S3Exception.class, () -> s3.headObject(b -> b.bucket("hostile").key("chunked-put.bin"))).statusCode());
        assertEquals(404, assertThrows(S3Exception.class, () -> s3.headObject(b -> b.bucket("hostile").key("aws-chunked.bin"))).statusCode());
    }

    @Test
    void aWellFormedChunkedBodyIsStoredWhole() throws Exception {
        // Sizes in both cases, an extension, a bare-LF line, a trailer: all valid HTTP/1.1 chunking.
        String big = "b".repeat(0x12345);
        String body = "5;note=first\r\nhello\r\n12345\r\n" + big + "\r\nA\n0123456789\n0\r\nX-Note: end\r\n\r\n";
        for (String name : List.of("chunked-small.bin", "chunked-big.bin")) {
            String sent = name.contains("small") ? "5\r\nhello\r\n0\r\n\r\n" : body;
            String answer = exchange("127.0.0.1", "PUT /api/v1/store/proc%40" + name + " HTTP/1.1\r\nHost: x\r\nSHARD-KEY: "
                    + KEY + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + sent);
            assertTrue(answer.startsWith("HTTP/1.1 200 ") || answer.startsWith("HTTP/1.1 201 "), answer);
        }
        // A connection whose chunked body was read to its end serves the next request (Expect: 100-continue, so
        // that the body is not held and pushed back at the start, which makes a connection serve one request).
        String kept = exchange("127.0.0.1", "PUT /api/v1/store/proc%40chunked-kept.bin HTTP/1.1\r\nHost: x\r\nSHARD-KEY: "
                + KEY + "\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n" + body
                + "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(kept.startsWith("HTTP/1.1 100 "), kept);
        assertTrue(kept.matches("(?s).*HTTP/1\\.1 20[01] .*HTTP/1\\.1 200 .*\"status\":\"healthy\".*"), kept);
        RawHttp.Response small = RawHttp.send(node.port(), "GET", "/api/v1/retrieve/proc%40chunked-small.bin", Map.of("SHARD-KEY", KEY), null);
        assertEquals("hello", small.text());
        RawHttp.Response whole = RawHttp.send(node.port(), "GET", "/api/v1/retrieve/proc%40chunked-big.bin", Map.of("SHARD-KEY", KEY), null);
        assertEquals(200, whole.status());
        assertEquals("hello" + big + "0123456789", whole.text());
        assertEquals("hello" + big + "0123456789", RawHttp.send(node.port(), "GET", "/api/v1/retrieve/proc%40chunked-kept.bin",
                Map.of("SHARD-KEY", KEY), null).text());
    }

    /**
     * Sends {@code request}, expects a 400 with Connection: close and the connection closed, and exactly one
     * new line in the node's log: a WARN containing {@code logged}, no stack trace. Returns the answer.
     */
    static String refusedWithOneWarnLine(String request, String logged) throws Exception {
        // Refusals of one kind are logged at most once a second: wait out the previous one's second.
        Thread.sleep(1100);
        long before = log().lines().count();
        String answer = exchange("127.0.0.1", request);
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertTrue(answer.toLowerCase().contains("connection: close"), answer);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> log().lines().count() > before);
        Thread.sleep(300); // and nothing more comes
        List<String> lines = log().lines().skip(before).toList();
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains(" WARN ") && lines.get(0).contains(logged), lines.get(0));
        return answer;
    }

    /** A PUT signed for a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, with {@code body} as its aws-chunked bytes. */
    static String awsChunkedPut(String path, String body) throws Exception {
        return signedRequest("PUT", path, Map.of("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                "x-amz-decoded-content-length", "5", "content-encoding", "aws-chunked"), body);
    }

    /** A request signed with the test key (SigV4, header), {@code signed} among its signed headers; one request a connection. */
    static String signedRequest(String method, String pathAndQuery, Map<String, String> signed, String body) throws Exception {
        String amzDate = java.time.format.DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        Map<String, List<String>> headers = new java.util.TreeMap<>();
        headers.put("host", List.of("127.0.0.1:" + node.port()));
        headers.put("x-amz-date", List.of(amzDate));
        headers.put("x-amz-content-sha256", List.of("UNSIGNED-PAYLOAD"));
        signed.forEach((k, v) -> headers.put(k, List.of(v)));
        String authorization = new io.hifadhi.api.signature.SigV4Signer(S3TestSupport.ACCESS_KEY, S3TestSupport.SECRET_KEY,
                "us-east-1").authorization(io.hifadhi.api.signature.SimpleRequestView.of(method, pathAndQuery, headers),
                List.copyOf(headers.keySet()));
        StringBuilder head = new StringBuilder(method + " " + pathAndQuery + " HTTP/1.1\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v.get(0)).append("\r\n"));
        return head.append("Authorization: ").append(authorization).append("\r\nContent-Length: ").append(body.length())
                .append("\r\nConnection: close\r\n\r\n").append(body).toString();
    }

    /**
     * Sends each request from its own address, all at once, each again while it is answered 503 (the key's
     * open-request limit is small here); returns the final answers in order.
     */
    static List<String> concurrently(List<java.util.concurrent.Callable<String>> requests) throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(requests.size());
        try {
            List<java.util.concurrent.Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                String from = "127.0.0." + (30 + i);
                var request = requests.get(i);
                answers.add(pool.submit(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (true) {
                        String answer = exchange(from, request.call());
                        if (!answer.startsWith("HTTP/1.1 503 ") || System.nanoTime() > deadline) {
                            return answer;
                        }
                        Thread.sleep(100);
                    }
                }));
            }
            List<String> out = new ArrayList<>();
            for (var a : answers) {
                out.add(a.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void bucketQuotaHoldsUnderConcurrentCreates() throws Exception {
        // "hostile" is one of the key's three: of six created at once, exactly two are.
        List<java.util.concurrent.Callable<String>> creates = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String bucket = "racing-" + i;
            creates.add(() -> signedRequest("PUT", "/" + bucket, Map.of(), ""));
        }
        List<String> answers = concurrently(creates);
        List<String> created = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            String a = answers.get(i);
            if (a.startsWith("HTTP/1.1 200 ")) {
                created.add("racing-" + i);
            } else {
                assertTrue(a.startsWith("HTTP/1.1 400 ") && a.contains("<Code>TooManyBuckets</Code>"), a);
            }
        }
        try {
            assertEquals(2, created.size(), String.join("\n\n", answers));
        } finally {
            for (String b : created) {
                s3.deleteBucket(d -> d.bucket(b));
            }
        }
    }

    @Test
    void aKeyMayHaveOnlySoManyOpenUploadsInAllItsBuckets() throws Exception {
        // Six object keys, none near its own limit of two: the key's limit of four refuses two of them.
        List<java.util.concurrent.Callable<String>> creates = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String key = "spread-" + i + ".bin";
            creates.add(() -> signedRequest("POST", "/hostile/" + key + "?uploads", Map.of(), ""));
        }
        List<String> answers = concurrently(creates);
        try {
            long started = answers.stream().filter(a -> a.startsWith("HTTP/1.1 200 ") && a.contains("<UploadId>")).count();
            assertEquals(4, started, String.join("\n\n", answers));
            for (String a : answers) {
                if (!a.startsWith("HTTP/1.1 200 ")) {
                    assertTrue(a.startsWith("HTTP/1.1 400 ") && a.contains("<Code>TooManyUploads</Code>")
                            && a.contains("the limit is 4 a key") && a.contains("--max-uploads-per-key"), a);
                }
            }
        } finally {
            for (var u : s3.listMultipartUploads(b -> b.bucket("hostile")).uploads()) {
                s3.abortMultipartUpload(b -> b.bucket("hostile").key(u.key()).uploadId(u.uploadId()));
            }
        }
        // Aborted, they no longer count.
        s3.abortMultipartUpload(b -> b.bucket("hostile").key("again.bin")
                .uploadId(s3.createMultipartUpload(c -> c.bucket("hostile").key("again.bin")).uploadId()));
    }

    @Test
    void aKeyOverItsOpenRequestsGetsSlowDownFromWhicheverAddress() throws Exception {
        String link;
        try (var presigner = S3TestSupport.presigner(node.port())) {
            link = presigner.presignPutObject(b -> b.signatureDuration(java.time.Duration.ofMinutes(5))
                    .putObjectRequest(p -> p.bucket("hostile").key("held.bin"))).url().toString();
        }
        String put = "PUT " + link.substring(link.indexOf("/hostile/")) + " HTTP/1.1\r\nHost: 127.0.0.1:" + node.port()
                + "\r\nContent-Length: 1048576\r\n\r\n" + "x".repeat(128 * 1024);
        List<Socket> held = new ArrayList<>();
        try {
            // Three uploads of the key from three addresses, each well within its address's limits, stop halfway.
            for (String from : List.of("127.0.0.10", "127.0.0.11", "127.0.0.12")) {
                Socket s = connect(from);
                send(s, put);
                held.add(s);
            }
            // Once the node serves all three, the key's fourth request is refused, wherever it comes from.
            String[] refused = {""};
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
                refused[0] = exchange("127.0.0.13", signedRequest("GET", "/hostile/page.txt", Map.of(), ""));
                return refused[0].startsWith("HTTP/1.1 503 ");
            });
            assertTrue(refused[0].contains("<Code>SlowDown</Code>") && refused[0].contains("3 requests open"), refused[0]);
            assertTrue(refused[0].contains("Retry-After: 1"), refused[0]);
            assertTrue(log().contains("refused with 503 (SlowDown): access key " + S3TestSupport.ACCESS_KEY + " has 3 requests open"), log());
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        // The uploads ended with their connections: the key is served again, nothing half-written is visible.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                exchange("127.0.0.13", signedRequest("GET", "/hostile/page.txt", Map.of(), "")).startsWith("HTTP/1.1 200 "));
        assertEquals(404, assertThrows(S3Exception.class, () -> s3.headObject(b -> b.bucket("hostile").key("held.bin"))).statusCode());
    }

    @Test
    void deleteObjectsDoesNotEchoAHugeKey() {
        String huge = "k".repeat(200_000);
        DeleteObjectsResponse r = s3.deleteObjects(b -> b.bucket("hostile").delete(Delete.builder()
                .objects(ObjectIdentifier.builder().key(huge).build()).build()));
        assertEquals(1, r.errors().size());
        String echoed = r.errors().get(0).key();
        assertEquals("KeyTooLongError", r.errors().get(0).code());
        assertTrue(echoed.startsWith("k".repeat(1024)) && echoed.length() < 1100, echoed.length() + " characters echoed");
        assertTrue(echoed.endsWith("(200000 characters)"), echoed.substring(1024));
    }

    @Test
    void anonymousReadsThroughAGrantCannotOverrideResponseHeaders() throws IOException {
        RawHttp.Response granted = RawHttp.send(node.port(), "POST", "/api/v1/grant", Map.of("SHARD-KEY", KEY,
                "Content-Type", "application/json"), "{\"bucket\":\"hostile\",\"key\":\"page.txt\",\"ip\":\"127.0.0.5\"}"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(200, granted.status(), granted.text());
        RawHttp.Response plain = RawHttp.send("127.0.0.5", node.port(), "GET", "/hostile/page.txt", Map.of(), null);
        assertEquals(200, plain.status(), plain.text());
        assertEquals("nosniff", plain.header("X-Content-Type-Options"));
        for (String override : List.of("response-content-type=text/html", "response-content-disposition=inline")) {
            RawHttp.Response r = RawHttp.send("127.0.0.5", node.port(), "GET", "/hostile/page.txt?" + override, Map.of(), null);
            assertEquals(400, r.status(), r.text());
            assertTrue(r.text().contains("<Code>InvalidRequest</Code>"), r.text());
            assertEquals("nosniff", r.header("X-Content-Type-Options"));
        }
        // A signed request may still use them (presigned download links set the file name this way).
        var signed = s3.getObject(b -> b.bucket("hostile").key("page.txt").responseContentType("text/plain; charset=utf-8"));
        assertEquals("text/plain; charset=utf-8", signed.response().contentType());
        signed.abort();
    }

    @Test
    void whatTheNodeWritesIsOwnerOnly() throws IOException {
        Path data = tmp.resolve("data");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
        // Every directory and file the node writes itself; RocksDB's own files (inside db/) follow the umask.
        List<Path> rocksDb = List.of(data.resolve("db"));
        List<Path> files = new ArrayList<>();
        try (Stream<Path> all = Files.walk(data)) {
            for (Path p : all.filter(p -> rocksDb.stream().noneMatch(r -> p.startsWith(r) && !p.equals(r))).toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                if (Files.isDirectory(p)) {
                    assertEquals("rwx------", mode, p.toString());
                } else {
                    assertEquals("rw-------", mode, p.toString());
                    files.add(data.relativize(p));
                }
            }
        }
        assertTrue(files.stream().anyMatch(p -> p.startsWith("chunks")), "no chunk files under " + data + ": " + files);
    }

    @Test
    void aKeyMayOwnOnlySoManyBuckets() {
        // "hostile" is the first of the key's three.
        s3.createBucket(b -> b.bucket("quota-1"));
        s3.createBucket(b -> b.bucket("quota-2"));
        S3Exception refused = assertThrows(S3Exception.class, () -> s3.createBucket(b -> b.bucket("quota-3")));
        assertEquals(400, refused.statusCode());
        assertEquals("TooManyBuckets", refused.awsErrorDetails().errorCode());
        assertTrue(refused.awsErrorDetails().errorMessage().contains("may own 3"), refused.awsErrorDetails().errorMessage());
        // Asking again for one it owns is still the usual answer, not the quota.
        assertEquals("BucketAlreadyOwnedByYou", assertThrows(S3Exception.class,
                () -> s3.createBucket(b -> b.bucket("quota-1"))).awsErrorDetails().errorCode());
        s3.deleteBucket(b -> b.bucket("quota-2"));
        s3.createBucket(b -> b.bucket("quota-3"));
        s3.deleteBucket(b -> b.bucket("quota-3"));
        s3.deleteBucket(b -> b.bucket("quota-1"));
    }

    @Test
    void anObjectKeyMayHaveOnlySoManyOpenUploads() {
        String first = s3.createMultipartUpload(b -> b.bucket("hostile").key("big.iso")).uploadId();
        s3.createMultipartUpload(b -> b.bucket("hostile").key("big.iso"));
        S3Exception refused = assertThrows(S3Exception.class,
                () -> s3.createMultipartUpload(b -> b.bucket("hostile").key("big.iso")));
        assertEquals(400, refused.statusCode());
        assertEquals("TooManyUploads", refused.awsErrorDetails().errorCode());
        assertTrue(refused.awsErrorDetails().errorMessage().contains("limit is 2"), refused.awsErrorDetails().errorMessage());
        // Another key, even one that starts with this one, has its own count.
        s3.createMultipartUpload(b -> b.bucket("hostile").key("big.iso.part2"));
        // Aborting one makes room again.
        s3.abortMultipartUpload(b -> b.bucket("hostile").key("big.iso").uploadId(first));
        s3.createMultipartUpload(b -> b.bucket("hostile").key("big.iso"));
        for (var u : s3.listMultipartUploads(b -> b.bucket("hostile")).uploads()) {
            s3.abortMultipartUpload(b -> b.bucket("hostile").key(u.key()).uploadId(u.uploadId()));
        }
    }

    @Test
    void aClientOverItsRequestRateGets503WithRetryAfter() throws IOException {
        int refused = 0;
        String retryAfter = null;
        for (int i = 0; i < 60; i++) {
            RawHttp.Response r = RawHttp.send("127.0.0.3", node.port(), "GET", "/api/v1/health", Map.of(), null);
            if (r.status() == 503) {
                refused++;
                retryAfter = r.header("Retry-After");
                assertTrue(r.text().contains("\"error\":\"too_many_requests\""), r.text());
            } else {
                assertEquals(200, r.status());
            }
        }
        assertTrue(refused >= 20, refused + " of 60 refused");
        assertTrue(retryAfter != null && Long.parseLong(retryAfter) >= 1, retryAfter);
        // Another address is not affected.
        assertEquals(200, RawHttp.send("127.0.0.1", node.port(), "GET", "/api/v1/health", Map.of(), null).status());
        assertTrue(log().contains("refused with 503 (too_many_requests): 127.0.0.3"), log());
    }

    @Test
    void aKeyOverItsRequestRateGetsSlowDownFromWhicheverAddress() throws Exception {
        // One presigned link (signed with the test key) fetched from four addresses: each stays under its own
        // burst of 20, together they pass the key's 30.
        String link;
        try (var presigner = S3TestSupport.presigner(node.port())) {
            link = presigner.presignGetObject(b -> b.signatureDuration(java.time.Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket("hostile").key("page.txt"))).url().toString();
        }
        String pathAndQuery = link.substring(link.indexOf("/hostile/"));
        // The other tests of this class use the same key: start with its allowance full (a burst of 30 refills at 30 a
        // second), so the count below is this test's alone.
        Thread.sleep(1_500);
        int ok = 0;
        int slowDown = 0;
        String retryAfter = null;
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            for (String from : List.of("127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9")) {
                RawHttp.Response r = RawHttp.send(from, node.port(), "GET", pathAndQuery, Map.of(), null);
                if (r.status() == 200) {
                    ok++;
                } else {
                    assertEquals(503, r.status(), r.text());
                    assertTrue(r.text().contains("<Code>SlowDown</Code>") && r.text().contains("this access key"), r.text());
                    retryAfter = r.header("Retry-After");
                    slowDown++;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // A burst of 30, then 30 a second: no more, whatever each address's own allowance.
        assertTrue(ok >= 30 && ok <= 30 + Math.ceil(30 * seconds) + 1 && slowDown == 80 - ok,
                ok + " served, " + slowDown + " SlowDown in " + seconds + " s");
        assertTrue(retryAfter != null && Long.parseLong(retryAfter) >= 1, retryAfter);
        assertTrue(log().contains("refused with 503 (SlowDown): access key " + S3TestSupport.ACCESS_KEY), log());
        // The key's bucket refills within a second or two; the other tests use the same key.
        Thread.sleep(2000);
    }

    @Test
    void aClientOverItsConnectionLimitGets503() throws IOException {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                Socket s = connect("127.0.0.4");
                send(s, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
                assertTrue(readHead(s).startsWith("HTTP/1.1 200 "));
                open.add(s);
            }
            Socket fifth = connect("127.0.0.4");
            open.add(fifth);
            send(fifth, "GET /hostile/page.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            String head = readHead(fifth);
            assertTrue(head.startsWith("HTTP/1.1 503 "), head);
            assertTrue(head.contains("Retry-After: 1"), head);
            assertTrue(head.toLowerCase().contains("connection: close"), head);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    static Socket connect(String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", node.port()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    static void send(Socket s, String request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The response head (and what came with it in the first read). */
    static String readHead(Socket s) throws IOException {
        byte[] buf = new byte[16 * 1024];
        int n = s.getInputStream().read(buf);
        return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** Sends raw bytes and reads until the node closes the connection. */
    static String exchange(String from, String request) throws IOException {
        try (Socket s = connect(from)) {
            send(s, request);
            InputStream in = s.getInputStream();
            try {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (java.net.SocketException e) {
                return "";
            }
        }
    }
}
