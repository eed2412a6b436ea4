package io.hifadhi.node.s3;

import io.hifadhi.api.ClientLimits;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #21's lingering close: a client refused before its body was read (bad signature, wrong key, too
 * large), that goes on sending the body at a moderate pace the way HTTP clients do (all of it, then the
 * answer), reads the node's whole error answer instead of a reset ("Broken pipe"), with and without
 * {@code Expect: 100-continue}. A client that keeps sending, or goes silent, is still closed within the
 * stall window, and /metrics counts the lingering connections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LingeringCloseTest {
    static final String SHARD_KEY = "lingering-test-shard-key";
    static final Duration STALL = Duration.ofSeconds(5);
    static final long MAX_OBJECT = 8L << 20;
    /** More than the socket buffers of both ends hold on loopback, so the client is still writing when refused. */
    static final long BODY = MAX_OBJECT;
    /** Over the node's request body limit (the object limit and 1 MiB of envelope). */
    static final long TOO_LARGE = MAX_OBJECT + (2L << 20);
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @TempDir
    static Path tmp;
    Node node;
    int port;

    @BeforeAll
    void start() throws Exception {
        node = new Node(NodeConfig.builder(tmp.resolve("data")).name("linger").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey(SHARD_KEY).accessKey(S3TestSupport.ACCESS_KEY).secretKey(S3TestSupport.SECRET_KEY)
                .maxObjectSize(MAX_OBJECT).clientLimits(new ClientLimits(1024, STALL, 1000, 5000, 5000, 512)).build(),
                new PrintStream(new ByteArrayOutputStream()));
        node.start();
        port = node.httpPort();
        try (S3Client s3 = S3TestSupport.client(port)) {
            s3.createBucket(b -> b.bucket("linger"));
            s3.createBucket(b -> b.bucket("linger-open").acl(software.amazon.awssdk.services.s3.model.BucketCannedACL.PUBLIC_READ_WRITE));
        }
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void refusedClientsStillSendingReadTheWholeAnswer() throws Exception {
        for (String expect : List.of("", "Expect: 100-continue\r\n")) {
            // S3, a signature that does not match: refused on a worker, in XML.
            String s3Put = "PUT /linger/refused.bin HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + expect
                    + "x-amz-date: " + AMZ_DATE.format(Instant.now()) + "\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\n"
                    + "Authorization: AWS4-HMAC-SHA256 Credential=" + S3TestSupport.ACCESS_KEY + "/"
                    + AMZ_DATE.format(Instant.now()).substring(0, 8) + "/us-east-1/s3/aws4_request, "
                    + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + "0".repeat(64) + "\r\n"
                    + "Content-Length: " + BODY + "\r\n\r\n";
            String answer = sendAllThenRead(s3Put, BODY);
            assertTrue(answer.startsWith("HTTP/1.1 403 "), answer);
            assertTrue(answer.contains("<Code>SignatureDoesNotMatch</Code>"), answer);
            assertWhole(answer);
            assertTrue(answer.toLowerCase().contains("connection: close"), answer);

            // Native, a wrong SHARD-KEY: refused on a worker, in JSON.
            String form = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n";
            String nativePost = "POST /api/v1/store HTTP/1.1\r\nHost: x\r\nSHARD-KEY: not-the-key\r\n" + expect
                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: " + (form.length() + BODY) + "\r\n\r\n" + form;
            answer = sendAllThenRead(nativePost, BODY);
            assertTrue(answer.matches("(?s)HTTP/1.1 40[13] .*"), answer);
            assertTrue(answer.contains("\"error\":"), answer);
            assertWhole(answer);

            // Native, a body over the object limit: refused on the I/O thread before any handler, in JSON.
            answer = sendAllThenRead("PUT /api/v1/store/proc%40big.bin HTTP/1.1\r\nHost: x\r\nSHARD-KEY: " + SHARD_KEY + "\r\n"
                    + expect + "Content-Length: " + TOO_LARGE + "\r\n\r\n", TOO_LARGE);
            assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            assertTrue(answer.contains("\"error\":\"too_large\""), answer);
            assertWhole(answer);
        }
        assertTrue(metric("hifadhi_http_lingered_connections_total") >= 6, metrics());
        assertTrue(metric("hifadhi_http_lingering_discarded_bytes_total") >= BODY, metrics());
    }

    /**
     * The AWS SDK v2 without 100-continue and without retries: one attempt, and it sees the error, not a reset.
     * (Its HttpClient 5 notices an early response while it sends, so this passed without lingering too: the
     * raw-socket client above is the reproduction; this guards the SDK's path through the lingering.)
     */
    @Test
    void theSdkReadsTheRefusalOfAPutItIsStillSending() throws Exception {
        try (S3Client wrongSecret = sdk(S3TestSupport.SECRET_KEY + "-wrong"); S3Client right = sdk(S3TestSupport.SECRET_KEY)) {
            S3Exception refused = assertThrows(S3Exception.class, () -> wrongSecret.putObject(
                    b -> b.bucket("linger").key("sdk.bin"), pacedBody(BODY)));
            assertEquals(403, refused.statusCode(), refused.getMessage());
            assertEquals("SignatureDoesNotMatch", refused.awsErrorDetails().errorCode());

            S3Exception tooLarge = assertThrows(S3Exception.class, () -> right.putObject(
                    b -> b.bucket("linger").key("sdk.bin"), pacedBody(TOO_LARGE)));
            assertEquals("EntityTooLarge", tooLarge.awsErrorDetails().errorCode(), tooLarge.getMessage());
            assertFalse(right.listObjectsV2(b -> b.bucket("linger")).contents().stream().anyMatch(o -> o.key().equals("sdk.bin")));

            // Bodies read whole are answered and closed as before: nothing lingers for them.
            long lingered = metric("hifadhi_http_lingered_connections_total");
            right.putObject(b -> b.bucket("linger").key("small.txt"), RequestBody.fromString("read whole"));
            right.putObject(b -> b.bucket("linger").key("paced.bin"), pacedBody(BODY));
            assertEquals(BODY, right.headObject(b -> b.bucket("linger").key("paced.bin")).contentLength());
            String stored = sendAllThenRead("PUT /api/v1/store/proc%40small.txt HTTP/1.1\r\nHost: x\r\nSHARD-KEY: " + SHARD_KEY
                    + "\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", 0);
            assertTrue(stored.startsWith("HTTP/1.1 20"), stored);
            assertEquals(lingered, metric("hifadhi_http_lingered_connections_total"), metrics());
        }
    }

    /**
     * What a hostile client can take from lingering is bounded: the stall window, sending or silent, and at
     * most 256 connections linger at once (more are closed at once, still with their answer).
     */
    @Test
    void aRefusedClientThatKeepsSendingOrGoesSilentIsClosedWithinTheStallWindow() throws Exception {
        String refused = "PUT /api/v1/store/proc%40trickle.bin HTTP/1.1\r\nHost: x\r\nSHARD-KEY: " + SHARD_KEY + "\r\n"
                + "Content-Length: 1000000000\r\n\r\n";
        List<Socket> crowd = new ArrayList<>();
        try (Socket silent = connect(); Socket trickling = connect()) {

            send(silent, refused + "x".repeat(300_000));
            send(trickling, refused + "x".repeat(300_000));
            assertTrue(new String(silent.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 413 "));
            assertTrue(new String(trickling.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 413 "));
            // A crowd of silent refused clients besides: those over the cap are answered and closed at once.
            long skipped = metric("hifadhi_http_linger_skipped_connections_total");
            for (int i = 0; i < 300; i++) {
                Socket s = connect();
                crowd.add(s);
                send(s, refused);
            }
            for (Socket s : crowd) {
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            }
            assertTrue(metric("hifadhi_http_lingering_connections") <= 256, metrics());
            assertTrue(metric("hifadhi_http_linger_skipped_connections_total") > skipped, metrics());
            // Above the minimum rate, never silent: only the lingering time ends it.
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(30);
            byte[] piece = new byte[4096];
            boolean closed = false;
            while (!closed && System.nanoTime() < deadline) {
                try {
                    trickling.getOutputStream().write(piece);
                    trickling.getOutputStream().flush();
                    Thread.sleep(100);
                } catch (IOException e) {
                    closed = true;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("a refused client trickling its body was closed after %.1f s of lingering%n", seconds);
            assertTrue(closed, "a refused client still sending was not closed in 30 s");
            awaitMetric("hifadhi_http_lingering_connections", 0);
        } finally {
            for (Socket s : crowd) {
                s.close();
            }
        }
    }

    S3Client sdk(String secret) {
        return S3Client.builder()
                .endpointOverride(S3TestSupport.endpoint(port))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3TestSupport.ACCESS_KEY, secret)))
                .httpClientBuilder(Apache5HttpClient.builder().expectContinueEnabled(false))
                .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
                .build();
    }

    /** A body read at about 12 MiB/s, as from a disk or a slower link. */
    static RequestBody pacedBody(long size) {
        return RequestBody.fromContentProvider(() -> new PacedStream(size), size, "application/octet-stream");
    }

    /** Sends the head and the whole body at a moderate pace, as an HTTP client does, then reads the answer to its end. */
    String sendAllThenRead(String head, long bodyBytes) throws Exception {
        try (Socket s = connect(); InputStream body = new PacedStream(bodyBytes)) {
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            body.transferTo(out);
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Undertow writes no Connection header on a bodiless answer (204, 304); one sent before its request's body
     * was read must still say {@code Connection: close}, or a client reuses the connection and its next request
     * meets the close (boto3's "Remote end closed connection without response", CI of 3 Dec).
     */
    @Test
    void aBodilessAnswerToAnUnreadBodySaysConnectionClose() throws Exception {
        try (Socket s = connect()) {
            send(s, "DELETE /linger-open/none.txt HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Length: 5\r\n\r\nhello");
            String head = readHead(s);
            assertTrue(head.startsWith("HTTP/1.1 204 "), head);
            assertTrue(head.toLowerCase().contains("\r\nconnection: close\r\n"), head);
        }
    }

    /** A browser's form uploads share one connection: the node reads the closing delimiter and keeps it open. */
    @Test
    void formUploadsKeepTheirConnection() throws Exception {
        try (Socket s = connect()) {
            for (int i = 0; i < 3; i++) {
                String body = "--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nform/" + i + ".txt\r\n"
                        + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nupload " + i
                        + "\r\n--b--\r\n";
                send(s, "POST /linger-open HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: multipart/form-data; boundary=b"
                        + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
                String head = readHead(s);
                assertTrue(head.startsWith("HTTP/1.1 204 "), head);
                assertFalse(head.toLowerCase().contains("connection: close"), head);
            }
        }
        try (S3Client s3 = S3TestSupport.client(port)) {
            assertEquals("upload 2", s3.getObjectAsBytes(r -> r.bucket("linger-open").key("form/2.txt")).asUtf8String());
        }
    }

    /** The status line and headers of an answer, read up to the blank line without waiting for the connection's end. */
    static String readHead(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertTrue(b >= 0, "the connection ended inside the answer: " + head);
            head.append((char) b);
        }
        return head.toString();
    }

    /** The answer's body is all there: as long as its Content-Length says, and nothing after it. */
    static void assertWhole(String answer) {
        int end = answer.indexOf("\r\n\r\n");
        assertTrue(end > 0, answer);
        Matcher length = Pattern.compile("(?im)^content-length: (\\d+)$").matcher(answer.substring(0, end + 2));
        assertTrue(length.find(), answer);
        assertEquals(Integer.parseInt(length.group(1)), answer.length() - end - 4, answer);
    }

    Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(20_000);
        return s;
    }

    static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    String metrics() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    long metric(String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)").matcher(metrics());
        assertTrue(m.find(), name + " missing from /metrics");
        return Long.parseLong(m.group(1));
    }

    void awaitMetric(String name, long value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (metric(name) != value) {
            assertTrue(System.nanoTime() < deadline, name + " is not " + value + ":\n" + metrics());
            Thread.sleep(200);
        }
    }

    /** {@code size} zero bytes at about 12 MiB/s: a pause of 5 ms after every 64 KiB. */
    static final class PacedStream extends InputStream {
        private static final int STRIDE = 64 * 1024;
        private long left;
        private int sinceRest;

        PacedStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            if (sinceRest >= STRIDE) {
                sinceRest = 0;
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int n = (int) Math.min(Math.min(len, STRIDE - sinceRest), left);
            sinceRest += n;
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
