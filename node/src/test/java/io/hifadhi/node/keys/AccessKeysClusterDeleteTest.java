package io.hifadhi.node.keys;

import com.fasterxml.jackson.databind.JsonNode;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.hifadhi.node.keys.KeyAdmin.call;
import static io.hifadhi.node.keys.KeyAdmin.fails;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two in-process nodes: a key made through one node's admin API works, with its permissions, on the
 * other; deleted through the other, it fails with InvalidAccessKeyId on both.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AccessKeysClusterDeleteTest {
    private static final String KEY = "keys-cluster-delete-test-shard-key";

    @TempDir
    Path dir;
    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(Node::close);
    }

    private Node start(String name, int clusterPort, List<String> join) throws Exception {
        Node n = new Node(NodeConfig.builder(dir.resolve(name)).name(name).bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(clusterPort).shardKey(KEY).join(join).chunkSize(64 * 1024).build(),
                new PrintStream(new ByteArrayOutputStream()));
        n.start();
        nodes.add(n);
        return n;
    }

    @Test
    void aKeyDeletedOnOneNodeStopsWorkingOnEveryNode() throws Exception {
        int seedPort = NodeProcess.freePort();
        Node a = start("a", seedPort, List.of());
        Node b = start("b", NodeProcess.freePort(), List.of("127.0.0.1:" + seedPort));
        await().atMost(Duration.ofSeconds(20)).until(() -> a.clusterMembers().stream().filter(m -> m.reachable()).count() == 2
                && b.clusterMembers().stream().filter(m -> m.reachable()).count() == 2);
        try (S3Client rootA = KeyAdmin.s3(a.httpPort(), a.credentials().accessKey(), a.credentials().secretKey())) {
            rootA.createBucket(r -> r.bucket("shared"));
            rootA.createBucket(r -> r.bucket("elsewhere"));
        }

        KeyAdmin.Reply created = call(a.httpPort(), KEY, "POST", "/api/v1/keys", "{\"name\": \"ci\", \"buckets\": {\"shared\": \"readwrite\"}}");
        assertEquals(201, created.status(), created.body());
        JsonNode made = created.json();
        String id = made.get("access_key").asText();
        String secret = made.get("secret_key").asText();

        try (S3Client viaA = KeyAdmin.s3(a.httpPort(), id, secret); S3Client viaB = KeyAdmin.s3(b.httpPort(), id, secret)) {
            // The table write reached b before the create answered (write quorum 2 of 2).
            viaB.putObject(r -> r.bucket("shared").key("from-b"), RequestBody.fromString("b"));
            assertEquals("b", viaA.getObjectAsBytes(r -> r.bucket("shared").key("from-b")).asUtf8String());
            fails("AccessDenied", 403, () -> viaB.putObject(r -> r.bucket("elsewhere").key("x"), RequestBody.fromString("x")));
            fails("AccessDenied", 403, () -> viaB.createBucket(r -> r.bucket("not-allowed")));
            // b's admin API sees the key a made
            assertEquals(200, call(b.httpPort(), KEY, "GET", "/api/v1/keys/" + id, null).status());

            assertEquals(204, call(b.httpPort(), KEY, "DELETE", "/api/v1/keys/" + id, null).status());
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                fails("InvalidAccessKeyId", 403, () -> viaA.getObjectAsBytes(r -> r.bucket("shared").key("from-b")));
                fails("InvalidAccessKeyId", 403, () -> viaB.getObjectAsBytes(r -> r.bucket("shared").key("from-b")));
            });
            fails("InvalidAccessKeyId", 403, () -> viaA.putObject(r -> r.bucket("shared").key("late"), RequestBody.fromString("x")));
            fails("InvalidAccessKeyId", 403, () -> viaB.putObject(r -> r.bucket("shared").key("late"), RequestBody.fromString("x")));
        }
        assertEquals(404, call(a.httpPort(), KEY, "GET", "/api/v1/keys/" + id, null).status());
        // Every node's bootstrap key is a root key everywhere, and cannot be deleted through any node.
        await().atMost(Duration.ofSeconds(20)).until(() ->
                call(a.httpPort(), KEY, "GET", "/api/v1/keys/" + b.credentials().accessKey(), null).status() == 200);
        assertEquals(409, call(a.httpPort(), KEY, "DELETE", "/api/v1/keys/" + b.credentials().accessKey(), null).status());
        try (S3Client rootB = KeyAdmin.s3(a.httpPort(), b.credentials().accessKey(), b.credentials().secretKey())) {
            assertEquals("b", rootB.getObjectAsBytes(r -> r.bucket("shared").key("from-b")).asUtf8String());
        }
    }
}
