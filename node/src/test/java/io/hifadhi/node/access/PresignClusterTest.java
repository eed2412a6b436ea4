package io.hifadhi.node.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.hifadhi.api.nativeapi.ClusterMemberStatus;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;
import io.hifadhi.node.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Three real nodes in one cluster (one JVM): a link minted on one node works on every node. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PresignClusterTest {
    static final String KEY = "presign-cluster-shard-key-0123456789";

    @TempDir
    Path tmp;

    @Test
    void aLinkMintedOnOneNodeWorksOnEveryNode() throws Exception {
        List<Node> nodes = new ArrayList<>();
        try {
            int[] clusterPorts = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
            for (int i = 0; i < 3; i++) {
                List<String> join = new ArrayList<>();
                for (int j = 0; j < i; j++) {
                    join.add("127.0.0.1:" + clusterPorts[j]);
                }
                Node node = new Node(NodeConfig.builder(tmp.resolve("n" + i)).name("node-" + (char) ('a' + i))
                        .bindAddress("127.0.0.1").httpPort(0).clusterPort(clusterPorts[i]).shardKey(KEY).join(join)
                        .replication(3).writeQuorum(2).readQuorum(2).chunkSize(64 << 10).build(),
                        new PrintStream(new ByteArrayOutputStream()));
                node.start();
                nodes.add(node);
            }
            for (Node n : nodes) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                        n.clusterMembers().stream().filter(ClusterMemberStatus::reachable).count() == 3);
            }
            int a = nodes.get(0).httpPort();
            int b = nodes.get(1).httpPort();
            int c = nodes.get(2).httpPort();
            byte[] data = new byte[200_000];
            new Random(3).nextBytes(data);
            assertEquals("node-a@clip.bin", new NativeClient(a, KEY).store("clip.bin", data).body());

            // GET link minted on A, used on every node (the object is replicated; the secret is shared).
            String get = Links.target(Links.presign(a, KEY, "{\"query\":\"node-a@clip.bin\",\"expires_in\":600}").get("url").asText());
            for (int port : new int[]{a, b, c}) {
                RawHttp.Response whole = RawHttp.send(port, "GET", get, Map.of(), null);
                assertEquals(200, whole.status(), "port " + port + ": " + whole.text());
                assertArrayEquals(data, whole.body());
                RawHttp.Response range = RawHttp.send(port, "GET", get, Map.of("Range", "bytes=70000-70099"), null);
                assertEquals(206, range.status());
                assertArrayEquals(Arrays.copyOfRange(data, 70_000, 70_100), range.body());
            }

            // PUT link minted on A, used on C: the object is exactly A's query, readable through B.
            JsonNode put = Links.presign(a, KEY, "{\"filename\":\"from-c.txt\",\"method\":\"PUT\",\"expires_in\":600}");
            byte[] text = "uploaded via node C".getBytes(StandardCharsets.UTF_8);
            RawHttp.Response stored = RawHttp.send(c, "PUT", Links.target(put.get("url").asText()), Map.of(), text);
            assertEquals(200, stored.status(), stored.text());
            assertEquals("node-a@from-c.txt", stored.text());
            assertArrayEquals(text, new NativeClient(b, KEY).retrieve("node-a@from-c.txt").body());
        } finally {
            for (Node n : nodes) {
                n.close();
            }
        }
    }
}
