package io.hifadhi.node;

import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.Digests;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.SeededStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The native API against a real node: real sockets, real disk, real RocksDB. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NativeApiTest {
    static final String KEY = "test-shard-key-0123456789";
    static final int MIB = 1 << 20;

    @TempDir
    static Path tmp;
    Path dataDir;
    Node node;
    NativeClient client;
    String name;

    @BeforeAll
    void start() throws Exception {
        dataDir = tmp.resolve("data");
        node = new Node(NodeConfig.builder(dataDir).name("alpha").bindAddress("127.0.0.1").httpPort(0).clusterPort(0)
                .shardKey(KEY).build(), new PrintStream(new ByteArrayOutputStream()));
        node.start();
        name = node.name();
        client = new NativeClient(node.httpPort(), KEY);
    }

    @AfterAll
    void stop() {
        node.close();
    }

    String storeSeeded(String fileName, long seed, long size) throws Exception {
        HttpResponse<String> r = client.storeSeeded(fileName, seed, size);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(name + "@" + fileName, r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        return r.body();
    }

    @Test
    void health() throws Exception {
        HttpResponse<String> r = client.getText("/api/v1/health");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().matches("\\{\"status\":\"healthy\",\"uptime\":\\d+,\"instance\":\"alpha\",\"known_instances\":\\[\"alpha\"]}"), r.body());
    }

    @Test
    void roundTripsOfEverySize() throws Exception {
        long[] sizes = {0, 1, 32 * 1024, 32 * 1024 + 1, 4L * MIB - 1, 4L * MIB, 4L * MIB + 1, 100L * MIB};
        for (long size : sizes) {
            long seed = 1000 + size;
            String query = storeSeeded("size-" + size + ".bin", seed, size);
            HttpResponse<InputStream> r = client.send(client.get("retrieve", query), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode(), "size " + size);
            assertEquals(Long.toString(size), r.headers().firstValue("Content-Length").orElse("chunked"));
            long[] len = new long[1];
            String sha;
            try (InputStream in = r.body()) {
                sha = Digests.hex("SHA-256", in, len);
            }
            assertEquals(size, len[0]);
            assertEquals(Digests.seededSha256(seed, size), sha, "size " + size);
            assertEquals("\"" + Digests.seededMd5(seed, size) + "\"", r.headers().firstValue("ETag").orElseThrow());
        }
    }

    @Test
    void storesWhenTheFilenameComesFirstAndWithExpectContinue() throws Exception {
        byte[] data = SeededStream.slice(5, 0, 2 * MIB);
        HttpResponse<String> r = client.store("first.bin", () -> new java.io.ByteArrayInputStream(data), data.length, null, true, KEY, true);
        assertEquals(200, r.statusCode(), r.body());
        assertArrayEquals(data, client.retrieve(r.body()).body());
    }

    @Test
    void overwriteReplacesTheFile() throws Exception {
        client.store("same.txt", "first version".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = client.store("same.txt", "second".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode());
        assertEquals("second", new String(client.retrieve(r.body()).body(), StandardCharsets.UTF_8));
        storeSeeded("same-big.bin", 1, 5L * MIB);
        String q = storeSeeded("same-big.bin", 2, 5L * MIB + 3);
        HttpResponse<byte[]> got = client.retrieve(q);
        assertEquals(Digests.seededSha256(2, 5L * MIB + 3), Digests.sha256(got.body()));
    }

    // ---- ranges ----

    @Test
    void everyRangeForm() throws Exception {
        long seed = 77;
        long size = 10L * MIB + 123; // three chunks
        String q = storeSeeded("ranges.bin", seed, size);
        assertRange(q, "bytes=0-0", seed, size, 0, 0);
        assertRange(q, "bytes=5-1000", seed, size, 5, 1000);
        assertRange(q, "bytes=4194300-4194310", seed, size, 4194300, 4194310); // across a chunk boundary
        assertRange(q, "bytes=4194304-8388608", seed, size, 4194304, 8388608);
        assertRange(q, "bytes=10485000-", seed, size, 10485000, size - 1);
        assertRange(q, "bytes=-500", seed, size, size - 500, size - 1);
        assertRange(q, "bytes=10485700-99999999999", seed, size, 10485700, size - 1); // clamped
        assertRange(q, "bytes=0-10,11-20", seed, size, 0, 20); // coalesced
        assertRange(q, "bytes=-99999999", seed, size, 0, size - 1); // suffix longer than the object

        for (String full : new String[]{"bytes=abc", "items=0-5", "bytes=9-2", "bytes=0-1,100-200"}) {
            HttpResponse<byte[]> r = client.retrieve(q, "Range", full);
            assertEquals(200, r.statusCode(), full);
            assertEquals(size, r.body().length, full);
        }
        HttpResponse<String> bad = client.send(client.get("retrieve", q).header("Range", "bytes=" + size + "-"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(416, bad.statusCode());
        assertEquals("bytes */" + size, bad.headers().firstValue("Content-Range").orElseThrow());
        assertTrue(bad.body().contains("\"error\":\"range_not_satisfiable\""), bad.body());
    }

    @Test
    void rangesOnSmallInlineAndEmptyFiles() throws Exception {
        String q = storeSeeded("small.bin", 3, 1000);
        assertRange(q, "bytes=10-19", 3, 1000, 10, 19);
        assertRange(q, "bytes=-1", 3, 1000, 999, 999);
        String empty = storeSeeded("empty.bin", 3, 0);
        HttpResponse<byte[]> r = client.retrieve(empty, "Range", "bytes=0-");
        assertEquals(416, r.statusCode());
        assertEquals("bytes */0", r.headers().firstValue("Content-Range").orElseThrow());
        assertEquals(0, client.retrieve(empty).body().length);
    }

    void assertRange(String q, String header, long seed, long size, long first, long last) throws Exception {
        HttpResponse<byte[]> r = client.send(client.get("stream", q).header("Range", header), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, r.statusCode(), header);
        assertEquals("bytes " + first + "-" + last + "/" + size, r.headers().firstValue("Content-Range").orElseThrow(), header);
        assertEquals(Long.toString(last - first + 1), r.headers().firstValue("Content-Length").orElseThrow());
        assertArrayEquals(SeededStream.slice(seed, first, (int) (last - first + 1)), r.body(), header);
    }

    @Test
    void ifRangeWithAStaleValidatorServesTheWholeFile() throws Exception {
        String q = storeSeeded("ifrange.bin", 8, 5000);
        HttpResponse<byte[]> r = client.retrieve(q, "Range", "bytes=0-9", "If-Range", "\"stale\"");
        assertEquals(200, r.statusCode());
        assertEquals(5000, r.body().length);
        String etag = r.headers().firstValue("ETag").orElseThrow();
        assertEquals(206, client.retrieve(q, "Range", "bytes=0-9", "If-Range", etag).statusCode());
    }

    // ---- HEAD, headers, conditional requests ----

    @Test
    void headAndRepresentationHeaders() throws Exception {
        String q = storeSeeded("clip.mp4", 9, 6L * MIB);
        HttpResponse<byte[]> head = client.send(client.get("stream", q).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(Long.toString(6L * MIB), head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("video/mp4", head.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("bytes", head.headers().firstValue("Accept-Ranges").orElseThrow());
        assertEquals("inline; filename=\"clip.mp4\"", head.headers().firstValue("Content-Disposition").orElseThrow());
        assertEquals("\"" + Digests.seededMd5(9, 6L * MIB) + "\"", head.headers().firstValue("ETag").orElseThrow());
        Instant lastModified = Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(head.headers().firstValue("Last-Modified").orElseThrow()));
        assertTrue(Math.abs(lastModified.getEpochSecond() - Instant.now().getEpochSecond()) < 120);

        HttpResponse<byte[]> download = client.retrieve(q, "Range", "bytes=0-1");
        assertEquals("attachment; filename=\"clip.mp4\"", download.headers().firstValue("Content-Disposition").orElseThrow());
        HttpResponse<byte[]> rangedHead = client.send(client.get("retrieve", q).header("Range", "bytes=100-199")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, rangedHead.statusCode());
        assertEquals("100", rangedHead.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void contentTypeFromThePartWhenSpecific() throws Exception {
        HttpResponse<String> r = client.store("picture.bin", () -> new java.io.ByteArrayInputStream(new byte[10]), 10,
                "image/png", false, KEY, false);
        assertEquals("image/png", client.retrieve(r.body()).headers().firstValue("Content-Type").orElseThrow());
        HttpResponse<String> generic = client.store("song.mp3", () -> new java.io.ByteArrayInputStream(new byte[10]), 10,
                "application/octet-stream", false, KEY, false);
        assertEquals("audio/mpeg", client.retrieve(generic.body()).headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void conditionalRequests() throws Exception {
        String q = storeSeeded("cond.txt", 10, 50_000);
        HttpResponse<byte[]> first = client.retrieve(q);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();
        Instant lm = Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(lastModified));
        String earlier = DateTimeFormatter.RFC_1123_DATE_TIME.format(lm.minusSeconds(3600).atOffset(ZoneOffset.UTC));
        String later = DateTimeFormatter.RFC_1123_DATE_TIME.format(lm.plusSeconds(3600).atOffset(ZoneOffset.UTC));

        HttpResponse<byte[]> notModified = client.retrieve(q, "If-None-Match", etag);
        assertEquals(304, notModified.statusCode());
        assertEquals(0, notModified.body().length);
        assertEquals(etag, notModified.headers().firstValue("ETag").orElseThrow());
        assertEquals(200, client.retrieve(q, "If-None-Match", "\"other\"").statusCode());
        assertEquals(304, client.retrieve(q, "If-Modified-Since", lastModified).statusCode());
        assertEquals(304, client.retrieve(q, "If-Modified-Since", later).statusCode());
        assertEquals(200, client.retrieve(q, "If-Modified-Since", earlier).statusCode());
        assertEquals(200, client.retrieve(q, "If-None-Match", "\"other\"", "If-Modified-Since", later).statusCode(),
                "If-None-Match takes precedence over If-Modified-Since");
        assertEquals(200, client.retrieve(q, "If-Match", etag).statusCode());
        assertEquals(412, client.retrieve(q, "If-Match", "\"other\"").statusCode());
        assertEquals(412, client.retrieve(q, "If-Unmodified-Since", earlier).statusCode());
        assertEquals(200, client.retrieve(q, "If-Unmodified-Since", later).statusCode());
    }

    // ---- errors ----

    @Test
    void missingParametersAre400WithAUsefulBody() throws Exception {
        HttpResponse<String> noName = client.store(null, () -> new java.io.ByteArrayInputStream(new byte[5]), 5, null, false, KEY, false);
        assertEquals(400, noName.statusCode());
        assertJsonError(noName, "missing_parameter", "filename");
        HttpResponse<String> noFile = client.store("x.txt", null, 0, null, false, KEY, false);
        assertEquals(400, noFile.statusCode());
        assertJsonError(noFile, "missing_parameter", "file");
        HttpResponse<String> notMultipart = client.http().send(HttpRequest.newBuilder(URI.create(client.base() + "/api/v1/store"))
                .header("SHARD-KEY", KEY).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString("raw")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, notMultipart.statusCode());
        assertJsonError(notMultipart, "bad_content_type", "multipart");
    }

    @Test
    void oversizedHeadersAre431WithABodyThatSaysSo() throws Exception {
        HttpResponse<String> r = client.send(client.get("retrieve", "alpha@x").header("X-Padding", "p".repeat(70 * 1024)),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(431, r.statusCode(), r.body());
        assertTrue(r.body().contains("headers_too_large") && r.body().contains("limit"), r.body());
    }

    @Test
    void wrongOrMissingKeyIs401() throws Exception {
        HttpResponse<String> none = client.store("k.txt", () -> new java.io.ByteArrayInputStream(new byte[5]), 5, null, false, null, false);
        assertEquals(401, none.statusCode());
        assertJsonError(none, "unauthorized", "SHARD-KEY");
        HttpResponse<String> wrong = client.store("k.txt", () -> new java.io.ByteArrayInputStream(new byte[5]), 5, null, false, KEY + "x", false);
        assertEquals(401, wrong.statusCode());
        assertFalse(wrong.body().contains(KEY), "never echo the secret");

        String q = client.store("k.txt", new byte[5]).body();
        NativeClient anonymous = new NativeClient(node.httpPort(), null);
        assertEquals(401, anonymous.retrieve(q).statusCode());
        assertEquals(401, anonymous.send(anonymous.get("stream", q), HttpResponse.BodyHandlers.ofString()).statusCode());
        NativeClient wrongKey = new NativeClient(node.httpPort(), "not-the-key");
        assertEquals(401, wrongKey.retrieve(q).statusCode());
    }

    @Test
    void rejectsAWrongKeyBeforeTheBodyIsSent() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/store HTTP/1.1\r\nHost: x\r\nSHARD-KEY: wrong\r\nExpect: 100-continue\r\n"
                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 401", status);
        }
        try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/store HTTP/1.1\r\nHost: x\r\nSHARD-KEY: " + KEY + "\r\nExpect: 100-continue\r\n"
                    + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 10\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 100", status);
        }
    }

    @Test
    void unknownQueryIs404AndUnknownPathIs404() throws Exception {
        HttpResponse<byte[]> r = client.retrieve("alpha@does-not-exist.txt");
        assertEquals(404, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("\"error\":\"not_found\""));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(404, client.getText("/api/v2/nothing").statusCode());
        assertEquals(405, client.http().send(HttpRequest.newBuilder(URI.create(client.base() + "/api/v1/store")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(400, client.getText("/api/v1/retrieve/alpha@%C3").statusCode());
    }

    // ---- names ----

    @Test
    void traversalNamesAreStoredHarmlessly() throws Exception {
        Set<Path> before = listTree(tmp);
        Set<String> etcBefore = Files.exists(Path.of("/etc/passwd")) ? Set.of(Files.readString(Path.of("/etc/passwd"))) : Set.of();
        byte[] data = "evil".getBytes(StandardCharsets.UTF_8);
        for (String evil : List.of("../../etc/passwd", "../../../../../../tmp/hifadhi-escape", "/etc/passwd", "..\\..\\x", "a/../../b")) {
            HttpResponse<String> r = client.store(evil, data);
            assertEquals(200, r.statusCode(), evil);
            assertEquals(name + "@" + evil, r.body());
            HttpResponse<byte[]> got = client.retrieve(r.body());
            assertArrayEquals(data, got.body(), evil);
        }
        assertFalse(Files.exists(Path.of("/tmp/hifadhi-escape")));
        assertEquals(etcBefore, Files.exists(Path.of("/etc/passwd")) ? Set.of(Files.readString(Path.of("/etc/passwd"))) : Set.of());
        // Nothing new outside the data directory, and no file inside it is named after the user's name.
        Set<Path> after = listTree(tmp);
        after.removeAll(before);
        for (Path p : after) {
            assertTrue(p.startsWith(dataDir), "created outside the data dir: " + p);
            assertFalse(p.getFileName().toString().contains("passwd") || p.getFileName().toString().contains("escape"), p.toString());
        }
        String disposition = client.retrieve(name + "@../../etc/passwd").headers().firstValue("Content-Disposition").orElseThrow();
        assertEquals("attachment; filename=\"passwd\"", disposition);
    }

    @Test
    void badNamesAreRejected() throws Exception {
        HttpResponse<String> nul = client.store("a\u0000b.txt", new byte[3]);
        assertEquals(400, nul.statusCode());
        assertJsonError(nul, "invalid_filename", "control character");
        assertEquals(400, client.store("line\nbreak", new byte[3]).statusCode());
        HttpResponse<String> longName = client.store("n".repeat(2000), new byte[3]);
        assertEquals(400, longName.statusCode());
        assertJsonError(longName, "invalid_filename", "1024");
        assertEquals(200, client.store("n".repeat(1024), new byte[3]).statusCode(), "exactly the limit is fine");
        assertEquals(400, client.store("é".repeat(513), new byte[3]).statusCode(), "1026 UTF-8 bytes");
    }

    @Test
    void unicodeAndSpacesRoundTrip() throws Exception {
        String fileName = "видео клип 🎬 (1)+x.mp4";
        HttpResponse<String> r = client.store(fileName, "frames".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode());
        assertEquals(name + "@" + fileName, r.body());
        HttpResponse<byte[]> got = client.retrieve(r.body());
        assertEquals("frames", new String(got.body(), StandardCharsets.UTF_8));
        assertEquals("video/mp4", got.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(got.headers().firstValue("Content-Disposition").orElseThrow()
                .endsWith("filename*=UTF-8''%D0%B2%D0%B8%D0%B4%D0%B5%D0%BE%20%D0%BA%D0%BB%D0%B8%D0%BF%20%F0%9F%8E%AC%20%281%29+x.mp4"));
    }

    @Test
    void aCorruptChunkIsAnErrorNeverContent() throws Exception {
        String q = storeSeeded("rot.bin", 55, 5L * MIB);
        String firstChunk = Digests.sha256(new SeededStream(55, 4L * MIB));
        Path file = dataDir.resolve("chunks").resolve(firstChunk.substring(0, 2)).resolve(firstChunk.substring(2, 4)).resolve(firstChunk);
        byte[] bytes = Files.readAllBytes(file);
        bytes[1000] ^= 1;
        Files.write(file, bytes);
        HttpResponse<String> r = client.send(client.get("retrieve", q), HttpResponse.BodyHandlers.ofString());
        assertEquals(500, r.statusCode());
        assertTrue(r.body().contains("\"error\":\"corrupt_data\""), r.body());
        assertEquals(500, client.retrieve(q, "Range", "bytes=1000-1000").statusCode());
        assertRange(q, "bytes=4194304-4194400", 55, 5L * MIB, 4194304, 4194400); // the healthy second chunk still serves
    }

    // ---- metrics ----

    @Test
    void metricsExposeRequestsAndBytes() throws Exception {
        client.store("metered.bin", new byte[100_000]);
        client.retrieve(name + "@metered.bin");
        HttpResponse<String> m = client.getText("/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(m.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        String body = m.body();
        long stores = metric(body, "hifadhi_http_requests_total{endpoint=\"store\",status=\"200\"}");
        assertTrue(stores >= 1, body);
        assertTrue(metric(body, "hifadhi_http_received_bytes_total{endpoint=\"store\"}") >= 100_000);
        assertTrue(metric(body, "hifadhi_http_sent_bytes_total{endpoint=\"retrieve\"}") >= 100_000);
        assertTrue(body.contains("# TYPE hifadhi_store_operation_duration_seconds summary"));
        assertTrue(body.contains("hifadhi_store_operation_duration_seconds_count{op=\"commit\"}"));
        assertFalse(body.contains(KEY));
    }

    static long metric(String body, String series) {
        return Arrays.stream(body.split("\n")).filter(l -> l.startsWith(series + " "))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(series.length() + 1))).findFirst().orElse(-1);
    }

    static void assertJsonError(HttpResponse<String> r, String code, String mention) {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(r.body().startsWith("{\"error\":\"" + code + "\",\"message\":\""), r.body());
        assertTrue(r.body().contains("\"hint\":\""), r.body());
        assertTrue(r.body().contains(mention), r.body());
    }

    static Set<Path> listTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.collect(Collectors.toSet());
        }
    }
}
