package io.hifadhi.node.table;

import io.hifadhi.node.storage.NodeDatabase;
import io.hifadhi.node.Node;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * S3 keys are cluster-wide: the key pair a node generated at its first start signs requests to
 * every other node. Secrets travel between nodes sealed under the cluster secret.
 */
class AccessKeysClusterTest {
    private static final String KEY = "access-key-table-test-shard-key-01";

    @TempDir
    Path dir;
    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(Node::close);
    }

    @Test
    void aKeyGeneratedOnOneNodeSignsRequestsToEveryNode() throws Exception {
        int seedPort = NodeProcess.freePort();
        Node a = start("a", seedPort, List.of());
        Node b = start("b", NodeProcess.freePort(), List.of("127.0.0.1:" + seedPort));
        assertNotEquals(a.credentials().accessKey(), b.credentials().accessKey(), "each node generated its own pair");

        // a's key on b, and b's key on a, once the table has spread (peers pull it when they meet)
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            try (S3Client viaB = s3(b, a)) {
                viaB.listBuckets();
            }
            try (S3Client viaA = s3(a, b)) {
                viaA.listBuckets();
            }
        });
        try (S3Client viaB = s3(b, a); S3Client viaA = s3(a, a)) {
            viaB.createBucket(r -> r.bucket("everywhere"));
            viaB.putObject(r -> r.bucket("everywhere").key("k"), RequestBody.fromString("hello"));
            assertEquals("hello", viaA.getObjectAsBytes(r -> r.bucket("everywhere").key("k")).asUtf8String());
        }

        // a key nobody made is still refused everywhere
        try (S3Client stranger = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + b.httpPort()))
                .region(Region.US_EAST_1).serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDNOBODYMADE0000", "x".repeat(40))))
                .build()) {
            S3Exception e = assertThrows(S3Exception.class, stranger::listBuckets);
            assertEquals("InvalidAccessKeyId", e.awsErrorDetails().errorCode());
        }
    }

    @Test
    void sealedSecretsOpenOnlyUnderTheSameClusterSecretAndKeyId() throws Exception {
        try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"), false)) {
            TableStore store = new TableStore(database);
            HybridLogicalClock clock = new HybridLogicalClock("t", System::currentTimeMillis);
            AccessKeyTable keys = new AccessKeyTable(new ReplicatedTable("access-keys", store, clock), KEY);
            byte[] sealed = keys.seal("AKIDONE", "secret-one");
            assertEquals("secret-one", keys.unseal("AKIDONE", sealed));
            assertThrows(GeneralSecurityException.class, () -> keys.unseal("AKIDTWO", sealed), "entries cannot be swapped");
            byte[] tampered = sealed.clone();
            tampered[tampered.length - 1] ^= 1;
            assertThrows(GeneralSecurityException.class, () -> keys.unseal("AKIDONE", tampered));
            AccessKeyTable otherCluster = new AccessKeyTable(new ReplicatedTable("access-keys", store, clock), "another-secret");
            assertThrows(GeneralSecurityException.class, () -> otherCluster.unseal("AKIDONE", sealed));

            keys.register("AKIDONE", "secret-one");
            assertEquals(Optional.of("secret-one"), keys.secretKey("AKIDONE"));
            assertEquals(Optional.empty(), otherCluster.secretKey("AKIDONE"), "unreadable entries are no key");
            assertEquals(Optional.empty(), keys.secretKey("AKIDNONE"));
        }
    }

    private Node start(String name, int clusterPort, List<String> join) throws Exception {
        Node n = new Node(NodeConfig.builder(dir.resolve(name)).name(name).bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(clusterPort).shardKey(KEY).join(join).build(), new PrintStream(new ByteArrayOutputStream()));
        n.start();
        nodes.add(n);
        return n;
    }

    private static S3Client s3(Node endpoint, Node keyOwner) {
        return S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + endpoint.httpPort()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        keyOwner.credentials().accessKey(), keyOwner.credentials().secretKey())))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }
}
