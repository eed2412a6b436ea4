package io.hifadhi.node.layout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;
import io.hifadhi.ring.Member;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Node processes that change the cluster's shape, for the shape drill and benchmark: node {@code i} is named
 * node-a, node-b, ... in {@code dir/n<i>}, joins the lowest-numbered node running, and is asked about the layout and
 * the move through {@code /api/v1/cluster}. Closing it stops every node it started.
 */
final class ShapeCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final String key;
    private final String heap;
    private final List<String> common;
    private final NodeProcess[] nodes;
    private final int[] ports;
    /** One client (one connection pool) per node process, as a real application keeps. */
    private final Map<Integer, NativeClient> clients = new ConcurrentHashMap<>();

    /** @param common arguments every node gets (chunk size, capacity); each start may add its own */
    ShapeCluster(Path dir, String key, String heap, int most, String... common) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.key = key;
        this.heap = heap;
        this.common = List.of(common);
        this.nodes = new NodeProcess[most];
        this.ports = new int[most];
    }

    static String name(int i) {
        return "node-" + (char) ('a' + i);
    }

    void start(int i, String... extra) throws Exception {
        if (ports[i] == 0) {
            ports[i] = NodeProcess.freePort();
        }
        List<String> args = new ArrayList<>(common);
        for (int j = 0; j < nodes.length; j++) {
            if (j != i && nodes[j] != null) {
                args.addAll(List.of("--join", "127.0.0.1:" + ports[j]));
                break;
            }
        }
        args.addAll(List.of(extra));
        // The layout and leave path logs at INFO: a leave that hangs shows in the log where it stopped.
        nodes[i] = NodeProcess.start(dir.resolve("n" + i), key, List.of(heap, "-Dhifadhi.log.leave=INFO"),
                dir.resolve("n" + i + ".log"), name(i), ports[i], args.toArray(String[]::new));
    }

    /** Starts nodes {@code from} (inclusive) to {@code to} (exclusive) at once, each joining a node already running. */
    void startTogether(int from, int to, String... extra) throws Exception {
        ExecutorService starters = Executors.newFixedThreadPool(to - from);
        try {
            List<Future<?>> started = new ArrayList<>();
            for (int i = from; i < to; i++) {
                int index = i;
                started.add(starters.submit(() -> {
                    start(index, extra);
                    return null;
                }));
            }
            for (Future<?> f : started) {
                f.get();
            }
        } finally {
            starters.shutdownNow();
        }
    }

    NodeProcess node(int i) {
        return nodes[i];
    }

    /** Forgets node {@code i} (it exited or was killed): the settle checks skip it. */
    void forget(int i) {
        nodes[i] = null;
    }

    void kill9(int i) throws InterruptedException {
        nodes[i].kill9();
        nodes[i] = null;
    }

    /** SIGTERM, and wait for the exit. */
    void stop(int i) throws InterruptedException {
        nodes[i].close();
    }

    @Override
    public void close() throws InterruptedException {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null) {
                nodes[i].close();
                nodes[i] = null;
            }
        }
    }

    NativeClient client(int i) {
        return clients.computeIfAbsent(nodes[i].port(), port -> new NativeClient(port, key));
    }

    JsonNode cluster(int i) throws IOException, InterruptedException {
        NativeClient c = client(i);
        HttpResponse<String> r = c.http().send(HttpRequest.newBuilder(URI.create(c.base() + "/api/v1/cluster")).header("SHARD-KEY", key)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    HttpResponse<String> post(int i, String path) throws IOException, InterruptedException {
        NativeClient c = client(i);
        return c.http().send(HttpRequest.newBuilder(URI.create(c.base() + path)).header("SHARD-KEY", key)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    String role(int asked, String id) throws Exception {
        for (JsonNode m : cluster(asked).get("layout")) {
            if (m.get("id").asText().equals(id)) {
                return m.get("role").asText();
            }
        }
        return "ABSENT";
    }

    /** The ring owners (role MEMBER) node {@code asked} knows, with the capacities they joined with. */
    List<Member> owners(int asked) throws Exception {
        List<Member> owners = new ArrayList<>();
        for (JsonNode m : cluster(asked).get("layout")) {
            if (m.get("role").asText().equals("MEMBER")) {
                owners.add(new Member(m.get("id").asText(), m.get("zone").asText(), m.get("capacity").asLong()));
            }
        }
        return owners;
    }

    void awaitLayout(int asked, int owners, int confirmed) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode c = cluster(asked);
            long members = 0;
            long ok = 0;
            for (JsonNode m : c.get("layout")) {
                members += m.get("role").asText().equals("MEMBER") ? 1 : 0;
                ok += m.get("role").asText().equals("MEMBER") && m.get("confirmed_newest_ring").asBoolean() ? 1 : 0;
            }
            assertEquals(owners, members, c.toString());
            assertTrue(ok >= confirmed, c.toString());
        });
    }

    /** Waits until every owner confirmed the newest ring and no running node has anything left to move. */
    void awaitSettled(int asked, int owners, Duration atMost) {
        awaitSettled(asked, owners, atMost, Duration.ofSeconds(1));
    }

    void awaitSettled(int asked, int owners, Duration atMost, Duration poll) {
        awaitLayout(asked, owners, 0);
        await().atMost(atMost).pollInterval(poll).untilAsserted(() -> {
            for (int i = 0; i < nodes.length; i++) {
                if (nodes[i] == null || !nodes[i].process().isAlive()) {
                    continue;
                }
                JsonNode r = cluster(i).get("rebalance");
                assertFalse(r.get("in_progress").asBoolean(), "node " + i + ": " + r);
                assertEquals(0, r.get("entries_to_hand_over").asLong(), "node " + i + ": " + r);
                assertEquals(0, r.get("chunks_to_receive").asLong(), "node " + i + ": " + r);
            }
            assertEquals(owners, cluster(asked).get("rebalance").get("owners_confirmed").asInt());
        });
    }

    /**
     * Prints (to stdout, which surefire's report keeps) what explains a node that does not exit after its leave: every
     * running node's {@code /api/v1/cluster} (layout roles and confirmations, the move, what each still holds and its
     * pending hints) and the last {@code lines} lines of the leaver's log.
     */
    void printLeaveDiagnostics(int leaver, int lines) {
        System.out.println("==== node " + leaver + " (" + name(leaver) + ") did not exit after its leave; cluster status:");
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] == null || !nodes[i].process().isAlive()) {
                continue;
            }
            String status;
            try {
                status = cluster(i).toPrettyString();
            } catch (Exception | AssertionError e) {
                status = "no status: " + e;
            }
            System.out.println("---- node " + i + " (" + name(i) + ")" + (i == leaver ? ", the leaver" : "") + ": " + status);
        }
        System.out.println("---- last " + lines + " lines of " + nodes[leaver].log() + ":");
        try {
            List<String> log = Files.readAllLines(nodes[leaver].log());
            // The first start's banner shows generated credentials: they stay out of the report.
            log.subList(Math.max(0, log.size() - lines), log.size()).stream()
                    .filter(line -> !line.toLowerCase(java.util.Locale.ROOT).matches(".*(secret|shard-key).*"))
                    .forEach(System.out::println);
        } catch (IOException e) {
            System.out.println("log unreadable: " + e);
        }
        System.out.println("==== end of node " + leaver + "'s leave diagnostics");
    }

    /** Chunk bytes nodes {@code which} fetched as new owners plus those they pushed when handing over, since they started. */
    long moved(int[] which) throws Exception {
        long sum = 0;
        for (int i : which) {
            sum += moved(i);
        }
        return sum;
    }

    long moved(int i) throws Exception {
        JsonNode r = cluster(i).get("rebalance");
        return r.get("bytes_received").asLong() + r.get("bytes_handed_over").asLong();
    }

    /** Bytes of the replica chunk files in node {@code i}'s data directory. */
    long chunkBytes(int i) throws IOException {
        Path chunks = dir.resolve("n" + i).resolve("chunks");
        if (!Files.exists(chunks)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(chunks)) {
            return files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().length() == 64)
                    .mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
