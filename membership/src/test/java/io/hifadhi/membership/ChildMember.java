package io.hifadhi.membership;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A {@link MembershipProcessMain} JVM started by a test; its stdout lines are kept with arrival times. */
final class ChildMember implements AutoCloseable {

    record Line(long nanos, String text) {
    }

    final String id;
    final int port;
    final Process process;
    private final List<Line> lines = new ArrayList<>();
    private final Writer stdin;

    private ChildMember(String id, int port, Process process) {
        this.id = id;
        this.port = port;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::drain, "child-" + id);
        reader.setDaemon(true);
        reader.start();
    }

    static ChildMember launch(String id, int port, String join, ClusterSettings s, byte[] secret) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xss512k",
                "--add-opens", "java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                "--add-opens", "java.base/java.util=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "-cp", cp, MembershipProcessMain.class.getName(), id, Integer.toString(port),
                join == null ? "-" : join,
                s.replication() + "," + s.writeQuorum() + "," + s.readQuorum() + "," + s.chunkSize()));
        Path logs = Path.of("target", "child-logs");
        Files.createDirectories(logs);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve(id + ".log").toFile()));
        pb.environment().put("SHARD_KEY", new String(secret, StandardCharsets.UTF_8));
        return new ChildMember(id, port, pb.start());
    }

    long pid() {
        return process.pid();
    }

    private void drain() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(new Line(System.nanoTime(), l));
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // process gone
        }
    }

    /** First line at or after {@code sinceNanos} matching, waiting up to {@code timeout}. */
    Optional<Line> await(Predicate<String> match, long sinceNanos, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (Line l : lines) {
                    if (l.nanos() >= sinceNanos && match.test(l.text())) {
                        return Optional.of(l);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                TimeUnit.NANOSECONDS.timedWait(lines, left);
            }
        }
    }

    List<String> text() {
        synchronized (lines) {
            return lines.stream().map(Line::text).toList();
        }
    }

    void send(String command) throws IOException {
        stdin.write(command + "\n");
        stdin.flush();
    }

    void signal(String sig) throws IOException, InterruptedException {
        // The shell's own kill: /bin/kill comes with procps, which a minimal Debian lacks.
        Process kill = new ProcessBuilder("sh", "-c", "kill -s \"$0\" \"$1\"", sig, Long.toString(pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + sig + " " + pid() + " failed");
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                signal("CONT"); // a stopped JVM would ignore SIGKILL's sibling signals until resumed
            } catch (Exception e) {
                // ignore
            }
            process.destroyForcibly();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return id + "(pid " + process.pid() + ", port " + port + ")";
    }
}
