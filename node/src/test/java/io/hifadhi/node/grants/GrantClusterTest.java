package io.hifadhi.node.grants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.api.nativeapi.ClusterMemberStatus;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.config.NodeStartException;
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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IP grants on three real nodes in this JVM (real sockets, RocksDB, Atomix): the two clients are
 * 127.0.0.1 and 127.0.0.2 (sockets bound to each); 127.0.0.3 plays a trusted proxy.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class GrantClusterTest {
    static final String KEY = "grant-cluster-shard-key-0123456789";
    static final String ACCESS = "AKIDGRANTTEST0001";
    static final String SECRET = "grant-test-secret-key-0123456789";
    static final String GRANTED = "127.0.0.2";
    static final String OTHER = "127.0.0.1";
    static final String PROXY = "127.0.0.3";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    final Node[] nodes = new Node[3];
    int[] clusterPorts;

    @AfterEach
    void stopAll() {
        for (int i = 0; i < nodes.length; i++) {
            stop(i);
        }
    }

    void start(int i) throws NodeStartException {
        List<String> join = new ArrayList<>();
        for (int j = 0; j < nodes.length; j++) {
            if (j != i && nodes[j] != null) {
                join.add("127.0.0.1:" + clusterPorts[j]);
            }
        }
        nodes[i] = new Node(NodeConfig.builder(tmp.resolve("n" + i)).name("node-" + (char) ('a' + i))
                .bindAddress("127.0.0.1").httpPort(0).clusterPort(clusterPorts[i]).shardKey(KEY).join(join)
                .replication(3).writeQuorum(2).readQuorum(2).chunkSize(64 << 10)
                .accessKey(ACCESS).secretKey(SECRET).trustedProxies(List.of(PROXY)).build(),
                new PrintStream(new ByteArrayOutputStream()));
        nodes[i].start();
    }

    void stop(int i) {
        if (nodes[i] != null) {
            nodes[i].close();
            nodes[i] = null;
        }
    }

    void startAll() throws NodeStartException {
        for (int i = 0; i < 3; i++) {
            start(i);
        }
        for (Node n : nodes) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                    n.clusterMembers().stream().filter(ClusterMemberStatus::reachable).count() == 3);
        }
    }

    int port(int i) {
        return nodes[i].httpPort();
    }

    static RawHttp.Response admin(int port, String method, String path, String json) throws Exception {
        return RawHttp.send(OTHER, port, method, path, Map.of("SHARD-KEY", KEY, "Content-Type", "application/json"),
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    static RawHttp.Response read(String from, int port, String endpoint, String query, Map<String, String> headers) throws Exception {
        return RawHttp.send(from, port, "GET", "/api/v1/" + endpoint + "/" + NativeClient.encode(query), headers, null);
    }

    /** Enough of a response to explain a failed assertion (bodies may be binary). */
    static String brief(RawHttp.Response r) {
        String t = r.text().replaceAll("[^\\x20-\\x7e]", "?");
        return r.status() + " " + (t.length() > 200 ? t.substring(0, 200) + "..." : t);
    }

    static String error(RawHttp.Response r) throws Exception {
        return JSON.readTree(r.body()).path("error").asText();
    }

    @Test
    void grantsOpenObjectsToOneAddressOnEveryNodeAndSurviveRestarts() throws Exception {
        clusterPorts = new int[]{NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
        startAll();
        byte[] clip = new byte[200_000];
        new Random(7).nextBytes(clip);
        assertEquals("node-a@clip.bin", new NativeClient(port(0), KEY).store("clip.bin", clip).body());

        // Not granted yet: no key, no link, no grant -> 401, from either address.
        assertEquals(401, read(GRANTED, port(1), "retrieve", "node-a@clip.bin", Map.of()).status());

        // Granting needs the cluster secret.
        RawHttp.Response anonymous = RawHttp.send(GRANTED, port(1), "POST", "/api/v1/grant", Map.of(),
                "{\"query\":\"node-a@clip.bin\",\"ip\":\"127.0.0.2\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(401, anonymous.status(), anonymous.text());
        RawHttp.Response granted = admin(port(1), "POST", "/api/v1/grant", "{\"query\":\"node-a@clip.bin\",\"ip\":\"127.0.0.2\"}");
        assertEquals(200, granted.status(), granted.text());
        assertEquals("127.0.0.2/32", JSON.readTree(granted.body()).get("ip").asText());
        assertEquals(400, admin(port(1), "POST", "/api/v1/grant", "{\"query\":\"node-a@clip.bin\",\"ip\":\"localhost\"}").status());
        assertEquals(400, admin(port(1), "POST", "/api/v1/grant", "{\"query\":\"node-a@clip.bin\",\"ip\":\"127.0.0.2\",\"ttl\":5}").status());
        assertEquals(404, admin(port(1), "POST", "/api/v1/grant", "{\"query\":\"node-a@missing.bin\",\"ip\":\"127.0.0.2\"}").status());

        for (int i = 0; i < 3; i++) {
            RawHttp.Response whole = read(GRANTED, port(i), "retrieve", "node-a@clip.bin", Map.of());
            assertEquals(200, whole.status(), "node " + i + ": " + whole.text());
            assertArrayEquals(clip, whole.body());
            RawHttp.Response range = read(GRANTED, port(i), "stream", "node-a@clip.bin", Map.of("Range", "bytes=70000-70099"));
            assertEquals(206, range.status());
            assertArrayEquals(Arrays.copyOfRange(clip, 70_000, 70_100), range.body());
            RawHttp.Response head = RawHttp.send(GRANTED, port(i), "HEAD", "/api/v1/retrieve/node-a%40clip.bin", Map.of(), null);
            assertEquals(200, head.status());
            assertEquals("200000", head.header("Content-Length"));

            RawHttp.Response refused = read(OTHER, port(i), "retrieve", "node-a@clip.bin", Map.of());
            assertEquals(403, refused.status(), "node " + i + ": " + brief(refused));
            assertEquals("grant_ip_refused", error(refused));
            // A client cannot claim the granted address: only trusted proxies' headers count.
            RawHttp.Response spoofed = read(OTHER, port(i), "retrieve", "node-a@clip.bin",
                    Map.of("X-Forwarded-For", GRANTED, "Forwarded", "for=" + GRANTED));
            assertEquals(403, spoofed.status(), "spoofed X-Forwarded-For must be ignored");
        }
        // Through the trusted proxy, the forwarded address decides, both ways.
        assertEquals(200, read(PROXY, port(2), "retrieve", "node-a@clip.bin", Map.of("X-Forwarded-For", GRANTED)).status());
        assertEquals(403, read(PROXY, port(2), "retrieve", "node-a@clip.bin", Map.of("X-Forwarded-For", OTHER)).status());
        assertEquals(403, read(PROXY, port(2), "retrieve", "node-a@clip.bin", Map.of()).status());
        // Other native endpoints stay closed to the granted address.
        assertEquals(401, RawHttp.send(GRANTED, port(0), "GET", "/api/v1/locate/node-a%40clip.bin", Map.of(), null).status());
        assertEquals(401, RawHttp.send(GRANTED, port(0), "PUT", "/api/v1/store/node-a%40clip.bin", Map.of(), new byte[3]).status());

        // Listing shows it, on any node.
        RawHttp.Response listed = admin(port(2), "GET", "/api/v1/grants/node-a%40clip.bin", null);
        assertEquals(200, listed.status(), listed.text());
        JsonNode grants = JSON.readTree(listed.body()).get("grants");
        assertEquals(1, grants.size(), listed.text());
        assertEquals("127.0.0.2/32", grants.get(0).get("ip").asText());
        assertEquals(401, RawHttp.send(GRANTED, port(2), "GET", "/api/v1/grants/node-a%40clip.bin", Map.of(), null).status());

        // Expiry: a grant for 2 s opens the file, then it is refused again.
        byte[] brief = "valid for two seconds".getBytes(StandardCharsets.UTF_8);
        new NativeClient(port(1), KEY).store("brief.txt", brief);
        assertEquals(200, admin(port(0), "POST", "/api/v1/grant",
                "{\"query\":\"node-b@brief.txt\",\"ip\":\"127.0.0.0/30\",\"expires_in\":2}").status());
        assertEquals(200, read(GRANTED, port(2), "retrieve", "node-b@brief.txt", Map.of()).status());
        Thread.sleep(2_100);
        RawHttp.Response expired = read(GRANTED, port(2), "retrieve", "node-b@brief.txt", Map.of());
        // Its only grant expired: the file is as closed as one never granted.
        assertEquals(401, expired.status(), brief(expired));
        assertEquals(403, read(OTHER, port(2), "retrieve", "node-a@clip.bin", Map.of()).status(), "other grants unaffected");

        // Revoke (JSON body on one node; query parameters on another): refused everywhere afterwards.
        byte[] doc = "revocable".getBytes(StandardCharsets.UTF_8);
        new NativeClient(port(0), KEY).store("doc.txt", doc);
        assertEquals(200, admin(port(0), "POST", "/api/v1/grant", "{\"query\":\"node-a@doc.txt\",\"ip\":\"127.0.0.2\"}").status());
        assertEquals(200, admin(port(0), "POST", "/api/v1/grant", "{\"query\":\"node-a@doc.txt\",\"ip\":\"::1\"}").status());
        assertArrayEquals(doc, read(GRANTED, port(1), "retrieve", "node-a@doc.txt", Map.of()).body());
        RawHttp.Response revoked = admin(port(1), "DELETE", "/api/v1/grant", "{\"query\":\"node-a@doc.txt\",\"ip\":\"127.0.0.2\"}");
        assertEquals(200, revoked.status(), revoked.text());
        for (int i = 0; i < 3; i++) {
            RawHttp.Response after = read(GRANTED, port(i), "retrieve", "node-a@doc.txt", Map.of());
            assertEquals(403, after.status(), "node " + i + " (the ::1 grant remains, so 403): " + brief(after));
        }
        assertEquals(404, admin(port(2), "DELETE", "/api/v1/grant", "{\"query\":\"node-a@doc.txt\",\"ip\":\"127.0.0.2\"}").status());
        assertEquals(200, admin(port(2), "DELETE", "/api/v1/grant?query=node-a%40doc.txt&ip=%3A%3A1", null).status());
        assertEquals(401, read(GRANTED, port(0), "retrieve", "node-a@doc.txt", Map.of()).status());

        // Prefix grants for native files: every query under the prefix, including files stored later.
        new NativeClient(port(0), KEY).store("videos/one.bin", "one".getBytes(StandardCharsets.UTF_8));
        new NativeClient(port(0), KEY).store("videosecret.bin", "no".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, admin(port(1), "POST", "/api/v1/grant", "{\"prefix\":\"node-a@videos/\",\"ip\":\"127.0.0.2\"}").status());
        new NativeClient(port(0), KEY).store("videos/two.bin", "two".getBytes(StandardCharsets.UTF_8));
        new NativeClient(port(2), KEY).store("videos/three.bin", "three".getBytes(StandardCharsets.UTF_8));
        // The grant table reached every node with W acks; the rest catch up by pulling (the await covers that).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, read(GRANTED, port(i), "retrieve", "node-a@videos/one.bin", Map.of()).status(), "node " + i);
            }
        });
        assertEquals("two", read(GRANTED, port(1), "stream", "node-a@videos/two.bin", Map.of()).text(), "stored after the grant");
        assertEquals(401, read(GRANTED, port(1), "retrieve", "node-c@videos/three.bin", Map.of()).status(),
                "the prefix names node-a's files only");
        assertEquals(200, read(GRANTED, port(1), "retrieve", "node-a@videos/one.bin", Map.of()).status());
        assertEquals(401, read(GRANTED, port(1), "retrieve", "node-a@videosecret.bin", Map.of()).status());
        assertEquals(403, read(OTHER, port(1), "retrieve", "node-a@videos/one.bin", Map.of()).status());

        // An overwrite is a new object: object grants do not carry over (prefix grants, which name keys, do).
        new NativeClient(port(0), KEY).store("clip.bin", "replaced".getBytes(StandardCharsets.UTF_8));
        assertEquals(401, read(GRANTED, port(1), "retrieve", "node-a@clip.bin", Map.of()).status());
        assertEquals(200, admin(port(1), "POST", "/api/v1/grant", "{\"query\":\"node-a@clip.bin\",\"ip\":\"127.0.0.2\"}").status());

        // S3: an unsigned GET/HEAD from a granted address is served; anyone else gets AccessDenied.
        try (S3Client s3 = s3(port(0))) {
            s3.createBucket(b -> b.bucket("media"));
            s3.putObject(b -> b.bucket("media").key("secret.bin"), RequestBody.fromBytes(clip));
            s3.putObject(b -> b.bucket("media").key("videos/a.mp4"), RequestBody.fromString("movie"));
            s3.putObject(b -> b.bucket("media").key("private.txt"), RequestBody.fromString("private"));
        }
        assertEquals(403, RawHttp.send(GRANTED, port(1), "GET", "/media/secret.bin", Map.of(), null).status());
        assertEquals(200, admin(port(2), "POST", "/api/v1/grant",
                "{\"bucket\":\"media\",\"key\":\"secret.bin\",\"ip\":\"127.0.0.2\",\"expires_in\":600}").status());
        assertEquals(200, admin(port(2), "POST", "/api/v1/grant", "{\"bucket\":\"media\",\"prefix\":\"videos/\",\"ip\":\"127.0.0.2\"}").status());
        assertEquals(404, admin(port(2), "POST", "/api/v1/grant", "{\"bucket\":\"nope\",\"prefix\":\"\",\"ip\":\"127.0.0.2\"}").status());
        for (int i = 0; i < 3; i++) {
            RawHttp.Response s3get = RawHttp.send(GRANTED, port(i), "GET", "/media/secret.bin", Map.of(), null);
            assertEquals(200, s3get.status(), "node " + i + ": " + s3get.text());
            assertArrayEquals(clip, s3get.body());
            RawHttp.Response s3range = RawHttp.send(GRANTED, port(i), "GET", "/media/secret.bin", Map.of("Range", "bytes=10-19"), null);
            assertEquals(206, s3range.status());
            assertArrayEquals(Arrays.copyOfRange(clip, 10, 20), s3range.body());
            assertEquals(200, RawHttp.send(GRANTED, port(i), "HEAD", "/media/secret.bin", Map.of(), null).status());
            assertEquals("movie", RawHttp.send(GRANTED, port(i), "GET", "/media/videos/a.mp4", Map.of(), null).text());
            RawHttp.Response denied = RawHttp.send(OTHER, port(i), "GET", "/media/secret.bin", Map.of("X-Forwarded-For", GRANTED), null);
            assertEquals(403, denied.status(), brief(denied));
            assertTrue(denied.text().contains("<Code>AccessDenied</Code>"), denied.text());
            assertEquals(403, RawHttp.send(GRANTED, port(i), "GET", "/media/private.txt", Map.of(), null).status());
            assertEquals(403, RawHttp.send(GRANTED, port(i), "GET", "/media?list-type=2", Map.of(), null).status(),
                    "a grant opens reads of objects, not listings");
            assertEquals(403, RawHttp.send(GRANTED, port(i), "PUT", "/media/secret.bin", Map.of(), new byte[2]).status());
        }

        // Restart every node: grants live in the records and the grants table on disk.
        for (int i = 0; i < 3; i++) {
            stop(i);
        }
        startAll();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, read(GRANTED, port(i), "retrieve", "node-a@clip.bin", Map.of()).status(), "node " + i);
                assertEquals(200, read(GRANTED, port(i), "retrieve", "node-a@videos/one.bin", Map.of()).status(), "node " + i);
                assertEquals(200, RawHttp.send(GRANTED, port(i), "GET", "/media/secret.bin", Map.of(), null).status());
                assertEquals(200, RawHttp.send(GRANTED, port(i), "GET", "/media/videos/a.mp4", Map.of(), null).status());
            }
        });
        assertArrayEquals("replaced".getBytes(StandardCharsets.UTF_8), read(GRANTED, port(2), "retrieve", "node-a@clip.bin", Map.of()).body());
        assertEquals(403, read(OTHER, port(2), "retrieve", "node-a@clip.bin", Map.of()).status());
        assertEquals(403, RawHttp.send(OTHER, port(2), "GET", "/media/secret.bin", Map.of(), null).status());
    }

    static S3Client s3(int port) {
        return S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
    }
}
