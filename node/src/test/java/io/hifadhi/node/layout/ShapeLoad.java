package io.hifadhi.node.layout;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that write new objects and read acknowledged ones through random nodes of a {@link ShapeCluster} while
 * it changes shape (one write in three), counting what failed and timing every request.
 */
final class ShapeLoad {
    volatile int[] nodes;
    private final ShapeCluster cluster;
    /** Objects acknowledged so far: query → bytes. Shared with the test, which reads them all back afterwards. */
    private final Map<String, byte[]> acked;
    private final Function<Random, byte[]> body;
    private final long pauseMillis;
    private final int threadCount;
    private final Random random;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Long> writeNanos = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> readNanos = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    /** When each write this load made was acknowledged (System.nanoTime), by query. */
    private final Map<String, Long> ackedAt = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    /** The version each overwrite replaced, by query: a stale read returns it. */
    private final Map<String, byte[]> overwritten = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param body        the next object to write
     * @param pauseMillis pause after each request (keeps the object count, and the read-back after, small)
     */
    ShapeLoad(ShapeCluster cluster, Map<String, byte[]> acked, int[] nodes, long seed, int threadCount,
              Function<Random, byte[]> body, long pauseMillis) {
        this.cluster = cluster;
        this.acked = acked;
        this.nodes = nodes;
        this.random = new Random(seed);
        this.threadCount = threadCount;
        this.body = body;
        this.pauseMillis = pauseMillis;
    }

    ShapeLoad start() {
        for (int t = 0; t < threadCount; t++) {
            Thread th = new Thread(this::run, "load-" + t);
            th.setDaemon(true);
            threads.add(th);
            th.start();
        }
        return this;
    }

    private void run() {
        Random r;
        synchronized (random) {
            r = new Random(random.nextLong());
        }
        int i = 0;
        while (running.get()) {
            int[] ns = nodes;
            int node = ns[r.nextInt(ns.length)];
            try {
                if (i++ % 3 == 0) {
                    byte[] b = body.apply(r);
                    long t0 = System.nanoTime();
                    HttpResponse<String> s = cluster.client(node).store("load-" + Thread.currentThread().getName() + "-" + i + ".bin", b);
                    if (s.statusCode() == 200) {
                        long t = System.nanoTime();
                        writeNanos.add(t - t0);
                        byte[] before = acked.put(s.body(), b);
                        if (before != null) {
                            overwritten.put(s.body(), before);
                        }
                        ackedAt.put(s.body(), t);
                    } else {
                        failures.add("write via " + node + ": " + s.statusCode() + " " + s.body());
                    }
                } else {
                    List<String> keys = new ArrayList<>(acked.keySet());
                    String q = keys.get(r.nextInt(keys.size()));
                    // Another thread may overwrite q while this read is in flight: then either version is right.
                    byte[] atStart = acked.get(q);
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> got = cluster.client(node).retrieve(q);
                    if (got.statusCode() != 200 || !(Arrays.equals(atStart, got.body()) || Arrays.equals(acked.get(q), got.body()))) {
                        failures.add("read of " + q + " via " + node + ": " + describe(got, acked.get(q), overwritten.get(q)));
                    } else {
                        readNanos.add(System.nanoTime() - t0);
                    }
                }
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
            } catch (IOException | RuntimeException e) {
                failures.add("via " + node + ": " + e);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A failed read in words: an error's body, or how a 200's bytes differ from the acknowledged write's (never the raw bytes). */
    private static String describe(HttpResponse<byte[]> got, byte[] want, byte[] replaced) {
        if (got.statusCode() != 200) {
            return got.statusCode() + " " + new String(got.body(), java.nio.charset.StandardCharsets.UTF_8);
        }
        if (replaced != null && Arrays.equals(replaced, got.body())) {
            return "200 with the version the last acknowledged write replaced (a stale read)";
        }
        return "200 with " + got.body().length + " bytes that are not the " + want.length + " acknowledged (sha-256 "
                + sha256(got.body()) + ", acknowledged " + sha256(want) + ")";
    }

    private static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b)).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(60_000);
        }
    }

    /** Whether this load's write of {@code query} was acknowledged before {@code nanos}; true for objects it did not write. */
    boolean ackedBefore(String query, long nanos) {
        Long t = ackedAt.get(query);
        return t == null || t < nanos;
    }

    int writes() {
        return writeNanos.size();
    }

    int reads() {
        return readNanos.size();
    }

    int failed() {
        return failures.size();
    }

    /** "writes: N ok, p50 x ms, p99 y ms; reads: ...; F failed" */
    String figures() {
        return String.format("writes %d ok (p50 %.1f ms, p99 %.1f ms), reads %d ok (p50 %.1f ms, p99 %.1f ms), %d failed",
                writes(), percentileMillis(writeNanos, 0.50), percentileMillis(writeNanos, 0.99),
                reads(), percentileMillis(readNanos, 0.50), percentileMillis(readNanos, 0.99), failed());
    }

    private static double percentileMillis(List<Long> nanos, double p) {
        long[] sorted;
        synchronized (nanos) {
            sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))] / 1e6;
    }

    void assertClean(String what) {
        System.out.printf("%s: %d writes and %d reads under load, %d failed%n", what, writes(), reads(), failed());
        assertTrue(failures.isEmpty(), what + ": " + failures.size() + " failed, first: " + failures.subList(0, Math.min(5, failures.size())));
        assertTrue(writes() > 0 && reads() > 0, what + ": the load ran");
    }

    /** The first few failures, for a report. */
    List<String> firstFailures(int most) {
        synchronized (failures) {
            return List.copyOf(failures.subList(0, Math.min(most, failures.size())));
        }
    }
}
