package io.hifadhi.node.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.decoder.Decoder;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.DebianProgram;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web console in a real headless Chromium against a real 3-node cluster: a wrong key is refused,
 * sign-in, a bucket made, a 20 MiB file uploaded through the page's file picker with its progress bar
 * moving, listed, shared (the link opens in a second browser with no session and gives the same bytes,
 * its QR code decodes to the link), a video previewed and seeked, every node on the cluster page.
 * Screenshots of every page go to target/console-screenshots/.
 */
class ConsoleBrowserTest {
    private static final String SHARD_KEY = "console-browser-test-shard-key-0123";
    private static final String ACCESS = "HFDCONSOLETESTROOT01";
    private static final String SECRET = "console-test-secret-key-0123456789abcdef";
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SHOTS = Path.of("target", "console-screenshots");

    @TempDir
    static Path dir;
    static final List<Node> nodes = new ArrayList<>();
    static String base;

    @BeforeAll
    static void startCluster() throws Exception {
        DebianProgram.CHROMIUM.require();
        int seed = NodeProcess.freePort();
        String[] zones = {"eu-west", "eu-west", "af-east"};
        for (int i = 0; i < 3; i++) {
            NodeConfig.Builder b = NodeConfig.builder(dir.resolve("n" + i)).name("node-" + (char) ('a' + i))
                    .bindAddress("127.0.0.1").httpPort(0).clusterPort(i == 0 ? seed : NodeProcess.freePort())
                    .join(i == 0 ? List.of() : List.of("127.0.0.1:" + seed)).zone(zones[i])
                    .shardKey(SHARD_KEY);
            if (i == 0) {
                b.accessKey(ACCESS).secretKey(SECRET);
            }
            Node n = new Node(b.build(), new PrintStream(new ByteArrayOutputStream()));
            n.start();
            nodes.add(n);
        }
        base = "http://127.0.0.1:" + nodes.get(0).httpPort();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/cluster"))
                    .header("SHARD-KEY", SHARD_KEY).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode members = JSON.readTree(r.body()).path("members");
            int up = 0;
            for (JsonNode m : members) {
                up += m.path("state").asText().equals("UP") ? 1 : 0;
            }
            return up == 3;
        });
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stopCluster() {
        nodes.forEach(Node::close);
    }

    @Test
    void theConsoleWorksInChromium() throws Exception {
        byte[] big = new byte[20 << 20];
        new Random(17).nextBytes(big);
        Path bigFile = dir.resolve("holiday-archive.bin");
        Files.write(bigFile, big);
        Path video = dir.resolve("counter.webm");
        try (InputStream in = ConsoleBrowserTest.class.getResourceAsStream("/media/counter-30s.webm")) {
            Files.write(video, in.readAllBytes());
        }

        String shareUrl;
        try (HeadlessChromium chromium = HeadlessChromium.launch(); HeadlessChromium.Page page = chromium.firstPage()) {
            page.call("Page.enable", Map.of(), STEP);
            page.call("DOM.enable", Map.of(), STEP);
            page.call("Emulation.setDeviceMetricsOverride", Map.of("width", 1280, "height", 860, "deviceScaleFactor", 1,
                    "mobile", false), STEP);

            // Opening the node's address in a browser lands on the console's sign-in page.
            navigate(page, base + "/");
            waitFor(page, "location.pathname === '/ui/' && !document.getElementById('sign-in-view').hidden");
            assertEquals("", page.evaluate(UNLABELLED, STEP).asText(), "form fields without a label");
            screenshot(page, "01-sign-in");

            // A wrong secret is refused and says so; nothing opens.
            signIn(page, ACCESS, "not-the-secret", null);
            waitFor(page, "document.getElementById('sign-in-error').textContent.length > 0");
            assertTrue(page.evaluate("document.getElementById('sign-in-error').textContent", STEP).asText().contains("wrong"));
            assertEquals(401, page.evaluate("fetch('/ui/api/session').then(r => r.status)", STEP).asInt());
            assertEquals("none", page.evaluate("getComputedStyle(document.getElementById('nav')).display", STEP).asText(),
                    "the sections show before sign-in");
            screenshot(page, "02-wrong-key");

            signIn(page, ACCESS, SECRET, SHARD_KEY);
            waitFor(page, "document.querySelector('#create-bucket') !== null");

            // Create a bucket through the form; the page moves into it.
            page.evaluate("document.getElementById('bucket-name').value = 'holiday';"
                    + "document.getElementById('create-bucket').requestSubmit(); true", STEP);
            waitFor(page, "location.hash === '#/b/holiday/' && document.getElementById('file-input') !== null");

            // Upload 20 MiB through the file picker, sampling the progress bar as it moves.
            page.evaluate(RECORD_PROGRESS, STEP);
            setFiles(page, bigFile);
            waitFor(page, "document.querySelector('[data-upload=\"holiday-archive.bin\"][data-done]') !== null", Duration.ofSeconds(120));
            JsonNode seen = page.evaluate("window.progressSeen", STEP);
            long between = 0;
            for (JsonNode v : seen) {
                between += v.asLong() > 0 && v.asLong() < big.length ? 1 : 0;
            }
            assertTrue(between >= 2, "the progress bar showed no intermediate values: " + seen);

            // Listed with its size.
            waitFor(page, "document.querySelector('tr[data-key=\"holiday-archive.bin\"]') !== null");
            assertEquals("20 MiB", page.evaluate("document.querySelector('tr[data-key=\"holiday-archive.bin\"] td.num').textContent", STEP).asText());
            setFiles(page, video);
            waitFor(page, "document.querySelector('tr[data-key=\"counter.webm\"]') !== null", Duration.ofSeconds(60));
            screenshot(page, "03-objects");

            // Share: a link with a copy button and a QR code that decodes to the link.
            page.evaluate("document.querySelector('tr[data-key=\"holiday-archive.bin\"] button[aria-label^=\"Share\"]').click(); true", STEP);
            page.evaluate("document.getElementById('share-create').click(); true", STEP);
            waitFor(page, "!document.getElementById('share-result').hidden");
            shareUrl = page.evaluate("document.getElementById('share-url').value", STEP).asText();
            assertTrue(shareUrl.startsWith(base + "/ui/share/"), shareUrl);
            assertEquals(shareUrl, decodeQr(page.evaluate("QR.encode(document.getElementById('share-url').value)", STEP)));
            screenshot(page, "04-share");
            page.evaluate("document.getElementById('share-dialog').close(); true", STEP);

            // Preview the video in the page's own player, play and seek.
            page.evaluate("document.querySelector('tr[data-key=\"counter.webm\"] button[aria-label^=\"Preview\"]').click(); true", STEP);
            JsonNode played = page.evaluate(PLAY_AND_SEEK, Duration.ofSeconds(90));
            assertEquals(30.0, played.path("duration").asDouble(), 0.1, played.toString());
            assertTrue(played.path("afterSeek").asDouble() >= 20.5, "playback did not continue after the seek: " + played);
            screenshot(page, "05-preview");
            page.evaluate("document.getElementById('preview-dialog').close(); true", STEP);

            // Every node on the cluster page.
            page.evaluate("location.hash = '#/cluster'; true", STEP);
            waitFor(page, "document.querySelectorAll('#members tr').length === 3");
            for (Node n : nodes) {
                assertEquals("UP", page.evaluate("document.querySelector('tr[data-node=\"" + n.name()
                        + "\"] td:nth-child(2) span').textContent", STEP).asText(), n.name());
            }
            assertTrue(page.evaluate("document.getElementById('members').textContent", STEP).asText().contains("af-east"));
            // An object node-a spreads shows there: by name in its own list, and as a count on its row, which every
            // node learns by gossip (node-c is asked).
            assertTrue(page.evaluate("document.getElementById('hot-objects').textContent", STEP).asText().contains("Nothing is hot"));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> cached = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/cache"))
                    .header("SHARD-KEY", SHARD_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"bucket\": \"holiday\", \"key\": \"holiday-archive.bin\", \"copies\": 1}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, cached.statusCode(), cached.body());
            waitFor(page, "document.querySelector('#hot-objects tr[data-hot-object=\"holiday/holiday-archive.bin\"]') !== null"
                    + " && document.querySelector('tr[data-node=\"node-a\"] td[data-hot=\"1\"]') !== null", Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(2).httpPort()
                        + "/api/v1/cluster")).header("SHARD-KEY", SHARD_KEY).build(), HttpResponse.BodyHandlers.ofString());
                for (JsonNode m : JSON.readTree(r.body()).path("members")) {
                    assertEquals(m.path("id").asText().equals("node-a") ? 1 : 0, m.path("hot_objects").asInt(), r.body());
                }
            });
            screenshot(page, "06-cluster");

            page.evaluate("location.hash = '#/keys'; true", STEP);
            waitFor(page, "document.querySelectorAll('#keys tr').length >= 1");
            screenshot(page, "07-keys");

            // On a phone.
            page.call("Emulation.setDeviceMetricsOverride", Map.of("width", 390, "height", 844, "deviceScaleFactor", 2,
                    "mobile", true), STEP);
            page.evaluate("location.hash = '#/b/holiday/'; true", STEP);
            waitFor(page, "document.querySelector('tr[data-key=\"counter.webm\"]') !== null");
            screenshot(page, "08-phone");
        }

        // The link in a second browser that never signed in: the same bytes, and no session there.
        try (HeadlessChromium fresh = HeadlessChromium.launch(); HeadlessChromium.Page page = fresh.firstPage()) {
            page.call("Page.enable", Map.of(), STEP);
            navigate(page, base + "/api/v1/health");
            assertEquals(401, page.evaluate("fetch('/ui/api/session').then(r => r.status)", STEP).asInt());
            String digest = page.evaluate(("fetch('%s').then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status))"
                    + ".then(b => crypto.subtle.digest('SHA-256', b))"
                    + ".then(d => Array.from(new Uint8Array(d)).map(x => x.toString(16).padStart(2, '0')).join(''))")
                    .formatted(shareUrl), Duration.ofSeconds(60)).asText();
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big)), digest);
            String tampered = shareUrl.replace("holiday-archive", "holiday-archivf");
            assertEquals(403, page.evaluate("fetch('" + tampered + "').then(r => r.status)", STEP).asInt());
        }
    }

    @Test
    void nativeFilesAndTheirIpGrantsInChromium() throws Exception {
        // Native files stored through the native API, as an application would.
        String instance = nodes.get(1).name();
        HttpClient http = HttpClient.newHttpClient();
        byte[] report = "quarterly numbers".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (String query : List.of(instance + "@reports/q3.txt", instance + "@reports/q4.txt", instance + "@notes.txt")) {
            HttpResponse<String> stored = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/store/"
                            + java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8)))
                    .header("SHARD-KEY", SHARD_KEY).PUT(HttpRequest.BodyPublishers.ofByteArray(report)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, stored.statusCode(), stored.body());
        }
        String q3 = instance + "@reports/q3.txt";

        try (HeadlessChromium chromium = HeadlessChromium.launch(); HeadlessChromium.Page page = chromium.firstPage()) {
            page.call("Page.enable", Map.of(), STEP);
            page.call("Emulation.setDeviceMetricsOverride", Map.of("width", 1280, "height", 860, "deviceScaleFactor", 1,
                    "mobile", false), STEP);
            navigate(page, base + "/ui/");
            waitFor(page, "!document.getElementById('sign-in-view').hidden");
            signIn(page, "", "", SHARD_KEY); // an administrator: the SHARD-KEY alone
            waitFor(page, "location.hash === '#/cluster'");
            page.evaluate("window.confirm = () => true; location.hash = '#/files/'; true", STEP);
            waitFor(page, "document.querySelector('tr[data-dir=\"" + instance + "@\"] a') !== null");
            page.evaluate("document.querySelector('tr[data-dir=\"" + instance + "@\"] a').click(); true", STEP);
            waitFor(page, "document.querySelector('tr[data-dir=\"" + instance + "@reports/\"] a') !== null");
            page.evaluate("document.querySelector('tr[data-dir=\"" + instance + "@reports/\"] a').click(); true", STEP);
            waitFor(page, "document.querySelectorAll('#native-files tr[data-query]').length === 2");
            screenshot(page, "09-native-files");

            // IP grants of a file: add one with an expiry, see it listed, check the node has it, revoke it.
            page.evaluate("document.querySelector('tr[data-query=\"" + q3 + "\"] button[aria-label^=\"IP grants\"]').click(); true", STEP);
            waitFor(page, "document.getElementById('grants-dialog').open");
            page.evaluate("document.getElementById('grant-ip').value = '198.51.100.0/24'; document.getElementById('grant-expiry').value = '604800';"
                    + "document.getElementById('grant-add').click(); true", STEP);
            waitFor(page, "document.querySelector('#grants-list tr[data-grant=\"198.51.100.0/24\"]') !== null");
            assertTrue(!page.evaluate("document.querySelector('#grants-list tr[data-grant=\"198.51.100.0/24\"] td:nth-child(2)').textContent",
                    STEP).asText().equals("never"), "the grant's expiry is shown");
            screenshot(page, "10-grants");
            JsonNode onNode = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(2).httpPort()
                            + "/api/v1/grants/" + java.net.URLEncoder.encode(q3, java.nio.charset.StandardCharsets.UTF_8)))
                    .header("SHARD-KEY", SHARD_KEY).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("198.51.100.0/24", onNode.path("grants").get(0).path("ip").asText(), onNode.toString());
            assertTrue(onNode.path("grants").get(0).path("expires").asLong() > 0, onNode.toString());
            // A bad address is refused with the node's message, in the dialog.
            page.evaluate("document.getElementById('grant-ip').value = 'not-an-ip'; document.getElementById('grant-add').click(); true", STEP);
            waitFor(page, "document.getElementById('grants-error').textContent.includes('not an address')");
            page.evaluate("document.querySelector('#grants-list button[aria-label=\"Revoke 198.51.100.0/24\"]').click(); true", STEP);
            waitFor(page, "document.querySelector('#grants-list tr[data-grant]') === null");
            page.evaluate("document.getElementById('grants-dialog').close(); true", STEP);

            // Move (rename) into a new directory: the old name goes, the new one has the bytes and, as documented, the grants.
            page.evaluate("document.querySelector('tr[data-query=\"" + q3 + "\"] button[aria-label^=\"Move\"]').click(); true", STEP);
            waitFor(page, "document.getElementById('rename-dialog').open");
            page.evaluate("document.getElementById('rename-to').value = '" + instance + "@archive/2026/';"
                    + "document.getElementById('rename-move').click(); true", STEP);
            waitFor(page, "!document.getElementById('rename-dialog').open && document.querySelectorAll('#native-files tr[data-query]').length === 1");
            HttpResponse<byte[]> moved = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/retrieve/"
                    + java.net.URLEncoder.encode(instance + "@archive/2026/q3.txt", java.nio.charset.StandardCharsets.UTF_8)))
                    .header("SHARD-KEY", SHARD_KEY).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, moved.statusCode());
            assertTrue(java.util.Arrays.equals(report, moved.body()));

            // Delete a file; make and remove a directory.
            page.evaluate("document.querySelector('tr[data-query=\"" + instance + "@reports/q4.txt\"] button[aria-label^=\"Delete\"]').click(); true", STEP);
            waitFor(page, "document.querySelectorAll('#native-files tr[data-query]').length === 0");
            page.evaluate("document.getElementById('dir-name').value = 'drafts'; document.getElementById('create-dir').requestSubmit(); true", STEP);
            waitFor(page, "location.hash === '#/files/" + java.net.URLEncoder.encode(instance, java.nio.charset.StandardCharsets.UTF_8)
                    + "%40reports%2Fdrafts%2F' && document.querySelector('#native-files .empty') !== null");
            page.evaluate("location.hash = '#/files/" + instance + "%40'; true", STEP);
            waitFor(page, "document.querySelector('tr[data-dir=\"" + instance + "@archive/\"]') !== null");
            screenshot(page, "11-native-root");
            page.evaluate("document.querySelector('tr[data-dir=\"" + instance + "@archive/\"] button').click(); true", STEP);
            waitFor(page, "document.querySelector('tr[data-dir=\"" + instance + "@archive/\"]') === null");
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/files/"
                    + java.net.URLEncoder.encode(instance + "@archive/2026/q3.txt", java.nio.charset.StandardCharsets.UTF_8)))
                    .header("SHARD-KEY", SHARD_KEY).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals("", page.evaluate(UNLABELLED, STEP).asText(), "form fields without a label");
        }
    }

    private static void signIn(HeadlessChromium.Page page, String access, String secret, String shard) throws Exception {
        page.evaluate(("document.getElementById('access-key').value = %s; document.getElementById('secret-key').value = %s;"
                + "document.getElementById('shard-key').value = %s; document.getElementById('sign-in-form').requestSubmit(); true")
                .formatted(JSON.writeValueAsString(access), JSON.writeValueAsString(secret),
                        JSON.writeValueAsString(shard == null ? "" : shard)), STEP);
    }

    /** Picks a file in the page's file input, as a person would in the file picker. */
    private static void setFiles(HeadlessChromium.Page page, Path file) throws Exception {
        int root = page.call("DOM.getDocument", Map.of(), STEP).path("root").path("nodeId").asInt();
        int input = page.call("DOM.querySelector", Map.of("nodeId", root, "selector", "#file-input"), STEP).path("nodeId").asInt();
        page.call("DOM.setFileInputFiles", Map.of("nodeId", input, "files", List.of(file.toAbsolutePath().toString())), STEP);
    }

    /** Navigates and waits for the new document's load event, so later scripts run in it. */
    private static void navigate(HeadlessChromium.Page page, String url) throws Exception {
        int loads = page.events("Page.loadEventFired").size();
        page.call("Page.navigate", Map.of("url", url), STEP);
        await().atMost(STEP).until(() -> page.events("Page.loadEventFired").size() > loads);
    }

    private static void waitFor(HeadlessChromium.Page page, String condition) throws Exception {
        waitFor(page, condition, STEP);
    }

    private static void waitFor(HeadlessChromium.Page page, String condition, Duration timeout) throws Exception {
        page.evaluate(("new Promise((resolve, reject) => { const t0 = Date.now(); const tick = () => {"
                + " let ok = false; try { ok = (%s); } catch (e) {}"
                + " if (ok) resolve(true); else if (Date.now() - t0 > %d) reject(new Error('timed out waiting for: ' + %s"
                + " + ' at ' + location.href + ': ' + (document.body ? document.body.innerText.slice(0, 400) : '')));"
                + " else setTimeout(tick, 50); }; tick(); })")
                .formatted(condition, timeout.toMillis() - 1000, JSON.writeValueAsString(condition)), timeout);
    }

    private static void screenshot(HeadlessChromium.Page page, String name) throws Exception {
        Thread.sleep(300); // let the last paint land
        String png = page.call("Page.captureScreenshot", Map.of("format", "png"), STEP).path("data").asText();
        Files.write(SHOTS.resolve(name + ".png"), Base64.getDecoder().decode(png));
    }

    /** Decodes the console's QR matrix with ZXing's decoder, an implementation independent of ours. */
    private static String decodeQr(JsonNode rows) throws Exception {
        int n = rows.size();
        BitMatrix m = new BitMatrix(n);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                if (rows.get(y).get(x).asBoolean()) {
                    m.set(x, y);
                }
            }
        }
        return new Decoder().decode(m).getText();
    }

    /** Every input, select and textarea must have a label (or an aria-label); returns the ids of those without. */
    private static final String UNLABELLED = """
            Array.from(document.querySelectorAll('input, select, textarea'))
              .filter(e => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
              .map(e => e.id || e.name).join(',')
            """;

    /** Records every distinct value the upload's progress bar takes. */
    private static final String RECORD_PROGRESS = """
            (() => {
              window.progressSeen = [];
              const sample = () => {
                const bar = document.querySelector('[data-upload="holiday-archive.bin"] progress');
                if (bar && window.progressSeen[window.progressSeen.length - 1] !== bar.value) window.progressSeen.push(bar.value);
                if (!document.querySelector('[data-upload="holiday-archive.bin"][data-done]')) requestAnimationFrame(sample);
              };
              requestAnimationFrame(sample);
              return true;
            })()
            """;

    /** Waits for the preview's video element, plays it, seeks to 20 s and waits for playback there. */
    private static final String PLAY_AND_SEEK = """
            (async () => {
              const until = (cond, what, ms) => new Promise((resolve, reject) => {
                const t0 = Date.now();
                const tick = () => {
                  let ok = false; try { ok = cond(); } catch (e) {}
                  if (ok) resolve();
                  else if (Date.now() - t0 > ms) reject(new Error('timed out waiting for ' + what));
                  else setTimeout(tick, 50);
                };
                tick();
              });
              await until(() => document.getElementById('preview-media'), 'the player', 10000);
              const v = document.getElementById('preview-media');
              v.muted = true;
              await until(() => v.readyState >= 1, 'metadata', 20000);
              const duration = v.duration;
              await v.play();
              await until(() => v.currentTime > 0.5, 'playback', 20000);
              let seeked = false;
              v.addEventListener('seeked', () => seeked = true);
              v.currentTime = 20;
              await until(() => seeked, 'seek', 20000);
              await until(() => v.currentTime > 20.5, 'playback after seek', 20000);
              return { duration, afterSeek: v.currentTime };
            })()
            """;
}
