package io.hifadhi.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real node processes form a cluster with {@code --join}: every node's /api/v1/cluster and health
 * list every member; a hung (SIGSTOPped) node is seen unreachable within 3 s and reachable again
 * within 3 s of SIGCONT; nodes with the wrong secret or other cluster settings are refused with
 * their own exit status and never show up anywhere.
 */
@Tag("timing") // asserts latencies: runs in the fork that has the machine to itself (node/pom.xml)
class ClusterMembershipTest {
    private static final String KEY = "cluster-test-shard-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<NodeProcess> nodes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() throws InterruptedException {
        for (NodeProcess n : nodes) {
            if (n.process().isAlive()) {
                n.resume();
            }
            n.close();
        }
    }

    @Test
    void threeNodesSeeEachOtherAndNoticeAHungOne() throws Exception {
        int seedPort = NodeProcess.freePort();
        NodeProcess a = start("alpha", seedPort);
        NodeProcess b = start("bravo", NodeProcess.freePort(), "--join", "127.0.0.1:" + seedPort);
        NodeProcess c = start("charlie", NodeProcess.freePort(), "--join", "127.0.0.1:" + seedPort);

        for (NodeProcess n : List.of(a, b, c)) {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertEquals(Map.of("alpha", true, "bravo", true, "charlie", true), reachability(n)));
            JsonNode health = get(n, "/api/v1/health", false);
            assertEquals(List.of("alpha", "bravo", "charlie"), sorted(health.get("known_instances")));
        }
        JsonNode bravo = member(get(a, "/api/v1/cluster", true), "bravo");
        assertEquals("UP", bravo.get("state").asText());
        assertEquals("127.0.0.1:" + b.port(), bravo.get("http_address").asText());
        // Started with --data-port 0: the port the system picked is what the others are told.
        assertTrue(bravo.get("data_address").asText().matches("127\\.0\\.0\\.1:[1-9][0-9]*"), "data address: " + bravo);
        assertTrue(bravo.get("capacity_bytes").asLong() > 0, "capacity defaults to the disk size: " + bravo);

        // Without the secret, the member list is not for the asking.
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + a.port() + "/api/v1/cluster")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), anonymous.body());

        long stopped = System.nanoTime();
        c.pause();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertFalse(reachability(a).get("charlie"));
            assertFalse(reachability(b).get("charlie"));
        });
        long detectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);

        long resumed = System.nanoTime();
        c.resume();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertTrue(reachability(a).get("charlie"));
            assertTrue(reachability(b).get("charlie"));
        });
        long recoveredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed);
        System.out.printf("SIGSTOP noticed by both peers in %d ms, SIGCONT in %d ms%n", detectedMillis, recoveredMillis);
    }

    @Test
    void nodesWithAnotherSecretOrOtherSettingsAreRefused() throws Exception {
        int seedPort = NodeProcess.freePort();
        NodeProcess a = start("alpha", seedPort);

        Process wrongSecret = launch("mallory", "wrong-shard-key-0123456789abcdef", "--join", "127.0.0.1:" + seedPort);
        Process otherSettings = launch("oscar", KEY, "--join", "127.0.0.1:" + seedPort, "--replication", "2");
        assertTrue(wrongSecret.waitFor(60, TimeUnit.SECONDS), "a node with the wrong secret must give up, not hang");
        assertTrue(otherSettings.waitFor(60, TimeUnit.SECONDS), "a node with other settings must give up, not hang");
        assertEquals(10, wrongSecret.exitValue(), "exit status for a wrong secret; log: " + log("mallory"));
        assertEquals(11, otherSettings.exitValue(), "exit status for other settings; log: " + log("oscar"));
        assertTrue(log("mallory").contains("cluster secret"), log("mallory"));
        assertTrue(log("oscar").contains("replication"), log("oscar"));
        assertEquals(Map.of("alpha", true), reachability(a));
    }

    private NodeProcess start(String name, int clusterPort, String... extra) throws IOException {
        NodeProcess n = NodeProcess.start(dir.resolve(name), KEY, "-Xmx256m", dir.resolve(name + ".log"), name,
                clusterPort, extra);
        nodes.add(n);
        return n;
    }

    /** A node expected to fail at start: only its exit status and log matter. */
    private Process launch(String name, String key, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m"));
        cmd.addAll(NodeProcess.ATOMIX_OPENS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.hifadhi.node.Main",
                "--data-dir", dir.resolve(name).toString(), "--bind", "127.0.0.1",
                "--http-port", Integer.toString(NodeProcess.freePort()),
                "--cluster-port", Integer.toString(NodeProcess.freePort()), "--data-port", "0", "--name", name, "--shard-key", key));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
    }

    private String log(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".log"));
    }

    private Map<String, Boolean> reachability(NodeProcess n) throws IOException, InterruptedException {
        Map<String, Boolean> out = new TreeMap<>();
        for (JsonNode m : get(n, "/api/v1/cluster", true).get("members")) {
            out.put(m.get("id").asText(), m.get("reachable").asBoolean());
        }
        return out;
    }

    private JsonNode get(NodeProcess n, String path, boolean withKey) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.port() + path))
                .timeout(Duration.ofSeconds(2));
        if (withKey) {
            r.header("SHARD-KEY", KEY);
        }
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static JsonNode member(JsonNode cluster, String id) {
        for (JsonNode m : cluster.get("members")) {
            if (m.get("id").asText().equals(id)) {
                return m;
            }
        }
        throw new AssertionError("no member " + id + " in " + cluster);
    }

    private static List<String> sorted(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        out.sort(null);
        return out;
    }
}
