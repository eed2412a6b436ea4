package io.hifadhi.node.s3;

import io.hifadhi.api.nativeapi.ClusterMemberStatus;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Conditional writes are atomic across the cluster: five real nodes in this JVM (sockets, disks, RocksDB, Atomix;
 * N=3, W=2, R=2), one SDK client per node, and in every round the five clients send a conditional PUT of the same
 * key at the same moment, each through its own node. Exactly one may win; the others get 412 and the object is the
 * winner's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class S3ConditionalClusterTest {
    private static final String KEY = "s3-conditional-cluster-shard-key-0123";
    private static final int NODES = 5;
    private static final int ROUNDS = 20;
    private static final String BUCKET = "race";
    /**
     * Short, so that the nodes (which grant no lease for one TTL after they start or the membership changes) are
     * ready soon; a round's writes take milliseconds, far less.
     */
    private static final Duration LEASE_TTL = Duration.ofSeconds(2);

    @TempDir
    static Path dir;
    private final Node[] nodes = new Node[NODES];
    private final S3Client[] clients = new S3Client[NODES];
    private ExecutorService pool;

    @BeforeAll
    void startCluster() throws Exception {
        int[] ports = new int[NODES];
        for (int i = 0; i < NODES; i++) {
            ports[i] = NodeProcess.freePort();
        }
        for (int i = 0; i < NODES; i++) {
            List<String> join = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                join.add("127.0.0.1:" + ports[j]);
            }
            nodes[i] = new Node(NodeConfig.builder(dir.resolve("node-" + i)).name("cond-node-" + (char) ('a' + i))
                    .bindAddress("127.0.0.1").httpPort(0).clusterPort(ports[i]).shardKey(KEY).join(join)
                    .replication(3).writeQuorum(2).readQuorum(2).chunkSize(64 * 1024).keyLeaseTtl(LEASE_TTL)
                    .accessKey(S3TestSupport.ACCESS_KEY).secretKey(S3TestSupport.SECRET_KEY).build(),
                    new PrintStream(new ByteArrayOutputStream()));
            nodes[i].start();
            clients[i] = S3TestSupport.client(nodes[i].httpPort());
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (Node n : nodes) {
                if (n.clusterMembers().stream().filter(ClusterMemberStatus::reachable).count() != NODES) {
                    return false;
                }
            }
            return true;
        });
        clients[0].createBucket(b -> b.bucket(BUCKET));
        for (S3Client c : clients) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).ignoreException(NoSuchBucketException.class)
                    .untilAsserted(() -> c.headBucket(b -> b.bucket(BUCKET)));
        }
        pool = Executors.newFixedThreadPool(NODES);
    }

    @AfterAll
    void stopCluster() {
        if (pool != null) {
            pool.shutdownNow();
        }
        for (int i = 0; i < NODES; i++) {
            if (clients[i] != null) {
                clients[i].close();
            }
            if (nodes[i] != null) {
                nodes[i].close();
            }
        }
    }

    /** What each client got in one round: its status (200 or the error's) and, for the winner, the ETag. */
    private record Outcome(int client, int status, String etag) {
    }

    /** All five clients PUT {@code key} at once, each through its own node, with the condition {@code condition} sets. */
    private List<Outcome> race(String key, String round, UnaryOperator<PutObjectRequest.Builder> condition) throws Exception {
        CyclicBarrier together = new CyclicBarrier(NODES);
        List<Future<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            int me = i;
            futures.add(pool.submit(() -> {
                together.await(30, TimeUnit.SECONDS);
                try {
                    String etag = clients[me].putObject(b -> condition.apply(b.bucket(BUCKET).key(key)),
                            RequestBody.fromString(body(round, me))).eTag();
                    return new Outcome(me, 200, etag);
                } catch (S3Exception e) {
                    return new Outcome(me, e.statusCode(), e.awsErrorDetails().errorCode());
                }
            }));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<Outcome> f : futures) {
            outcomes.add(f.get(2, TimeUnit.MINUTES));
        }
        return outcomes;
    }

    private static String body(String round, int client) {
        return round + " written by client " + client;
    }

    /** Exactly one 200, the others 412 PreconditionFailed, and every node reads the winner's body. */
    private Outcome oneWinner(String key, String round, List<Outcome> outcomes) {
        List<Outcome> won = outcomes.stream().filter(o -> o.status() == 200).toList();
        assertEquals(1, won.size(), round + ": " + outcomes);
        for (Outcome o : outcomes) {
            if (o.status() != 200) {
                assertEquals(412, o.status(), round + ": " + outcomes);
                assertEquals("PreconditionFailed", o.etag(), round + ": " + outcomes);
            }
        }
        Outcome winner = won.get(0);
        for (S3Client c : clients) {
            assertEquals(body(round, winner.client()),
                    c.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asString(StandardCharsets.UTF_8), round);
        }
        return winner;
    }

    @Test
    void ofFiveSimultaneousCreatesThroughFiveNodesExactlyOneWins() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String key = "create-" + round;
            String name = "create round " + round;
            oneWinner(key, name, race(key, name, b -> b.ifNoneMatch("*")));
        }
    }

    @Test
    void ofFiveSimultaneousCompareAndSetsThroughFiveNodesExactlyOneWins() throws Exception {
        String key = "compare-and-set";
        String etag = clients[0].putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("initial")).eTag();
        for (int round = 0; round < ROUNDS; round++) {
            String name = "cas round " + round;
            String expected = etag;
            etag = oneWinner(key, name, race(key, name, b -> b.ifMatch(expected))).etag();
        }
    }
}
