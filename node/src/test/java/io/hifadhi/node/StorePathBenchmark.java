package io.hifadhi.node;

import io.hifadhi.api.store.ObjectStore;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.StoredObject;
import io.hifadhi.node.config.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A lone node's store path without HTTP, on one thread: PUT and GET of 4 KiB through {@link Node#store()}, CPU time
 * of the calling thread per operation (every step of a lone node's PUT and GET runs on it) and wall time, medians of
 * the rounds. Not part of the default run:
 * <pre>
 * mvn -B -pl node test -Dtest=StorePathBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Optional: -Dbench.rounds=5 -Dbench.ops=3000 -Dbench.fsync=true
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class StorePathBenchmark {
    @TempDir
    Path dir;

    @Test
    void loneNodePutAndGetOf4KiB() throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 5);
        int ops = Integer.getInteger("bench.ops", 3000);
        boolean fsync = Boolean.parseBoolean(System.getProperty("bench.fsync", "true"));
        byte[] body = new byte[4096];
        new Random(4).nextBytes(body);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Node node = new Node(NodeConfig.builder(dir.resolve("data")).bindAddress("127.0.0.1").httpPort(0).clusterPort(0)
                .name("bench").shardKey("bench-shard-key").fsync(fsync).build(), new PrintStream(new ByteArrayOutputStream()))) {
            node.start();
            ObjectStore store = node.store();
            byte[] sink = new byte[8192];
            for (int i = 0; i < 2000; i++) { // warm-up
                store.put(new ObjectWrite("b", "warm/" + i, null, Map.of()), new ByteArrayInputStream(body));
                read(store, "warm/" + i, sink);
            }
            List<double[]> put = new ArrayList<>();
            List<double[]> get = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long cpu = threads.getCurrentThreadCpuTime();
                long wall = System.nanoTime();
                for (int i = 0; i < ops; i++) {
                    store.put(new ObjectWrite("b", "r" + r + "/" + i, null, Map.of()), new ByteArrayInputStream(body));
                }
                put.add(new double[]{(threads.getCurrentThreadCpuTime() - cpu) / 1e3 / ops, (System.nanoTime() - wall) / 1e3 / ops});
                cpu = threads.getCurrentThreadCpuTime();
                wall = System.nanoTime();
                for (int i = 0; i < ops; i++) {
                    read(store, "r" + r + "/" + i, sink);
                }
                get.add(new double[]{(threads.getCurrentThreadCpuTime() - cpu) / 1e3 / ops, (System.nanoTime() - wall) / 1e3 / ops});
            }
            System.out.printf("%nSTORE PATH, lone node, fsync %s, %d rounds of %d (load average %s)%n", fsync, rounds, ops,
                    java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
            System.out.printf("PUT 4KiB: CPU %.1f us/op, wall %.1f us/op%n", median(put, 0), median(put, 1));
            System.out.printf("GET 4KiB: CPU %.1f us/op, wall %.1f us/op%n", median(get, 0), median(get, 1));
        }
    }

    private static void read(ObjectStore store, String key, byte[] sink) throws Exception {
        StoredObject o = store.get("b", key).orElseThrow();
        try (InputStream in = o.open(0, o.info().size())) {
            while (in.read(sink) >= 0) {
                // drain
            }
        }
    }

    private static double median(List<double[]> rows, int column) {
        double[] v = rows.stream().mapToDouble(r -> r[column]).toArray();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
