package io.hifadhi.chaos.client;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How both clients classify what goes wrong on the wire, against real loopback sockets: refused
 * (not applied), silence or a cut transfer (unknown), an error answer (not applied).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ClientClassificationTest {
    private static final Duration TIMEOUT = Duration.ofMillis(800);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private URI refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    /** Accepts connections and never answers, like a SIGSTOPped node whose kernel still completes handshakes. */
    private URI silentServer() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        List<Socket> held = new ArrayList<>();
        Thread t = new Thread(() -> {
            try {
                while (!s.isClosed()) {
                    held.add(s.accept());
                }
            } catch (IOException e) {
                // closed
            }
        });
        t.setDaemon(true);
        t.start();
        open.add(() -> {
            s.close();
            for (Socket h : held) {
                h.close();
            }
        });
        return URI.create("http://127.0.0.1:" + s.getLocalPort());
    }

    /** Answers every request with {@code status} and {@code body}; declares {@code declaredLength} but may send less. */
    private URI answering(int status, String contentType, byte[] body, long declaredLength) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/api/v1/health")) {
                byte[] health = "{\"status\":\"healthy\",\"instance\":\"n1\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, health.length);
                exchange.getResponseBody().write(health);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", contentType);
            exchange.sendResponseHeaders(status, declaredLength);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            } catch (IOException e) {
                // the short body makes the server complain on close; the client's view is what matters
            }
        });
        server.start();
        open.add(() -> server.stop(0));
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Sends 200 with Content-Length {@code declared}, then {@code body}, then closes: a node killed mid-transfer. */
    private URI cutting(byte[] body, int declared) throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    byte[] buf = new byte[8192];
                    c.getInputStream().read(buf);
                    OutputStream out = c.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + declared
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                } catch (IOException e) {
                    // closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
        open.add(s);
        return URI.create("http://127.0.0.1:" + s.getLocalPort());
    }

    private NativeStoreClient nativeClient(URI uri) {
        return new NativeStoreClient(uri, "sk-test", "ns", TIMEOUT);
    }

    private S3StoreClient s3Client(URI uri) {
        S3StoreClient c = new S3StoreClient(uri, "AKTEST", "secret", "bucket", "p/", TIMEOUT);
        open.add(c);
        return c;
    }

    private static StoreException.Kind kindOf(ThrowingCall call) {
        return assertThrows(StoreException.class, call::run).kind();
    }

    private interface ThrowingCall {
        void run() throws StoreException;
    }

    @Test
    void nativeRefusedIsUnreachable() throws Exception {
        NativeStoreClient c = nativeClient(refusedPort());
        assertEquals(StoreException.Kind.UNREACHABLE, kindOf(() -> c.get("k")));
    }

    @Test
    void nativeSilenceIsNoAnswer() throws Exception {
        NativeStoreClient c = nativeClient(silentServer());
        assertEquals(StoreException.Kind.NO_ANSWER, kindOf(() -> c.put("k", new byte[10])));
    }

    @Test
    void nativeErrorAnswerIsRejected() throws Exception {
        byte[] body = "{\"error\":\"internal_error\"}".getBytes(StandardCharsets.UTF_8);
        NativeStoreClient c = nativeClient(answering(500, "application/json", body, body.length));
        assertEquals(StoreException.Kind.REJECTED, kindOf(() -> c.put("k", new byte[10])));
    }

    @Test
    void anErrorSayingTheWriteMayStillTakeEffectIsAnUnknownOutcome() throws Exception {
        byte[] body = ("{\"error\":\"service_unavailable\",\"message\":\"record b/k: only 1 of the 2 replicas ... so this write "
                + StoreException.MAY_STILL_TAKE_EFFECT + ": retry it to settle the outcome.\"}").getBytes(StandardCharsets.UTF_8);
        NativeStoreClient n = nativeClient(answering(503, "application/json", body, body.length));
        assertEquals(StoreException.Kind.OUTCOME_UNKNOWN, kindOf(() -> n.put("k", new byte[10])));
        byte[] xml = ("<?xml version=\"1.0\"?><Error><Code>ServiceUnavailable</Code><Message>record b/k: only 1 of the 2 replicas; this write "
                + StoreException.MAY_STILL_TAKE_EFFECT + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        S3StoreClient s = s3Client(answering(503, "application/xml", xml, xml.length));
        assertEquals(StoreException.Kind.OUTCOME_UNKNOWN, kindOf(() -> s.put("k", new byte[10])));
    }

    @Test
    void nativeNotFoundIsAbsentAndBodyIsReturned() throws Exception {
        assertEquals(Optional.empty(), nativeClient(answering(404, "application/json", new byte[0], -1)).get("k"));
        byte[] bytes = {1, 2, 3};
        assertArrayEquals(bytes, nativeClient(answering(200, "application/octet-stream", bytes, bytes.length)).get("k").orElseThrow());
    }

    @Test
    void nativeStalledBodyIsNoAnswerWithinTheTimeout() throws Exception {
        // The server sends headers and part of the body, then holds the connection: a node stopped mid-transfer.
        NativeStoreClient c = nativeClient(answering(200, "application/octet-stream", new byte[100], 1000));
        long start = System.nanoTime();
        assertEquals(StoreException.Kind.NO_ANSWER, kindOf(() -> c.get("k")));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "bounded by the operation timeout");
    }

    @Test
    void nativeCutTransferIsNoAnswerNotBytes() throws Exception {
        NativeStoreClient c = nativeClient(cutting(new byte[100], 1000));
        assertEquals(StoreException.Kind.NO_ANSWER, kindOf(() -> c.get("k")));
    }

    @Test
    void s3RefusedIsUnreachable() throws Exception {
        S3StoreClient c = s3Client(refusedPort());
        assertEquals(StoreException.Kind.UNREACHABLE, kindOf(() -> c.get("k")));
    }

    @Test
    void s3SilenceIsNoAnswer() throws Exception {
        S3StoreClient c = s3Client(silentServer());
        assertEquals(StoreException.Kind.NO_ANSWER, kindOf(() -> c.put("k", new byte[10])));
    }

    @Test
    void s3ErrorAnswerIsRejected() throws Exception {
        byte[] xml = "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>busy</Message></Error>".getBytes(StandardCharsets.UTF_8);
        S3StoreClient c = s3Client(answering(503, "application/xml", xml, xml.length));
        assertEquals(StoreException.Kind.REJECTED, kindOf(() -> c.delete("k")));
    }

    @Test
    void s3NoSuchKeyIsAbsent() throws Exception {
        byte[] xml = "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>none</Message></Error>".getBytes(StandardCharsets.UTF_8);
        assertEquals(Optional.empty(), s3Client(answering(404, "application/xml", xml, xml.length)).get("k"));
    }

    @Test
    void s3StalledBodyIsNoAnswerWithinTheTimeout() throws Exception {
        S3StoreClient c = s3Client(answering(200, "application/octet-stream", new byte[100], 1000));
        long start = System.nanoTime();
        assertEquals(StoreException.Kind.NO_ANSWER, kindOf(() -> c.get("k")));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "bounded by the operation timeout");
    }

    @Test
    void s3CutTransferIsNoAnswer() throws Exception {
        S3StoreClient c = s3Client(cutting(new byte[100], 1000));
        assertEquals(StoreException.Kind.NO_ANSWER, kindOf(() -> c.get("k")));
    }

    @Test
    void s3ListingStripsThePrefix() throws Exception {
        byte[] xml = ("<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Name>bucket</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
                + "<Contents><Key>p/k-0001</Key><Size>3</Size></Contents><Contents><Key>p/k-0002</Key><Size>3</Size></Contents>"
                + "</ListBucketResult>").getBytes(StandardCharsets.UTF_8);
        assertEquals(java.util.Set.of("k-0001", "k-0002"), s3Client(answering(200, "application/xml", xml, xml.length)).list());
    }
}
