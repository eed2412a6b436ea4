package io.hifadhi.node.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.node.testing.DebianProgram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's /usr/bin/chromium) driven over the DevTools protocol with the
 * JDK's own WebSocket client, so browser tests need no driver download and no extra library. Where
 * Chromium is missing, {@link #launch} fails the test naming the package to install.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Pattern DEVTOOLS_URL = Pattern.compile("DevTools listening on (ws://[^\\s]+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final int debugPort;

    private HeadlessChromium(Process process, Path profile, int debugPort) {
        this.process = process;
        this.profile = profile;
        this.debugPort = debugPort;
    }

    public static HeadlessChromium launch() throws IOException, InterruptedException {
        Path binary = DebianProgram.CHROMIUM.require();
        Path profile = Files.createTempDirectory("hifadhi-chromium");
        // The background-networking flags keep Chromium from dialling out: this machine has no network.
        ProcessBuilder pb = new ProcessBuilder(binary.toString(),
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--disable-default-apps", "--mute-audio",
                "--autoplay-policy=no-user-gesture-required",
                "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "about:blank");
        pb.redirectErrorStream(true);
        Process process = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> wsUrl = new CompletableFuture<>();
        List<String> early = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = DEVTOOLS_URL.matcher(line);
                    if (m.find()) {
                        wsUrl.complete(m.group(1));
                    } else if (!wsUrl.isDone() && early.size() < 50) {
                        early.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the browser went away; launch() reports what it printed
            }
            wsUrl.completeExceptionally(new IllegalStateException("Chromium exited before DevTools started: " + early));
        }, "chromium-output");
        reader.setDaemon(true);
        reader.start();
        try {
            URI browserWs = URI.create(wsUrl.get(30, TimeUnit.SECONDS));
            return new HeadlessChromium(process, profile, browserWs.getPort());
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("Chromium did not start: " + e.getMessage(), e);
        }
    }

    /** Attaches to the page the browser opened at start. */
    public Page firstPage() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        for (int attempt = 0; attempt < 50; attempt++) {
            HttpResponse<String> list = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + debugPort + "/json/list")).build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode target : JSON.readTree(list.body())) {
                if ("page".equals(target.path("type").asText())) {
                    return Page.connect(http, URI.create(target.get("webSocketDebuggerUrl").asText()));
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Chromium opened no page");
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> walk = Files.walk(profile)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One page's DevTools session: commands with replies, and every event kept for inspection. */
    public static final class Page implements WebSocket.Listener, AutoCloseable {
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final List<JsonNode> events = new CopyOnWriteArrayList<>();
        private final AtomicInteger ids = new AtomicInteger();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Page connect(HttpClient http, URI ws) {
            Page page = new Page();
            page.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(ws, page).join();
            return page;
        }

        /** Sends a DevTools command and returns its result, failing on a protocol error. */
        public JsonNode call(String method, Map<String, ?> params, Duration timeout) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> reply = new CompletableFuture<>();
            pending.put(id, reply);
            ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
            msg.set("params", JSON.valueToTree(params));
            synchronized (this) {
                socket.sendText(JSON.writeValueAsString(msg), true).join();
            }
            JsonNode answer = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (answer.has("error")) {
                throw new IllegalStateException(method + " failed: " + answer.get("error"));
            }
            return answer.path("result");
        }

        /** Evaluates an expression (awaiting a returned promise) and returns its JSON value. */
        public JsonNode evaluate(String expression, Duration timeout) throws Exception {
            JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "awaitPromise", true,
                    "returnByValue", true), timeout);
            if (result.has("exceptionDetails")) {
                throw new IllegalStateException("page script failed: " + result.get("exceptionDetails").toPrettyString());
            }
            return result.path("result").path("value");
        }

        public List<JsonNode> events(String method) {
            List<JsonNode> matching = new ArrayList<>();
            for (JsonNode e : events) {
                if (method.equals(e.path("method").asText())) {
                    matching.add(e.path("params"));
                }
            }
            return matching;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode msg = JSON.readTree(partial.toString());
                    if (msg.has("id")) {
                        CompletableFuture<JsonNode> reply = pending.remove(msg.get("id").asInt());
                        if (reply != null) {
                            reply.complete(msg);
                        }
                    } else {
                        events.add(msg);
                    }
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                } finally {
                    partial.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
