package io.hifadhi.node.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/** A node in its own JVM, started from the test classpath, so tests can kill -9 it or cap its heap. */
public final class NodeProcess implements AutoCloseable {
    /** What the jar's manifest gives {@code java -jar}; a JVM started from a classpath needs them spelt out. */
    public static final List<String> ATOMIX_OPENS = List.of(
            "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED");

    private final Process process;
    private final int port;
    private final Path log;

    private NodeProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static int freePort() throws IOException {
        return TestPorts.next();
    }

    public static NodeProcess start(Path dataDir, String shardKey, String heap, Path log, String... extra) throws IOException {
        return start(dataDir, shardKey, heap, log, "proc", freePort(), extra);
    }

    /** A named node on a known cluster port, so others can {@code --join} it. */
    public static NodeProcess start(Path dataDir, String shardKey, String heap, Path log, String name, int clusterPort,
                                    String... extra) throws IOException {
        return start(dataDir, shardKey, List.of(heap), log, name, clusterPort, extra);
    }

    /** @param jvm options for the node's JVM: its heap, system properties */
    public static NodeProcess start(Path dataDir, String shardKey, List<String> jvm, Path log, String name, int clusterPort,
                                    String... extra) throws IOException {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(ATOMIX_OPENS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.hifadhi.node.Main",
                "--data-dir", dataDir.toString(), "--bind", "127.0.0.1",
                "--http-port", Integer.toString(port), "--cluster-port", Integer.toString(clusterPort), "--data-port", "0",
                "--name", name, "--shard-key", shardKey));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        NodeProcess node = new NodeProcess(p, port, log);
        HttpClient client = HttpClient.newHttpClient();
        // Generous: on a shared, loaded machine a JVM start alone has taken most of a minute.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("node exited with " + p.exitValue() + ", log: " + log);
            }
            try {
                return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/health")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return node;
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    public Path log() {
        return log;
    }

    /** SIGSTOP: the node hangs; the kernel still accepts its connections, and nothing answers on them. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        try {
            // The shell's own kill: /bin/kill comes with procps, which a minimal Debian lacks.
            new ProcessBuilder("sh", "-c", "kill -s \"$0\" \"$1\"", signal, Long.toString(process.pid())).start()
                    .waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL on Linux: no shutdown hooks, no flushing. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
