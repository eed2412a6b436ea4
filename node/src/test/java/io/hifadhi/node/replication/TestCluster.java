package io.hifadhi.node.replication;

import io.hifadhi.api.nativeapi.ClusterMemberStatus;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.config.NodeStartException;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Real nodes in this JVM on distinct ports and data directories; stop and restart them by index. */
final class TestCluster implements AutoCloseable {
    static final String KEY = "replication-test-shard-key-0123456789";
    static final String ACCESS_KEY = "AKIDCLUSTERTEST01";
    static final String SECRET_KEY = "cluster-test-secret-key-0123456789";

    private final Path dir;
    private final int n;
    private final int w;
    private final int r;
    private final int chunkSize;
    private final int[] clusterPorts;
    private final Node[] nodes;
    private long gcGraceMillis = NodeConfig.DEFAULT_GC_GRACE_MILLIS;
    private long multipartExpiryMillis = NodeConfig.DEFAULT_MULTIPART_EXPIRY_MILLIS;
    private Duration deadAfter = NodeConfig.DEFAULT_DEAD_AFTER;
    private io.hifadhi.node.config.LifecycleSettings lifecycle = io.hifadhi.node.config.LifecycleSettings.DEFAULTS;
    private io.hifadhi.node.config.ScrubSettings scrub = io.hifadhi.node.config.ScrubSettings.DEFAULTS;

    TestCluster(Path dir, int size, int n, int w, int r, int chunkSize) throws IOException {
        this.dir = dir;
        this.n = n;
        this.w = w;
        this.r = r;
        this.chunkSize = chunkSize;
        this.clusterPorts = new int[size];
        this.nodes = new Node[size];
        for (int i = 0; i < size; i++) {
            clusterPorts[i] = NodeProcess.freePort();
        }
    }

    /** Sets {@code --gc-grace} for the nodes started from now on. */
    TestCluster gcGrace(Duration grace) {
        this.gcGraceMillis = grace.toMillis();
        return this;
    }

    /** Sets {@code --multipart-expiry} for the nodes started from now on. */
    TestCluster multipartExpiry(Duration age) {
        this.multipartExpiryMillis = age.toMillis();
        return this;
    }

    /** Sets {@code --dead-after} for the nodes started from now on. */
    TestCluster deadAfter(Duration after) {
        this.deadAfter = after;
        return this;
    }

    /** Sets {@code --lifecycle-day} and {@code --lifecycle-interval} for the nodes started from now on. */
    TestCluster lifecycle(Duration day, Duration passInterval) {
        this.lifecycle = new io.hifadhi.node.config.LifecycleSettings(day.toMillis(), passInterval.toMillis());
        return this;
    }

    /** Sets {@code --scrub-interval} and {@code --scrub-rate} for the nodes started from now on. */
    TestCluster scrub(io.hifadhi.node.config.ScrubSettings settings) {
        this.scrub = settings;
        return this;
    }

    static String name(int i) {
        return "node-" + (char) ('a' + i);
    }

    /** Starts every node (the first founds the cluster) and waits until all see all. */
    TestCluster startAll() throws NodeStartException {
        for (int i = 0; i < nodes.length; i++) {
            start(i);
        }
        awaitReachable(allIndexes(), allIndexes());
        awaitLayoutSettled();
        return this;
    }

    /** Waits until every running node sees every owner confirm the newest ring (no layout change under way). */
    void awaitLayoutSettled() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            int running = 0;
            for (Node node : nodes) {
                running += node == null ? 0 : 1;
            }
            for (Node node : nodes) {
                if (node != null) {
                    var t = node.transferStatus();
                    assertEquals(running, t == null ? -1 : t.owners(), "owners as " + node.name() + " sees them");
                    assertEquals(running, t.ownersConfirmed(), "owners confirmed as " + node.name() + " sees them");
                }
            }
        });
    }

    Node start(int i) throws NodeStartException {
        List<String> join = new ArrayList<>();
        for (int j = 0; j < nodes.length; j++) {
            if (j != i && nodes[j] != null) {
                join.add("127.0.0.1:" + clusterPorts[j]);
            }
        }
        NodeConfig config = NodeConfig.builder(dir.resolve(name(i))).name(name(i)).bindAddress("127.0.0.1")
                .httpPort(0).clusterPort(clusterPorts[i]).shardKey(KEY).join(join)
                .replication(n).writeQuorum(w).readQuorum(r).chunkSize(chunkSize)
                .accessKey(ACCESS_KEY).secretKey(SECRET_KEY).gcGraceMillis(gcGraceMillis)
                .multipartExpiryMillis(multipartExpiryMillis).deadAfter(deadAfter).lifecycle(lifecycle).scrub(scrub).build();
        Node node = new Node(config, new PrintStream(new ByteArrayOutputStream()));
        node.start();
        nodes[i] = node;
        return node;
    }

    void stop(int i) {
        Node node = nodes[i];
        nodes[i] = null;
        if (node != null) {
            node.close();
        }
    }

    Node node(int i) {
        return nodes[i];
    }

    NativeClient client(int i) {
        return new NativeClient(nodes[i].httpPort(), KEY);
    }

    int[] allIndexes() {
        int[] all = new int[nodes.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }

    /** Waits until each observer sees exactly the {@code up} nodes as reachable (and the rest as not). */
    void awaitReachable(int[] observers, int[] up) {
        Map<String, Boolean> expected = new TreeMap<>();
        for (int i = 0; i < nodes.length; i++) {
            expected.put(name(i), false);
        }
        for (int i : up) {
            expected.put(name(i), true);
        }
        for (int o : observers) {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                Map<String, Boolean> seen = new TreeMap<>();
                for (int i = 0; i < nodes.length; i++) {
                    seen.put(name(i), false);
                }
                for (ClusterMemberStatus m : nodes[o].clusterMembers()) {
                    seen.put(m.id(), m.reachable());
                }
                assertEquals(expected, seen, "view of " + name(o));
            });
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < nodes.length; i++) {
            stop(i);
        }
    }
}
