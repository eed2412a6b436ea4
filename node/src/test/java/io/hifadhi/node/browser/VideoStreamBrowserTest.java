package io.hifadhi.node.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.DebianProgram;
import io.hifadhi.node.testing.NativeClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A video stored through the native API plays and seeks in a real browser's {@code <video>} element
 * whose src is a presigned /api/v1/stream/ link, as a web page would embed it. The browser fetches
 * the media itself, so this checks what players depend on: Range requests answered with 206, the
 * right Content-Type, and seeking into the file, all without any credential but the link.
 */
class VideoStreamBrowserTest {
    private static final String KEY = "browser-test-shard-key-0123456789";

    @TempDir
    static Path dir;
    static Node node;
    static NativeClient client;

    @BeforeAll
    static void startNode() throws Exception {
        DebianProgram.CHROMIUM.require(); // before the node starts: this test drives a real browser
        node = new Node(NodeConfig.builder(dir.resolve("data")).name("player").bindAddress("127.0.0.1")
                .httpPort(0).clusterPort(0).shardKey(KEY).build(), new PrintStream(new ByteArrayOutputStream()));
        node.start();
        client = new NativeClient(node.httpPort(), KEY);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void storedVideoPlaysAndSeeksInChromium() throws Exception {
        byte[] video;
        try (InputStream in = VideoStreamBrowserTest.class.getResourceAsStream("/media/counter-30s.webm")) {
            video = in.readAllBytes();
        }
        HttpResponse<String> stored = client.store("clip with space.webm", video);
        assertEquals(200, stored.statusCode(), stored.body());
        HttpResponse<String> minted = client.http().send(HttpRequest.newBuilder(URI.create(client.base() + "/api/v1/presign"))
                .header("SHARD-KEY", KEY).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"query\":" + new ObjectMapper().writeValueAsString(stored.body()) + ",\"expires_in\":600}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, minted.statusCode(), minted.body());
        String url = new ObjectMapper().readTree(minted.body()).get("stream_url").asText();
        String streamPath = url.substring(0, url.indexOf('?'));

        try (HeadlessChromium chromium = HeadlessChromium.launch(); HeadlessChromium.Page page = chromium.firstPage()) {
            Duration step = Duration.ofSeconds(10);
            page.call("Network.enable", Map.of(), step);
            page.call("Page.navigate", Map.of("url", client.base() + "/api/v1/health"), step);
            JsonNode result = page.evaluate(PLAY_AND_SEEK.formatted(url), Duration.ofSeconds(90));

            assertEquals(30.0, result.path("duration").asDouble(), 0.1, "duration the browser read: " + result);
            assertTrue(result.path("played").asDouble() > 0.5, "playback did not advance: " + result);
            assertTrue(result.path("afterSeek").asDouble() >= 20.5, "playback did not continue after the seek: " + result);
            assertEquals(320, result.path("width").asInt(), "decoded frames: " + result);

            List<JsonNode> media = page.events("Network.responseReceived").stream()
                    .filter(e -> e.path("response").path("url").asText().startsWith(streamPath)).toList();
            assertFalse(media.isEmpty(), "no media requests seen");
            assertTrue(media.stream().anyMatch(e -> e.path("response").path("status").asInt() == 206),
                    "the browser's media requests were not answered with 206 Partial Content: " + media);
            assertTrue(media.stream().allMatch(e -> e.path("response").path("mimeType").asText().equals("video/webm")),
                    "media served with the wrong type: " + media);
        }
    }

    /** Loads the video, plays it, seeks to 20 s and waits for playback to continue there. */
    private static final String PLAY_AND_SEEK = """
            (async () => {
              const v = document.createElement('video');
              v.muted = true;
              v.preload = 'auto';
              document.body.appendChild(v);
              const until = (cond, what, ms) => new Promise((resolve, reject) => {
                const t0 = Date.now();
                const tick = () => {
                  if (cond()) resolve();
                  else if (v.error) reject(new Error(what + ': media error ' + v.error.code + ' ' + v.error.message));
                  else if (Date.now() - t0 > ms) reject(new Error('timed out waiting for ' + what
                      + ' (readyState ' + v.readyState + ', currentTime ' + v.currentTime + ')'));
                  else setTimeout(tick, 50);
                };
                tick();
              });
              v.src = '%s';
              await until(() => v.readyState >= 1, 'metadata', 20000);
              const duration = v.duration;
              await v.play();
              await until(() => v.currentTime > 0.5, 'playback', 20000);
              const played = v.currentTime;
              let seeked = false;
              v.addEventListener('seeked', () => seeked = true);
              v.currentTime = 20;
              await until(() => seeked, 'seek', 20000);
              await until(() => v.currentTime > 20.5, 'playback after seek', 20000);
              return { duration, played, afterSeek: v.currentTime, width: v.videoWidth, height: v.videoHeight };
            })()
            """;
}
