package io.hifadhi.node.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.cli.ClientCommand;
import io.hifadhi.node.testing.NativeClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Five real nodes in this JVM (N=3, W=2, R=2), 1 MiB chunks so a 1 MiB object is one chunk with three replicas and two
 * ring neighbours past them. Hot at 2 reads/s per node, cool-down 3 s, so the whole class runs in well under a minute.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HotObjectsClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 1 << 20;

    @TempDir
    static Path dir;
    private HotCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = new HotCluster(dir, 5, CHUNK, new CacheSettings(64L << 20, true, 2, 10_000, Duration.ofSeconds(3), 2));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One chunk of an object just stored: its id and the nodes holding it as replicas. */
    private record Placed(String query, byte[] body, String chunkId, Set<Integer> replicas, List<Integer> others) {
    }

    private Placed store(String name, int seed) throws Exception {
        byte[] body = new byte[CHUNK];
        new Random(seed).nextBytes(body);
        HttpResponse<String> stored = cluster.client(0).store(name, body);
        assertEquals(200, stored.statusCode(), stored.body());
        String query = stored.body().trim();
        // W=2: the write was answered after two replicas had the chunk; the third may still be writing it.
        AtomicReference<JsonNode> located = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode where = cluster.locate(query);
            located.set(where);
            assertEquals(1, where.path("chunks").size(), where.toString());
            assertEquals(3, where.get("chunks").get(0).get("holders").size(), "three replicas hold the chunk: " + where);
        });
        JsonNode chunk = located.get().get("chunks").get(0);
        Set<Integer> replicas = new HashSet<>();
        chunk.get("holders").forEach(h -> replicas.add(cluster.index(h.asText())));
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            if (!replicas.contains(i)) {
                others.add(i);
            }
        }
        return new Placed(query, body, chunk.get("id").asText(), replicas, others);
    }

    private long sumOver(Set<Integer> nodes, String metric) throws Exception {
        long sum = 0;
        for (int i : nodes) {
            sum += cluster.metric(i, metric);
        }
        return sum;
    }

    @Test
    void aNodeThatFetchesAChunkForAClientKeepsItAndServesTheNextReadFromItsOwnDisk() throws Exception {
        Placed p = store("read-through.bin", 1);
        int x = p.others().get(0);
        assertFalse(cluster.cached(x, p.chunkId()));
        long misses = cluster.metric(x, "hifadhi_cache_misses_total");

        assertArrayEquals(p.body(), cluster.client(x).retrieve(p.query()).body());
        // The copy is written to the cache after the response, off the read path.
        await("the chunk fetched from a replica stays in node " + x + "'s cache").atMost(Duration.ofSeconds(10))
                .until(() -> cluster.cached(x, p.chunkId()));
        assertEquals(misses + 1, cluster.metric(x, "hifadhi_cache_misses_total"));

        long replicasRead = sumOver(p.replicas(), "hifadhi_chunk_read_bytes_total");
        long ownRead = cluster.metric(x, "hifadhi_chunk_read_bytes_total");
        long hits = cluster.metric(x, "hifadhi_cache_hits_total");
        assertArrayEquals(p.body(), cluster.client(x).retrieve(p.query()).body());
        assertEquals(hits + 1, cluster.metric(x, "hifadhi_cache_hits_total"));
        assertEquals(ownRead + CHUNK, cluster.metric(x, "hifadhi_chunk_read_bytes_total"), "served from its own disk");
        assertEquals(replicasRead, sumOver(p.replicas(), "hifadhi_chunk_read_bytes_total"), "no replica was asked");

        // A damaged cached copy is never served: the read still gets the right bytes, from a replica, and refills.
        Path file = cluster.node(x).dataDir().resolve("cache").resolve(p.chunkId().substring(0, 2)).resolve(p.chunkId());
        byte[] damaged = p.body().clone();
        damaged[12345] ^= 0x40;
        Files.write(file, damaged);
        assertArrayEquals(p.body(), cluster.client(x).retrieve(p.query()).body());
        await("refilled with the verified bytes").atMost(Duration.ofSeconds(10))
                .until(() -> java.util.Arrays.equals(p.body(), Files.readAllBytes(file)));
        assertTrue(cluster.metric(x, "hifadhi_cache_bytes") >= CHUNK);
    }

    @Test
    void cacheRequestPutsCopiesOnTheNeighboursPastTheReplicasAndTheyGoWhenItStaysCold() throws Exception {
        Placed p = store("asked.bin", 2);
        HttpResponse<String> r = post(0, "{\"query\": " + JSON.writeValueAsString(p.query()) + ", \"copies\": 2}", HotCluster.KEY);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode answer = JSON.readTree(r.body());
        assertEquals(1, answer.get("chunks").asInt());
        assertEquals(2, answer.get("placed").asInt(), r.body());
        Set<Integer> holders = new HashSet<>();
        answer.get("holders").forEach(h -> holders.add(cluster.index(h.asText())));
        assertEquals(Set.copyOf(p.others()), holders, "the two nodes past the replicas: " + r.body());
        for (int h : p.others()) {
            assertTrue(cluster.cached(h, p.chunkId()), "pushed to node " + h + " without any read through it");
        }
        assertTrue(sumOver(Set.of(0, 1, 2, 3, 4), "hifadhi_hot_pushed_chunks_total") >= 2);
        // Every node learnt the holders: a read through a replica-less path would go to them as well as to replicas.
        // Nobody reads it, so after the 3 s cool-down and the lease the copies are dropped.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() ->
                p.others().stream().noneMatch(h -> cluster.cached(h, p.chunkId())));
        for (int i : p.replicas()) {
            assertTrue(Files.exists(cluster.node(i).dataDir().resolve("chunks").resolve(p.chunkId().substring(0, 2))
                    .resolve(p.chunkId().substring(2, 4)).resolve(p.chunkId())), "replica copies stay");
        }
        assertArrayEquals(p.body(), cluster.client(p.others().get(1)).retrieve(p.query()).body());

        // The CLI says the same through any node.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ClientCommand.run(new String[]{"cache", "--query", p.query(), "--copies", "1",
                        "--endpoint", cluster.client(3).base(), "--shard-key", HotCluster.KEY},
                Map.of("HOME", dir.toString()), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("cached 1 chunk copies on node-"), out.toString(StandardCharsets.UTF_8));
        status = ClientCommand.run(new String[]{"cache", "--query", "node-a@no-such-file", "--endpoint", cluster.client(3).base(),
                "--shard-key", HotCluster.KEY}, Map.of("HOME", dir.toString()), new PrintStream(out), new PrintStream(err));
        assertEquals(4, status, "a missing file is exit status 4");
        // Left cold, the object the CLI asked for stops counting as hot within the cool-down (the flash crowd counts).
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() ->
                sum(cluster.metricOfAll("hifadhi_hot_objects")) == 0);
    }

    @Test
    void cacheRequestRefusesBadInputWithReasons() throws Exception {
        Placed p = store("bad-input.bin", 3);
        String q = JSON.writeValueAsString(p.query());
        assertError(post(0, "not json", HotCluster.KEY), 400, "malformed_json");
        assertError(post(0, "{}", HotCluster.KEY), 400, "missing_parameter");
        assertError(post(0, "{\"query\": " + q + ", \"bucket\": \"b\", \"key\": \"k\"}", HotCluster.KEY), 400, "missing_parameter");
        assertError(post(0, "{\"query\": " + q + ", \"copies\": 0}", HotCluster.KEY), 400, "invalid_copies");
        assertError(post(0, "{\"query\": " + q + ", \"copies\": 17}", HotCluster.KEY), 400, "invalid_copies");
        assertError(post(0, "{\"query\": " + q + ", \"copies\": \"two\"}", HotCluster.KEY), 400, "invalid_copies");
        assertError(post(0, "{\"query\": " + q + ", \"copies\": 1.5}", HotCluster.KEY), 400, "invalid_copies");
        assertError(post(0, "{\"query\": " + q + ", \"replicas\": 2}", HotCluster.KEY), 400, "unknown_field");
        assertError(post(0, "{\"query\": 7}", HotCluster.KEY), 400, "invalid_parameter");
        assertError(post(0, "{\"query\": \"no-at-sign\"}", HotCluster.KEY), 400, "invalid_query");
        assertError(post(0, "{\"bucket\": \"no-such-bucket\", \"key\": \"k\"}", HotCluster.KEY), 404, "no_such_bucket");
        assertError(post(0, "{\"query\": \"node-a@never-stored.bin\"}", HotCluster.KEY), 404, "not_found");
        assertError(post(0, "{\"query\": " + q + "}", null), 401, "unauthorized");
        assertError(post(0, "{\"query\": " + q + "}", "wrong-shard-key-0123456789"), 401, "unauthorized");
        NativeClient c = cluster.client(0);
        HttpResponse<String> get = c.http().send(HttpRequest.newBuilder(URI.create(c.base() + "/api/v1/cache"))
                .header("SHARD-KEY", HotCluster.KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        for (int h : p.others()) {
            assertFalse(cluster.cached(h, p.chunkId()), "no refused request cached anything");
        }
    }

    @Test
    void aFlashCrowdIsServedFromTheDisksOfAtLeastFourNodesWithinTenSecondsAndTheExtraCopiesGoWhenItCools() throws Exception {
        Placed p = store("crowd.bin", 4);
        long[] before = cluster.metricOfAll("hifadhi_chunk_read_bytes_total");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        ExecutorService readers = Executors.newFixedThreadPool(6);
        for (int t = 0; t < 6; t++) {
            readers.submit(() -> {
                try {
                    while (!stop.get()) {
                        int node = ThreadLocalRandom.current().nextInt(cluster.size());
                        HttpResponse<byte[]> r = cluster.client(node).retrieve(p.query());
                        assertEquals(200, r.statusCode());
                        assertArrayEquals(p.body(), r.body());
                        reads.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                return null;
            });
        }
        long start = System.nanoTime();
        int serving = 0;
        double seconds = 0;
        boolean sawHot = false;
        try {
            while (serving < 4 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
                Thread.sleep(200);
                long[] now = cluster.metricOfAll("hifadhi_chunk_read_bytes_total");
                serving = 0;
                for (int i = 0; i < now.length; i++) {
                    if (now[i] - before[i] >= CHUNK) {
                        serving++;
                    }
                }
                seconds = (System.nanoTime() - start) / 1e9;
            }
            // The crowd goes on until some node's meter calls the object hot (it needs a few seconds of reads).
            // Then both nodes past the replicas hold its chunk under a spreader's lease.
            long hotBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(sawHot = sum(cluster.metricOfAll("hifadhi_hot_objects")) > 0 && leased(p.others()) == 2)
                    && System.nanoTime() < hotBy && failure.get() == null) {
                Thread.sleep(200);
            }
        } finally {
            stop.set(true);
            readers.shutdown();
            assertTrue(readers.awaitTermination(60, TimeUnit.SECONDS));
        }
        assertNull(failure.get(), () -> "a reader failed: " + failure.get());
        System.out.printf("flash crowd: %d nodes served from their own disk after %.1f s; hot after %.1f s (%d reads)%n", serving,
                seconds, (System.nanoTime() - start) / 1e9, reads.get());
        assertTrue(serving >= 4, serving + " of 5 nodes served the object's bytes from their own disk within 10 s");
        assertTrue(sawHot, "some node found the object hot and spread it to both nodes past the replicas");
        for (int h : p.others()) {
            assertTrue(cluster.cached(h, p.chunkId()) || cluster.metric(h, "hifadhi_cache_hits_total") > 0,
                    "node " + h + " (no replica) held a copy");
        }

        // It cools: no node spreads it any more and the copies past the replicas are dropped.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertEquals("[0, 0, 0, 0, 0]", java.util.Arrays.toString(cluster.metricOfAll("hifadhi_hot_objects")), "hot objects per node");
            assertEquals(List.of(), p.others().stream().filter(h -> cluster.cached(h, p.chunkId())).toList(), "nodes still caching it");
        });
        assertTrue(sum(cluster.metricOfAll("hifadhi_cache_expired_total")) >= 1);
        assertArrayEquals(p.body(), cluster.client(p.others().get(0)).retrieve(p.query()).body(), "still readable from the replicas");
    }

    private int leased(List<Integer> nodes) throws Exception {
        int n = 0;
        for (int i : nodes) {
            n += cluster.metric(i, "hifadhi_cache_leased_copies") > 0 ? 1 : 0;
        }
        return n;
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += v;
        }
        return s;
    }

    private HttpResponse<String> post(int node, String body, String shardKey) throws Exception {
        NativeClient c = cluster.client(node);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(c.base() + "/api/v1/cache"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (shardKey != null) {
            b.header("SHARD-KEY", shardKey);
        }
        return c.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(code, body.path("error").asText(), r.body());
        assertFalse(body.path("message").asText().isEmpty(), r.body());
    }
}
