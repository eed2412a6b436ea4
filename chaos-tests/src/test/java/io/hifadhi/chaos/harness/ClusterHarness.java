package io.hifadhi.chaos.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * N node processes (on 127.0.0.1, or each in its own network namespace) with their own data directories and free ports, under
 * {@code <drillDir>/node-<i>-data} and logs in {@code <drillDir>/node-<i>.log}. Fresh random
 * credentials per cluster. A JVM shutdown hook kills the nodes if a test run is aborted, so no
 * node outlives the build.
 */
public final class ClusterHarness implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path drillDir;
    private final List<NodeProcess> nodes;
    private final String shardKey;
    private final String accessKey;
    private final String secretKey;
    private final Thread reaper;

    private ClusterHarness(Path drillDir, List<NodeProcess> nodes, String shardKey, String accessKey, String secretKey) {
        this.drillDir = drillDir;
        this.nodes = List.copyOf(nodes);
        this.shardKey = shardKey;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.reaper = new Thread(() -> this.nodes.forEach(NodeProcess::kill), "chaos-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Lays out {@code count} nodes under a cleaned {@code drillDir}; nothing is started yet. */
    public static ClusterHarness create(Path jar, Path drillDir, int count, NodeSpec spec) {
        return create(jar, drillDir, count, spec, HostNetwork.LOOPBACK);
    }

    /** As above, with each node at {@code network}'s address for it (e.g. in its own network namespace). */
    public static ClusterHarness create(Path jar, Path drillDir, int count, NodeSpec spec, HostNetwork network) {
        deleteRecursively(drillDir);
        try {
            Files.createDirectories(drillDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SecureRandom random = new SecureRandom();
        String shardKey = "sk-" + hex(random, 16);
        String accessKey = "AK" + hex(random, 8).toUpperCase();
        String secretKey = hex(random, 20);
        Map<String, String> env = Map.of("SHARD_KEY", shardKey, "HIFADHI_ACCESS_KEY", accessKey, "HIFADHI_SECRET_KEY", secretKey);
        FreePorts ports = new FreePorts();
        List<NodeProcess> nodes = new ArrayList<>();
        int seedClusterPort = -1;
        for (int i = 0; i < count; i++) {
            int http = ports.next();
            int cluster = ports.next();
            if (i == 0) {
                seedClusterPort = cluster;
            }
            List<String> args = new ArrayList<>(List.of("--replication", Integer.toString(spec.replication()),
                    "--write-quorum", Integer.toString(spec.writeQuorum()), "--read-quorum", Integer.toString(spec.readQuorum())));
            if (spec.join() && i > 0) {
                args.addAll(List.of("--join", network.host(0) + ":" + seedClusterPort));
            }
            args.addAll(spec.extraArgs());
            nodes.add(new NodeProcess(i, "node-" + i, jar, drillDir.resolve("node-" + i + "-data"),
                    drillDir.resolve("node-" + i + ".log"), network.host(i), network.launchPrefix(i), http, cluster, args,
                    spec.jvmArgs(), env));
        }
        return new ClusterHarness(drillDir, nodes, shardKey, accessKey, secretKey);
    }

    /** Starts every node, then waits until each answers health. */
    public void startAll() {
        nodes.forEach(NodeProcess::start);
        nodes.forEach(n -> n.awaitHealthy(START_TIMEOUT));
    }

    public NodeProcess node(int i) {
        return nodes.get(i);
    }

    public List<NodeProcess> nodes() {
        return nodes;
    }

    public Path drillDir() {
        return drillDir;
    }

    public String shardKey() {
        return shardKey;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    @Override
    public void close() {
        for (NodeProcess n : nodes) {
            try {
                n.stop();
            } catch (RuntimeException e) {
                n.kill();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or ran.
        }
    }

    private static String hex(SecureRandom random, int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir, e);
        }
    }
}
