package io.hifadhi.node.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.api.nativeapi.ClusterMemberStatus;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.config.NodeStartException;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/** Real nodes in this JVM (real sockets, disks, RocksDB, Atomix), N=3, W=2, R=2, with the cache settings given. */
final class HotCluster implements AutoCloseable {
    static final String KEY = "hot-objects-test-shard-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Node[] nodes;

    HotCluster(Path dir, int size, int chunkSize, CacheSettings cache) throws IOException, NodeStartException {
        nodes = new Node[size];
        int[] ports = new int[size];
        for (int i = 0; i < size; i++) {
            ports[i] = NodeProcess.freePort();
        }
        try {
            for (int i = 0; i < size; i++) {
                List<String> join = new ArrayList<>();
                for (int j = 0; j < i; j++) {
                    join.add("127.0.0.1:" + ports[j]);
                }
                NodeConfig config = NodeConfig.builder(dir.resolve(name(i))).name(name(i)).bindAddress("127.0.0.1")
                        .httpPort(0).clusterPort(ports[i]).shardKey(KEY).join(join).replication(3).writeQuorum(2)
                        .readQuorum(2).chunkSize(chunkSize).cache(cache).build();
                nodes[i] = new Node(config, new PrintStream(new ByteArrayOutputStream()));
                nodes[i].start();
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (Node n : nodes) {
                    if (n.clusterMembers().stream().filter(ClusterMemberStatus::reachable).count() != size) {
                        return false;
                    }
                }
                return true;
            });
        } catch (NodeStartException | RuntimeException e) {
            close();
            throw e;
        }
    }

    static String name(int i) {
        return "node-" + (char) ('a' + i);
    }

    int size() {
        return nodes.length;
    }

    Node node(int i) {
        return nodes[i];
    }

    NativeClient client(int i) {
        return new NativeClient(nodes[i].httpPort(), KEY);
    }

    int index(String name) {
        return name.charAt(name.length() - 1) - 'a';
    }

    /** A gauge or counter from /metrics (0 when absent). */
    long metric(int i, String name) throws IOException, InterruptedException {
        NativeClient c = client(i);
        HttpResponse<String> r = c.http().send(HttpRequest.newBuilder(URI.create(c.base() + "/metrics"))
                .header("SHARD-KEY", KEY).build(), HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return 0;
    }

    long[] metricOfAll(String name) throws IOException, InterruptedException {
        long[] out = new long[nodes.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = metric(i, name);
        }
        return out;
    }

    /** /api/v1/locate of a native file: record replicas and, per chunk, the nodes holding it as a replica. */
    JsonNode locate(String query) throws IOException, InterruptedException {
        NativeClient c = client(0);
        return JSON.readTree(c.send(c.get("locate", query), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Whether node i holds the chunk in its cache directory (not as a replica). */
    boolean cached(int i, String chunkId) {
        return Files.exists(nodes[i].dataDir().resolve("cache").resolve(chunkId.substring(0, 2)).resolve(chunkId));
    }

    @Override
    public void close() {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null) {
                nodes[i].close();
                nodes[i] = null;
            }
        }
    }
}
