package io.hifadhi.chaos.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One node as an operating-system process started from the fat jar. Restarts reuse the same data
 * directory, ports and name; stdout and stderr of every incarnation are appended to one log file,
 * separated by harness marker lines.
 */
public final class NodeProcess {
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final int index;
    private final String name;
    private final Path jar;
    private final Path dataDir;
    private final Path logFile;
    private final String host;
    private final List<String> launchPrefix;
    private final int httpPort;
    private final int clusterPort;
    private final List<String> args;
    private final List<String> jvmArgs;
    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private Process process;
    private int incarnation;
    private boolean paused;

    /**
     * @param host         address the node binds and advertises (127.0.0.1, or its namespace's address)
     * @param launchPrefix words before {@code java}, e.g. {@code ip netns exec <ns>} (which execs, so the pid is the JVM's)
     * @param env          secrets go here (SHARD_KEY, HIFADHI_*), never on the command line where ps shows them
     */
    public NodeProcess(int index, String name, Path jar, Path dataDir, Path logFile, String host, List<String> launchPrefix,
                       int httpPort, int clusterPort, List<String> args, List<String> jvmArgs, Map<String, String> env) {
        this.index = index;
        this.name = name;
        this.jar = jar;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.host = host;
        this.launchPrefix = List.copyOf(launchPrefix);
        this.httpPort = httpPort;
        this.clusterPort = clusterPort;
        this.args = List.copyOf(args);
        this.jvmArgs = List.copyOf(jvmArgs);
        this.env = Map.copyOf(env);
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        List<String> command = new ArrayList<>(launchPrefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of("--name", name, "--data-dir", dataDir.toString(), "--bind", host,
                "--advertise-host", host, "--http-port", Integer.toString(httpPort),
                "--cluster-port", Integer.toString(clusterPort), "--data-port", "0"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(env);
        incarnation++;
        mark("start #" + incarnation + ": " + String.join(" ", command));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        paused = false;
    }

    /** Polls /api/v1/health until it reports healthy; fails early, with the log tail, if the process dies. */
    public void awaitHealthy(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            Process p = currentProcess();
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + (p == null ? "?" : p.exitValue())
                        + " before becoming healthy; log tail:\n" + logTail(30));
            }
            if (healthy(Duration.ofSeconds(1))) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException(name + " not healthy after " + max + "; log tail:\n" + logTail(30));
    }

    /** One health request bounded by {@code timeout} as a whole (headers and body); false on any error or timeout. */
    public boolean healthy(Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(baseUri().resolve("/api/v1/health")).timeout(timeout).GET().build();
        CompletableFuture<HttpResponse<String>> future = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            HttpResponse<String> response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return response.statusCode() == 200 && response.body().contains("\"status\":\"healthy\"");
        } catch (ExecutionException | TimeoutException e) {
            future.cancel(true);
            return false;
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already. Waits for the process to be gone. */
    public synchronized void kill() {
        if (process == null || !process.isAlive()) {
            return;
        }
        mark("SIGKILL pid " + process.pid());
        process.destroyForcibly();
        waitFor(process, Duration.ofSeconds(10));
        paused = false;
    }

    /** SIGSTOP: the process keeps its sockets (the kernel still accepts connections) but answers nothing. */
    public synchronized void pause() {
        requireAlive();
        mark("SIGSTOP pid " + process.pid());
        signal("STOP");
        // kill(1) returns before every thread of the JVM is stopped; a drill's clock starts when it is.
        awaitState(true);
        paused = true;
    }

    /** SIGCONT after {@link #pause()}. */
    public synchronized void resume() {
        requireAlive();
        mark("SIGCONT pid " + process.pid());
        signal("CONT");
        awaitState(false);
        paused = false;
    }

    /** Waits (bounded) until /proc says the process is stopped ('T') or not; Linux only, as the drills are. */
    private void awaitState(boolean stopped) {
        Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try {
                String line = Files.readString(stat);
                char state = line.charAt(line.lastIndexOf(')') + 2);
                if ((state == 'T') == stopped) {
                    return;
                }
                Thread.sleep(5);
            } catch (IOException e) {
                return; // the process is gone: nothing left to wait for
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("pid " + process.pid() + " did not become " + (stopped ? "stopped" : "running")
                + " within 5 s of the signal");
    }

    /** Kills the running incarnation (if any) with SIGKILL and starts a new one on the same data directory and ports. */
    public synchronized void restart() {
        kill();
        start();
    }

    /** Graceful stop (SIGTERM), then SIGKILL if it does not exit within the grace period. */
    public synchronized void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        if (paused) {
            resume();
        }
        mark("SIGTERM pid " + process.pid());
        process.destroy();
        if (!waitFor(process, STOP_GRACE)) {
            kill();
        }
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        requireAlive();
        return process.pid();
    }

    public synchronized boolean paused() {
        return paused;
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public int httpPort() {
        return httpPort;
    }

    public int clusterPort() {
        return clusterPort;
    }

    public URI baseUri() {
        return URI.create("http://" + host + ":" + httpPort);
    }

    public String host() {
        return host;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    public int incarnation() {
        return incarnation;
    }

    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private synchronized Process currentProcess() {
        return process;
    }

    private void requireAlive() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
    }

    private void signal(String signal) {
        try {
            // The shell's own kill: /bin/kill comes with procps, which a minimal Debian lacks.
            Process kill = new ProcessBuilder("sh", "-c", "kill -s \"$0\" \"$1\"", signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }

    /** A harness line in the node's log, so faults can be lined up with what the node printed. */
    public void mark(String what) {
        String line = "=== chaos harness " + Instant.now() + " " + name + ": " + what + "\n";
        try {
            Files.writeString(logFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + logFile, e);
        }
    }

    private static boolean waitFor(Process p, Duration max) {
        try {
            return p.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
