package io.hifadhi.node;

import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile clients from 127.0.0.2 against one node while an honest client on 127.0.0.1 keeps using it:
 * 64 connections that announce request bodies and never send them (to health, to a store refused for
 * want of a key, to an authorised store that waits for the body) and 32 readers of a 64 MiB object
 * that stop reading. Health and a normal download must answer within a second throughout, and the
 * node must close every hostile connection within its stall deadline.
 */
@Tag("timing") // asserts latencies: runs in the fork that has the machine to itself (node/pom.xml)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class HostileClientsTest {
    static final String KEY = "hostile-test-shard-key";
    static final String HOSTILE = "127.0.0.2";
    /** The node's --client-stall-window: a client moving (almost) nothing is closed after this much waiting. */
    static final Duration STALL = Duration.ofSeconds(2);
    static final long BIG = 64L << 20;
    /** The node's threads for request bodies (ApiSettings.defaults: 8 a core, at least 16). */
    static final int BODY_THREADS = Math.max(16, Runtime.getRuntime().availableProcessors() * 8);

    @TempDir
    Path tmp;

    @Test
    void honestClientsAreServedWhileHostileOnesAreCutOff() throws Exception {
        Path log = tmp.resolve("node.log");
        // Limits high enough that the per-address limits do not step in: the fixes underneath are what is tested.
        try (NodeProcess node = start(log, "--client-stall-window", Double.toString(STALL.toMillis() / 1000.0),
                "--client-min-rate", "1KiB", "--client-connections", "1000", "--client-request-rate", "100000")) {
            int port = node.port();
            NativeClient client = new NativeClient(port, KEY);
            String big = client.storeSeeded("big.bin", 7, BIG).body();
            String small = client.store("small.txt", "small and honest".getBytes(StandardCharsets.UTF_8)).body();

            List<Socket> silent = new ArrayList<>();
            List<Socket> slowReaders = new ArrayList<>();
            long opened = System.nanoTime();
            for (int i = 0; i < 64; i++) {
                String head = switch (i % 3) {
                    case 0 -> "GET /api/v1/health HTTP/1.1\r\n";
                    case 1 -> "PUT /api/v1/store/" + NativeClient.encode("proc@never-" + i) + " HTTP/1.1\r\n";
                    default -> "PUT /api/v1/store/" + NativeClient.encode("proc@never-" + i) + " HTTP/1.1\r\nSHARD-KEY: " + KEY + "\r\n";
                };
                silent.add(open(port, 0, head + "Host: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n"));
            }
            for (int i = 0; i < 32; i++) {
                slowReaders.add(open(port, 4096, "GET /api/v1/retrieve/" + NativeClient.encode(big) + " HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\nSHARD-KEY: " + KEY + "\r\n\r\n"));
            }

            // The honest client, throughout and beyond the stall deadline. The first half second is left to the burst
            // of 32 downloads starting at once (each reads and verifies a 4 MiB chunk): that is CPU, not a held worker.
            Thread.sleep(500);
            long worstHealth = 0;
            long worstGet = 0;
            int rounds = 0;
            StringBuilder timings = new StringBuilder();
            while (System.nanoTime() - opened < STALL.toNanos() * 3) {
                long t0 = System.nanoTime();
                HttpResponse<String> health = client.getText("/api/v1/health");
                long t1 = System.nanoTime();
                HttpResponse<byte[]> got = client.send(client.get("retrieve", small).timeout(Duration.ofSeconds(5)),
                        HttpResponse.BodyHandlers.ofByteArray());
                long t2 = System.nanoTime();
                assertEquals(200, health.statusCode());
                assertEquals("small and honest", new String(got.body(), StandardCharsets.UTF_8));
                assertEquals("nosniff", health.headers().firstValue("X-Content-Type-Options").orElse(null));
                timings.append(String.format(" %.0f/%.0f", (t1 - t0) / 1e6, (t2 - t1) / 1e6));
                worstHealth = Math.max(worstHealth, t1 - t0);
                worstGet = Math.max(worstGet, t2 - t1);
                rounds++;
                Thread.sleep(100);
            }
            System.out.printf("honest client under attack: %d rounds, slowest health %.0f ms, slowest GET %.0f ms%n",
                    rounds, worstHealth / 1e6, worstGet / 1e6);
            System.out.println("health/GET ms per round:" + timings);
            assertTrue(worstHealth < 1_000_000_000L, "health took " + worstHealth / 1e6 + " ms");
            assertTrue(worstGet < 1_000_000_000L, "GET took " + worstGet / 1e6 + " ms");

            // By now (three stall windows) every hostile connection must have been closed by the node. Bodies that
            // never start are held on the I/O thread, never given a worker, and closed unanswered.
            for (Socket s : silent) {
                String seen = readToEnd(s, 1 << 20).head();
                assertTrue(seen.isEmpty() || seen.startsWith("HTTP/1.1 "), seen);
            }
            for (Socket s : slowReaders) {
                long read = readToEnd(s, BIG).bytes();
                assertTrue(read < BIG / 2, "a slow reader's connection still streams after the deadline: " + read + " bytes");
            }
            String out = Files.readString(log);
            long closedByWatchdog = out.lines().filter(l -> l.contains("closed the connection from /" + HOSTILE)).count();
            assertTrue(closedByWatchdog >= silent.size() + slowReaders.size(), "watchdog closed " + closedByWatchdog + " connections:\n" + out);
            assertTrue(out.lines().noneMatch(l -> l.contains(" ERROR ")), out);

            // Nothing is left holding a worker: the whole big object still downloads at full speed.
            HttpResponse<InputStream> whole = client.send(client.get("retrieve", big), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = whole.body()) {
                assertEquals(BIG, in.transferTo(java.io.OutputStream.nullOutputStream()));
            }
            HttpResponse<String> metrics = client.http().send(HttpRequest.newBuilder(URI.create(client.base() + "/metrics"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
        }
    }

    /**
     * Uploads that trickle in just above the minimum rate are legitimate and keep their threads: with more of them
     * than the node has threads for request bodies, a further upload waits (the write path is saturated), but health
     * and metrics, on their own threads, and downloads, on the workers that serve requests without a body, still
     * answer within a second.
     */
    @Test
    void healthMetricsAndDownloadsAnswerWhileEveryUploadThreadIsBusy() throws Exception {
        Path log = tmp.resolve("node.log");
        try (NodeProcess node = startWithStallWindow(log)) {
            int port = node.port();
            NativeClient client = new NativeClient(port, KEY);
            String small = client.store("small.txt", "small and honest".getBytes(StandardCharsets.UTF_8)).body();
            // As many as the node has threads for bodies, and a few more.
            List<Socket> uploads = startUploads(port, "slow", BODY_THREADS + 4);
            // 8 KiB a second each, eight times the minimum: the watchdog must leave them be.
            java.util.concurrent.atomic.AtomicInteger cut = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.ScheduledExecutorService trickle = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            trickle.scheduleAtFixedRate(() -> {
                for (Socket s : uploads) {
                    try {
                        s.getOutputStream().write(new byte[2048]);
                    } catch (IOException e) {
                        cut.incrementAndGet();
                    }
                }
            }, 250, 250, TimeUnit.MILLISECONDS);
            try {
                Thread.sleep(1000);
                long opened = System.nanoTime();
                long worstHealth = 0;
                long worstMetrics = 0;
                long worstGet = 0;
                int waitedUploads = 0;
                int rounds = 0;
                while (System.nanoTime() - opened < STALL.toNanos() * 2) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> health = client.getText("/api/v1/health");
                    long t1 = System.nanoTime();
                    HttpResponse<String> metrics = client.http().send(HttpRequest.newBuilder(URI.create(client.base() + "/metrics"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                    long t2 = System.nanoTime();
                    HttpResponse<byte[]> got = client.send(client.get("retrieve", small).timeout(Duration.ofSeconds(5)),
                            HttpResponse.BodyHandlers.ofByteArray());
                    long t3 = System.nanoTime();
                    assertEquals(200, health.statusCode());
                    assertEquals(200, metrics.statusCode());
                    assertEquals("small and honest", new String(got.body(), StandardCharsets.UTF_8));
                    worstHealth = Math.max(worstHealth, t1 - t0);
                    worstMetrics = Math.max(worstMetrics, t2 - t1);
                    worstGet = Math.max(worstGet, t3 - t2);
                    try {
                        put(client, "proc@waits-" + rounds, Duration.ofMillis(300));
                    } catch (java.net.http.HttpTimeoutException e) {
                        waitedUploads++;
                    }
                    rounds++;
                }
                System.out.printf("every upload thread busy: %d rounds, slowest health %.0f ms, metrics %.0f ms, download %.0f ms, %d uploads waited%n",
                        rounds, worstHealth / 1e6, worstMetrics / 1e6, worstGet / 1e6, waitedUploads);
                assertEquals(rounds, waitedUploads, "the upload threads were not all busy: the test proves nothing");
                assertTrue(worstHealth < 1_000_000_000L, "health took " + worstHealth / 1e6 + " ms");
                assertTrue(worstMetrics < 1_000_000_000L, "metrics took " + worstMetrics / 1e6 + " ms");
                assertTrue(worstGet < 1_000_000_000L, "a download took " + worstGet / 1e6 + " ms");
                assertEquals(0, cut.get(), "the node cut uploads that moved eight times the minimum rate");
            } finally {
                trickle.shutdownNow();
                for (Socket s : uploads) {
                    s.close();
                }
            }
            // The uploads gone, their threads are free again.
            HttpResponse<String> stored = put(client, "proc@after", Duration.ofSeconds(5));
            assertTrue(stored.statusCode() / 100 == 2, stored.statusCode() + " " + stored.body());
            String out = Files.readString(log);
            assertTrue(out.lines().noneMatch(l -> l.contains("closed the connection from /" + HOSTILE)), out);
            assertTrue(out.lines().noneMatch(l -> l.contains(" ERROR ")), out);
        }
    }

    /**
     * Uploads that get their threads (past the body-start gate) and then stall are closed by the watchdog, and their
     * threads are free again: a thread blocked reading a stalled client is woken by the close. Before, the close left it
     * waiting for bytes that never came, and as many such clients as the node has upload threads stopped every upload.
     */
    @Test
    void uploadsThatStallAfterTheirStartAreClosedAndFreeTheirThreads() throws Exception {
        Path log = tmp.resolve("node.log");
        try (NodeProcess node = startWithStallWindow(log)) {
            int port = node.port();
            NativeClient client = new NativeClient(port, KEY);
            List<Socket> stalled = startUploads(port, "stalled", BODY_THREADS + 4);
            // Every upload thread holds a stalled upload now; after three stall windows the watchdog has closed them.
            Thread.sleep(STALL.toMillis() * 3);
            long t0 = System.nanoTime();
            HttpResponse<String> stored = put(client, "proc@after-stalls", Duration.ofSeconds(5));
            long took = System.nanoTime() - t0;
            assertTrue(stored.statusCode() / 100 == 2, stored.statusCode() + " " + stored.body());
            assertTrue(took < 1_000_000_000L, "an upload after the stalled ones took " + took / 1e6 + " ms");
            for (Socket s : stalled) {
                readToEnd(s, 1 << 20);
            }
            String out = Files.readString(log);
            long closed = out.lines().filter(l -> l.contains("closed the connection from /" + HOSTILE)).count();
            assertTrue(closed >= stalled.size(), "watchdog closed " + closed + " connections:\n" + out);
            assertTrue(out.lines().noneMatch(l -> l.contains(" ERROR ")), out);
            assertEquals(404, client.retrieve("proc@stalled-0").statusCode());
        }
    }

    NodeProcess startWithStallWindow(Path log) throws IOException {
        return start(log, "--client-stall-window", Double.toString(STALL.toMillis() / 1000.0), "--client-min-rate", "1KiB");
    }

    /** Uploads from the hostile address that each send 80 KiB of a 100 MB body (past the body-start gate), then wait. */
    static List<Socket> startUploads(int port, String prefix, int count) throws IOException {
        List<Socket> uploads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket s = open(port, 0, "PUT /api/v1/store/" + NativeClient.encode("proc@" + prefix + "-" + i) + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nSHARD-KEY: " + KEY + "\r\nContent-Length: 100000000\r\n\r\n");
            s.getOutputStream().write(new byte[80 * 1024]);
            uploads.add(s);
        }
        return uploads;
    }

    /** An honest upload of 100 bytes (PUT /api/v1/store/query) that gives up after {@code timeout}. */
    static HttpResponse<String> put(NativeClient client, String query, Duration timeout) throws IOException, InterruptedException {
        return client.http().send(HttpRequest.newBuilder(URI.create(client.base() + "/api/v1/store/" + NativeClient.encode(query)))
                .header("SHARD-KEY", KEY).timeout(timeout).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[100])).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    NodeProcess start(Path log, String... flags) throws IOException {
        try {
            return NodeProcess.start(tmp.resolve("data"), KEY, "-Xmx256m", log, flags);
        } catch (RuntimeException e) {
            throw new AssertionError("node did not start: " + Files.readString(log), e);
        }
    }

    /** A connection from the hostile address that sends {@code request} and then nothing. */
    static Socket open(int port, int receiveBuffer, String request) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.bind(new InetSocketAddress(HOSTILE, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        return s;
    }

    /** What the node sent on a connection before closing it: its first bytes as text, and how many in all. */
    record Drained(String head, long bytes) {
    }

    /** Reads until the node closes the connection; fails if it is still open after 5 s of silence. */
    static Drained readToEnd(Socket s, long limit) throws IOException {
        s.setSoTimeout(5000);
        StringBuilder head = new StringBuilder();
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        try (s; InputStream in = s.getInputStream()) {
            int n;
            while (total < limit && (n = in.read(buf)) >= 0) {
                if (head.length() < 512) {
                    head.append(new String(buf, 0, Math.min(n, 512), StandardCharsets.ISO_8859_1));
                }
                total += n;
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the node left a hostile connection open; it sent: " + head, e);
        } catch (java.net.SocketException e) {
            // reset by the node: closed too
        }
        return new Drained(head.toString(), total);
    }
}
