package io.hifadhi.node.access;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every endpoint of a real node, every method it serves, called without credentials and with wrong
 * ones: the native API answers 401 (JSON), S3 answers 403 (XML); only health, metrics and the console
 * are public. Neither the wrong key nor the real one ever shows up in a response or in the logs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EndpointAccessTest {
    static final String KEY = "access-test-shard-key-0123456789";
    static final String WRONG_KEY = "wrong-guess-of-the-key-9876543210";
    static final String ACCESS_KEY = "AKIDACCESSTEST0001";
    static final String SECRET_KEY = "access-test-s3-secret-0123456789";
    static final String Q = "alpha%40report.txt";

    @TempDir
    static Path tmp;
    Node node;
    int port;

    /** method, path, whether it is S3 (403) or native (401). */
    record Call(String method, String path, boolean s3) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Call> PROTECTED = List.of(
            new Call("GET", "/api/v1/cluster", false),
            new Call("HEAD", "/api/v1/cluster", false),
            new Call("POST", "/api/v1/store", false),
            new Call("PUT", "/api/v1/store/" + Q, false),
            new Call("GET", "/api/v1/retrieve/" + Q, false),
            new Call("HEAD", "/api/v1/retrieve/" + Q, false),
            new Call("GET", "/api/v1/stream/" + Q, false),
            new Call("HEAD", "/api/v1/stream/" + Q, false),
            new Call("POST", "/api/v1/presign", false),
            new Call("GET", "/api/v1/locate/" + Q, false),
            new Call("GET", "/api/v1/locate/bucket/key", false),
            new Call("GET", "/api/v1/keys", false),
            new Call("POST", "/api/v1/keys", false),
            new Call("GET", "/api/v1/keys/" + ACCESS_KEY, false),
            new Call("PUT", "/api/v1/keys/" + ACCESS_KEY, false),
            new Call("DELETE", "/api/v1/keys/" + ACCESS_KEY, false),
            new Call("GET", "/", true),
            new Call("PUT", "/bucket", true),
            new Call("GET", "/bucket", true),
            new Call("HEAD", "/bucket", true),
            new Call("DELETE", "/bucket", true),
            new Call("POST", "/bucket?delete", true),
            new Call("PUT", "/bucket/key", true),
            new Call("GET", "/bucket/key", true),
            new Call("HEAD", "/bucket/key", true),
            new Call("DELETE", "/bucket/key", true),
            new Call("POST", "/bucket/key?uploads", true));

    @BeforeAll
    void start() throws Exception {
        node = new Node(NodeConfig.builder(tmp.resolve("data")).name("alpha").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey(KEY).accessKey(ACCESS_KEY).secretKey(SECRET_KEY).build(),
                new PrintStream(new ByteArrayOutputStream()));
        node.start();
        port = node.httpPort();
        // The object exists, so a refusal cannot be a "not found" in disguise.
        assertEquals(200, new NativeClient(port, KEY).store("report.txt", "quarterly".getBytes(StandardCharsets.UTF_8)).statusCode());
    }

    @AfterAll
    void stop() {
        node.close();
    }

    static byte[] bodyFor(Call c) {
        return c.method().equals("PUT") || c.method().equals("POST") ? "{}".getBytes(StandardCharsets.UTF_8) : null;
    }

    @Test
    void everyProtectedEndpointRefusesACallerWithoutCredentials() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Call c : PROTECTED) {
            RawHttp.Response r = RawHttp.send(port, c.method(), c.path(), Map.of(), bodyFor(c));
            int expected = c.s3() ? 403 : 401;
            if (r.status() != expected) {
                wrong.add(c + " -> " + r.status() + " " + r.text());
                continue;
            }
            if (!c.method().equals("HEAD")) {
                if (c.s3()) {
                    assertTrue(r.text().contains("<Code>AccessDenied</Code>"), c + ": " + r.text());
                } else {
                    assertTrue(r.text().contains("\"error\":\"unauthorized\"") && r.text().contains("SHARD-KEY"), c + ": " + r.text());
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void publicEndpointsNeedNoCredentials() throws Exception {
        for (String method : List.of("GET", "HEAD")) {
            assertEquals(200, RawHttp.send(port, method, "/api/v1/health", Map.of(), null).status());
            assertEquals(200, RawHttp.send(port, method, "/metrics", Map.of(), null).status());
        }
        // The console is not served yet: whatever /ui/ answers, it never asks for credentials.
        int ui = RawHttp.send(port, "GET", "/ui/", Map.of(), null).status();
        assertNotEquals(401, ui);
        assertNotEquals(403, ui);
    }

    @Test
    void aWrongKeyIsRefusedAndNeverEchoedInResponsesOrLogs() throws Exception {
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger ours = (Logger) LoggerFactory.getLogger("io.hifadhi");
        Level previous = ours.getLevel();
        Logger undertow = (Logger) LoggerFactory.getLogger("io.undertow");
        Level previousUndertow = undertow.getLevel();
        root.addAppender(captured);
        ours.setLevel(Level.TRACE);
        undertow.setLevel(Level.DEBUG);
        List<String> bodies = new ArrayList<>();
        try {
            for (Call c : PROTECTED) {
                Map<String, String> headers = new LinkedHashMap<>();
                if (c.s3()) {
                    headers.putAll(wrongSigV4());
                } else {
                    headers.put("SHARD-KEY", WRONG_KEY);
                }
                RawHttp.Response r = RawHttp.send(port, c.method(), c.path(), headers, bodyFor(c));
                assertEquals(c.s3() ? 403 : 401, r.status(), c + ": " + r.text());
                if (!c.s3() && !c.method().equals("HEAD")) {
                    assertTrue(r.text().contains("does not match"), c + ": " + r.text());
                }
                bodies.add(r.text());
                r.headers().values().forEach(bodies::add);
            }
            // A wrong key plus a wrong link: still refused, and still nothing echoed.
            RawHttp.Response r = RawHttp.send(port, "GET", "/api/v1/retrieve/" + Q + "?X-Hifadhi-Expires=1&X-Hifadhi-Method=GET&X-Hifadhi-Signature="
                    + "0".repeat(64), Map.of("SHARD-KEY", WRONG_KEY), null);
            assertEquals(401, r.status(), r.text());
            bodies.add(r.text());
            assertEquals(200, new NativeClient(port, KEY).store("canary.txt", new byte[]{1}).statusCode());
        } finally {
            root.detachAppender(captured);
            ours.setLevel(previous);
            undertow.setLevel(previousUndertow);
        }
        for (String body : bodies) {
            for (String secret : List.of(WRONG_KEY, KEY, SECRET_KEY)) {
                assertFalse(body.contains(secret), "a response shows a secret: " + body);
            }
        }
        // The capture was live: the store made inside the window logged its debug line.
        assertTrue(captured.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith("stored alpha@canary.txt")),
                "no log line captured");
        for (ILoggingEvent e : captured.list) {
            String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            for (String secret : List.of(WRONG_KEY, KEY, SECRET_KEY)) {
                assertFalse(line.contains(secret), "the log shows a secret: " + line);
            }
        }
    }

    /** A well-formed SigV4 Authorization header for the right access key with a wrong signature. */
    static Map<String, String> wrongSigV4() {
        Instant now = Instant.now();
        String date = DateTimeFormatter.ofPattern("uuuuMMdd").withZone(ZoneOffset.UTC).format(now);
        String amzDate = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-amz-date", amzDate);
        h.put("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
        h.put("Authorization", "AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/" + date + "/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + "ab".repeat(32));
        return h;
    }
}
