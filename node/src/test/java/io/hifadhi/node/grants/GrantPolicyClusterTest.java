package io.hifadhi.node.grants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.api.nativeapi.ClusterMemberStatus;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;
import io.hifadhi.node.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Native IP grants are bucket-policy statements: on five real nodes, a grant to 127.0.0.2 opens a native file and an
 * S3 object to clients on 127.0.0.2 and not on 127.0.0.3 on every node; the grant answers with the statement it is
 * evaluated as, and that statement put as the bucket's policy (aws:SourceIp and a DateLessThan expiry included) is
 * enforced the same way once the grant is revoked; a bucket policy's Deny overrides a grant, since one engine decides,
 * for unsigned requests and presigned URLs alike.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class GrantPolicyClusterTest {
    static final String KEY = "grant-policy-cluster-shard-key-0123";
    static final String ACCESS = "AKIDGRANTPOLICY01";
    static final String SECRET = "grant-policy-secret-key-0123456789";
    static final String ALLOWED = "127.0.0.2";
    static final String DENIED = "127.0.0.3";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    final Node[] nodes = new Node[5];

    @AfterEach
    void stopAll() {
        for (Node n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }

    void startAll() throws Exception {
        int seed = NodeProcess.freePort();
        for (int i = 0; i < nodes.length; i++) {
            int clusterPort = i == 0 ? seed : NodeProcess.freePort();
            nodes[i] = new Node(NodeConfig.builder(tmp.resolve("n" + i)).name("node-" + (char) ('a' + i))
                    .bindAddress("127.0.0.1").httpPort(0).clusterPort(clusterPort).shardKey(KEY)
                    .join(i == 0 ? List.of() : List.of("127.0.0.1:" + seed))
                    .replication(3).writeQuorum(2).readQuorum(2).accessKey(ACCESS).secretKey(SECRET).build(),
                    new PrintStream(new ByteArrayOutputStream()));
            nodes[i].start();
        }
        for (Node n : nodes) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    n.clusterMembers().stream().filter(ClusterMemberStatus::reachable).count() == nodes.length);
        }
    }

    int port(int i) {
        return nodes[i].httpPort();
    }

    static JsonNode admin(int port, String method, String path, String json) throws Exception {
        RawHttp.Response r = RawHttp.send("127.0.0.1", port, method, path, Map.of("SHARD-KEY", KEY, "Content-Type",
                "application/json"), json == null ? null : json.getBytes(StandardCharsets.UTF_8));
        assertEquals(2, r.status() / 100, method + " " + path + ": " + r.text());
        return JSON.readTree(r.body());
    }

    static S3Client s3(int port) {
        return S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET))).build();
    }

    static RawHttp.Response get(String from, int port, String path) throws Exception {
        return RawHttp.send(from, port, "GET", path, Map.of(), null);
    }

    @Test
    void aNativeGrantIsAPolicyStatementEnforcedOnEveryNode() throws Exception {
        startAll();
        byte[] clip = "granted clip".getBytes(StandardCharsets.UTF_8);
        assertEquals("node-a@clip.bin", new NativeClient(port(0), KEY).store("clip.bin", clip).body());
        try (S3Client s3 = s3(port(1))) {
            s3.createBucket(b -> b.bucket("shared"));
            s3.putObject(b -> b.bucket("shared").key("report.pdf"), RequestBody.fromString("quarterly"));
        }

        // The grant answers with the statement it is: Allow s3:GetObject to "*" from its network until its expiry.
        JsonNode nativeGrant = admin(port(2), "POST", "/api/v1/grant",
                "{\"query\":\"node-a@clip.bin\",\"ip\":\"127.0.0.2\",\"expires_in\":3600}");
        JsonNode statement = nativeGrant.get("statement");
        assertEquals("Allow", statement.path("Effect").asText(), nativeGrant.toString());
        assertEquals("*", statement.path("Principal").asText());
        assertEquals("[\"s3:GetObject\"]", statement.path("Action").toString());
        assertEquals("[\"arn:aws:s3:::.native/node-a@clip.bin\"]", statement.path("Resource").toString());
        assertEquals("[\"127.0.0.2/32\"]", statement.path("Condition").path("IpAddress").path("aws:SourceIp").toString());
        assertEquals("[\"" + nativeGrant.get("expires_at").asText() + "\"]",
                statement.path("Condition").path("DateLessThan").path("aws:CurrentTime").toString());
        JsonNode s3Grant = admin(port(3), "POST", "/api/v1/grant",
                "{\"bucket\":\"shared\",\"key\":\"report.pdf\",\"ip\":\"127.0.0.2\",\"expires_in\":3600}");
        assertEquals("[\"arn:aws:s3:::shared/report.pdf\"]", s3Grant.path("statement").path("Resource").toString());

        for (int i = 0; i < nodes.length; i++) {
            RawHttp.Response allowed = get(ALLOWED, port(i), "/api/v1/retrieve/node-a%40clip.bin");
            assertEquals(200, allowed.status(), "node " + i + ": " + allowed.text());
            assertEquals("granted clip", allowed.text());
            RawHttp.Response refused = get(DENIED, port(i), "/api/v1/retrieve/node-a%40clip.bin");
            assertEquals(403, refused.status(), "node " + i + ": " + refused.text());
            assertEquals("grant_ip_refused", JSON.readTree(refused.body()).path("error").asText());
            assertEquals("quarterly", get(ALLOWED, port(i), "/shared/report.pdf").text(), "node " + i);
            RawHttp.Response s3Refused = get(DENIED, port(i), "/shared/report.pdf");
            assertEquals(403, s3Refused.status(), "node " + i);
            assertTrue(s3Refused.text().contains("<Code>AccessDenied</Code>"), s3Refused.text());
            // the listing of any node shows the statement too
            JsonNode listed = admin(port(i), "GET", "/api/v1/grants/shared/report.pdf", null);
            assertEquals(s3Grant.get("statement"), listed.path("grants").path(0).path("statement"), listed.toString());
        }

        // One engine: a Deny of the bucket policy overrides the grant's Allow, on every node.
        admin(port(0), "DELETE", "/api/v1/grant", "{\"bucket\":\"shared\",\"key\":\"report.pdf\",\"ip\":\"127.0.0.2\"}");
        String grantAsPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[" + s3Grant.get("statement") + "]}";
        String deny = "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::shared/report.pdf\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"127.0.0.2\"}}}";
        try (S3Client s3 = s3(port(4))) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (int i = 0; i < nodes.length; i++) {
                    assertEquals(403, get(ALLOWED, port(i), "/shared/report.pdf").status(), "revoked, node " + i);
                }
            });
            // The grant's statement written as the bucket's policy is enforced the same: 127.0.0.2 yes, 127.0.0.3 no.
            s3.putBucketPolicy(b -> b.bucket("shared").policy(grantAsPolicy));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (int i = 0; i < nodes.length; i++) {
                    assertEquals("quarterly", get(ALLOWED, port(i), "/shared/report.pdf").text(), "policy, node " + i);
                    assertEquals(403, get(DENIED, port(i), "/shared/report.pdf").status(), "policy, node " + i);
                }
            });
            s3.deleteBucketPolicy(b -> b.bucket("shared"));
            admin(port(0), "POST", "/api/v1/grant", "{\"bucket\":\"shared\",\"prefix\":\"rep\",\"ip\":\"127.0.0.0/29\"}");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (int i = 0; i < nodes.length; i++) {
                    assertEquals(200, get(DENIED, port(i), "/shared/report.pdf").status(), "prefix grant, node " + i);
                }
            });
            s3.putBucketPolicy(b -> b.bucket("shared").policy("{\"Version\":\"2012-10-17\",\"Statement\":[" + deny + "]}"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (int i = 0; i < nodes.length; i++) {
                    RawHttp.Response denied = get(ALLOWED, port(i), "/shared/report.pdf");
                    assertEquals(403, denied.status(), "the Deny wins over the grant, node " + i);
                    assertEquals(200, get(DENIED, port(i), "/shared/report.pdf").status(), "node " + i);
                }
            });
        }

        // A presigned S3 URL is decided by the same statements: signed by a key with no permission of its own, it is
        // served where the prefix grant allows (127.0.0.3), refused where the policy denies (127.0.0.2) and where
        // nothing allows (127.0.0.9, outside the grant's 127.0.0.0/29).
        JsonNode key = admin(port(0), "POST", "/api/v1/keys", "{\"name\":\"no-permissions\",\"buckets\":{}}");
        try (S3Presigner presigner = S3Presigner.builder().endpointOverride(URI.create("http://127.0.0.1:" + port(2)))
                .region(Region.US_EAST_1).serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        key.get("access_key").asText(), key.get("secret_key").asText()))).build()) {
            URI url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(10))
                    .getObjectRequest(g -> g.bucket("shared").key("report.pdf"))).url().toURI();
            String target = url.getRawPath() + "?" + url.getRawQuery();
            assertEquals("quarterly", RawHttp.send(DENIED, port(2), "GET", target, Map.of(), null).text());
            assertEquals(403, RawHttp.send(ALLOWED, port(2), "GET", target, Map.of(), null).status());
            assertEquals(403, RawHttp.send("127.0.0.9", port(2), "GET", target, Map.of(), null).status());
        }
    }
}
