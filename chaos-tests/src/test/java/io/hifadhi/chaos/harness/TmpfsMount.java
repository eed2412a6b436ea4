package io.hifadhi.chaos.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A size-limited tmpfs mounted over a directory, to give one node a disk that fills up. Needs the
 * right to mount (root in a container with CAP_SYS_ADMIN); {@link #tryMount} says why when it cannot.
 */
public final class TmpfsMount implements AutoCloseable {
    private final Path dir;

    private TmpfsMount(Path dir) {
        this.dir = dir;
    }

    /** Mounts, or returns the reason it could not. */
    public static Object tryMount(Path dir, long bytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String out = run("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0700", "tmpfs", dir.toAbsolutePath().toString());
        if (out != null) {
            return "cannot mount a tmpfs on " + dir + ": " + out;
        }
        return new TmpfsMount(dir);
    }

    /** Unmounts a tmpfs an aborted earlier run may have left on {@code dir}. */
    public static void unmountIfMounted(Path dir) throws IOException, InterruptedException {
        String abs = dir.toAbsolutePath().normalize().toString();
        List<String> mounts = Files.readAllLines(Path.of("/proc/mounts"), StandardCharsets.UTF_8);
        if (mounts.stream().anyMatch(l -> l.split(" ")[1].equals(abs))) {
            run("umount", abs);
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        String out = run("umount", dir.toAbsolutePath().toString());
        if (out != null) {
            throw new IOException("umount " + dir + " failed: " + out);
        }
    }

    /** Null on success, else the command's output and exit code. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " timed out";
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + output;
    }
}
