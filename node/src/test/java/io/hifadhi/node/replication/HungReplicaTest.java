package io.hifadhi.node.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replica that hangs (SIGSTOP: the kernel still accepts its connections, nothing answers) must not
 * stall writes for the length of a request timeout: W=2 of the other two suffices; as soon as the failure
 * detector loses it, its copies still under way get stand-ins (hints, delivered after SIGCONT) and stop
 * holding the upload back, while the sends themselves run to their own timeout and would still count.
 * Three node processes, 1 MiB chunks.
 */
@Tag("timing") // asserts latencies: runs in the fork that has the machine to itself (node/pom.xml)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HungReplicaTest {
    private static final String KEY = "hung-replica-test-shard-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void writesGoOnWhileAReplicaIsHungAndItCatchesUpAfterwards() throws Exception {
        int[] ports = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
        List<NodeProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                List<String> extra = new ArrayList<>(List.of("--chunk-size", "1MiB"));
                if (i > 0) {
                    extra.addAll(List.of("--join", "127.0.0.1:" + ports[0]));
                }
                nodes.add(NodeProcess.start(dir.resolve("n" + i), KEY, "-Xmx256m", dir.resolve("n" + i + ".log"),
                        "node-" + (char) ('a' + i), ports[i], extra.toArray(String[]::new)));
            }
            NativeClient a = new NativeClient(nodes.get(0).port(), KEY);
            await().atMost(Duration.ofSeconds(30)).until(() -> a.reachableMembers() == 3);

            nodes.get(2).pause();
            byte[] body = new byte[12 << 20];
            new Random(12).nextBytes(body);
            long t0 = System.nanoTime();
            HttpResponse<String> stored = a.store("during-hang.bin", body);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(200, stored.statusCode(), stored.body());
            System.out.printf("12 MiB written with node-c hung in %.1f s%n", seconds);
            assertTrue(seconds < 12, "a hung replica must not stall the write for the request timeouts: " + seconds + " s");
            assertArrayEquals(body, new NativeClient(nodes.get(1).port(), KEY).retrieve(stored.body()).body());

            nodes.get(2).resume();
            NativeClient c = new NativeClient(nodes.get(2).port(), KEY);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode where = JSON.readTree(c.send(c.get("locate", stored.body()), HttpResponse.BodyHandlers.ofString()).body());
                // Right after SIGCONT node-c may not see its peers yet and answer 404: not yet, rather than a failure.
                assertTrue(where.has("record_holders"), where.toString());
                assertEquals(3, where.get("record_holders").size(), where.toString());
                for (JsonNode chunk : where.get("chunks")) {
                    assertEquals(3, chunk.get("holders").size(), "hints delivered to node-c: " + where);
                }
            });
        } finally {
            for (NodeProcess n : nodes) {
                n.resume();
                n.close();
            }
        }
    }
}
