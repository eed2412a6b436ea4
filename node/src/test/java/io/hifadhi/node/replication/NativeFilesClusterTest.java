package io.hifadhi.node.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native file operations (info, delete, copy, move, directories) on five real nodes in this JVM
 * (N=3, W=2, R=2, 64 KiB chunks), spoken to over raw HTTP sockets. Every operation goes through
 * another node than the one that stored the file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class NativeFilesClusterTest {
    private static final int CHUNK = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GRANTED = "127.0.0.2";
    private static final String OTHER = "127.0.0.1";

    private Path root;
    private TestCluster cluster;
    private Path clusterDir;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        root = tmp;
        clusterDir = root.resolve("cluster");
        cluster = new TestCluster(clusterDir, 5, 3, 2, 2, CHUNK).startAll();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---- helpers: every request is a plain HTTP/1.1 exchange on a socket ----

    private int port(int node) {
        return cluster.node(node).httpPort();
    }

    private RawHttp.Response call(int node, String method, String target, String json) throws IOException {
        Map<String, String> headers = new HashMap<>(Map.of("SHARD-KEY", TestCluster.KEY));
        if (json != null) {
            headers.put("Content-Type", "application/json");
        }
        return RawHttp.send(OTHER, port(node), method, target, headers, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    private RawHttp.Response put(int node, String query, byte[] body) throws IOException {
        return RawHttp.send(OTHER, port(node), "PUT", "/api/v1/store/" + NativeClient.encode(query),
                Map.of("SHARD-KEY", TestCluster.KEY), body);
    }

    private RawHttp.Response retrieve(int node, String query) throws IOException {
        return call(node, "GET", "/api/v1/retrieve/" + NativeClient.encode(query), null);
    }

    private RawHttp.Response info(int node, String query) throws IOException {
        return call(node, "GET", "/api/v1/files/" + NativeClient.encode(query), null);
    }

    private RawHttp.Response transfer(int node, String op, String from, String to, Boolean overwrite) throws IOException {
        String body = JSON.createObjectNode().put("from", from).put("to", to).toString();
        if (overwrite != null) {
            body = JSON.createObjectNode().put("from", from).put("to", to).put("overwrite", overwrite).toString();
        }
        return call(node, "POST", "/api/v1/" + op, body);
    }

    private RawHttp.Response dir(int node, String method, String dirQuery, String params) throws IOException {
        return call(node, method, "/api/v1/dirs/" + NativeClient.encode(dirQuery) + (params == null ? "" : "?" + params), null);
    }

    private static JsonNode json(RawHttp.Response r) throws IOException {
        return JSON.readTree(r.body());
    }

    private static void assertError(RawHttp.Response r, int status, String error) throws IOException {
        assertEquals(status, r.status(), r.text());
        assertEquals("application/json", r.header("Content-Type"), r.text());
        JsonNode body = json(r);
        assertEquals(error, body.path("error").asText(), r.text());
        assertFalse(body.path("message").asText().isEmpty(), r.text());
        assertFalse(body.path("hint").asText().isEmpty(), r.text());
    }

    private static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    // ---- tests ----

    @Test
    void infoAndDeleteThroughOtherNodes() throws Exception {
        byte[] data = random(1, 2 * CHUNK + 100); // three chunks
        assertEquals(200, put(0, "node-a@info/movie.mp4", data).status());
        assertEquals(200, call(0, "POST", "/api/v1/grant", "{\"query\":\"node-a@info/movie.mp4\",\"ip\":\"" + GRANTED
                + "\",\"expires_in\":3600}").status());
        assertEquals(200, call(0, "POST", "/api/v1/grant", "{\"prefix\":\"node-a@info/\",\"ip\":\"198.51.100.0/24\"}").status());

        RawHttp.Response r = info(1, "node-a@info/movie.mp4");
        assertEquals(200, r.status(), r.text());
        JsonNode info = json(r);
        assertEquals("node-a@info/movie.mp4", info.get("query").asText());
        assertEquals("node-a", info.get("instance").asText());
        assertEquals("info/movie.mp4", info.get("name").asText());
        assertEquals(data.length, info.get("size").asLong());
        assertEquals("video/mp4", info.get("content_type").asText());
        String etag = retrieve(2, "node-a@info/movie.mp4").header("ETag");
        assertEquals("\"" + info.get("etag").asText() + "\"", etag);
        assertFalse(info.get("last_modified").asText().isEmpty());
        assertEquals(3, info.get("chunk_count").asInt());
        assertEquals(3, info.get("chunks").size());
        assertEquals(3, info.get("replicas").size(), "N = 3 replicas of the record");
        assertTrue(names(info.get("replicas")).containsAll(names(info.get("record_holders"))));
        assertTrue(info.get("record_holders").size() >= 2, "at least W nodes hold the record");
        for (JsonNode chunk : info.get("chunks")) {
            assertTrue(chunk.get("holders").size() >= 2, chunk.toString());
        }
        JsonNode grants = info.get("grants");
        assertEquals(2, grants.size(), grants.toString());
        assertEquals("object", grants.get(0).get("scope").asText());
        assertEquals(GRANTED + "/32", grants.get(0).get("ip").asText());
        assertTrue(grants.get(0).get("expires").asLong() > System.currentTimeMillis() / 1000);
        assertEquals("prefix", grants.get(1).get("scope").asText());
        assertEquals("node-a@info/", grants.get(1).get("prefix").asText());

        assertError(info(3, "node-a@info/nothing-here"), 404, "not_found");
        RawHttp.Response deleted = call(2, "DELETE", "/api/v1/files/" + NativeClient.encode("node-a@info/movie.mp4"), null);
        assertEquals(204, deleted.status(), deleted.text());
        assertEquals(404, retrieve(3, "node-a@info/movie.mp4").status());
        assertError(info(4, "node-a@info/movie.mp4"), 404, "not_found");
        assertError(call(4, "DELETE", "/api/v1/files/" + NativeClient.encode("node-a@info/movie.mp4"), null), 404, "not_found");

        // Only the cluster secret opens these endpoints; a method they do not serve is 405 first.
        RawHttp.Response anonymous = RawHttp.send(OTHER, port(1), "GET", "/api/v1/files/node-a%40x", Map.of(), null);
        assertError(anonymous, 401, "unauthorized");
        assertError(RawHttp.send(OTHER, port(1), "POST", "/api/v1/move", Map.of("SHARD-KEY", "wrong"), "{}".getBytes()), 401, "unauthorized");
        assertError(RawHttp.send(OTHER, port(1), "DELETE", "/api/v1/dirs/node-a%40x", Map.of(), null), 401, "unauthorized");
        RawHttp.Response wrongMethod = call(1, "PUT", "/api/v1/files/node-a%40x", null);
        assertEquals(405, wrongMethod.status());
        assertEquals("GET, DELETE", wrongMethod.header("Allow"));
    }

    @Test
    void copyAndMoveKeepContentAndGrants() throws Exception {
        byte[] data = random(2, 3 * CHUNK + 7);
        assertEquals(200, put(0, "node-a@docs/report.pdf", data).status());
        assertEquals(200, call(0, "POST", "/api/v1/grant", "{\"query\":\"node-a@docs/report.pdf\",\"ip\":\"" + GRANTED + "\"}").status());

        RawHttp.Response copied = transfer(1, "copy", "node-a@docs/report.pdf", "node-b@archive/report.pdf", null);
        assertEquals(201, copied.status(), copied.text());
        assertEquals(1, json(copied).get("grants").asInt());
        assertEquals(data.length, json(copied).get("size").asLong());
        assertArrayEquals(data, retrieve(2, "node-b@archive/report.pdf").body());
        assertArrayEquals(data, retrieve(3, "node-a@docs/report.pdf").body(), "a copy leaves the source");
        assertEquals("application/pdf", json(info(4, "node-b@archive/report.pdf")).get("content_type").asText());
        // The grant came along: the granted address reads the copy without a key, another address does not.
        RawHttp.Response granted = RawHttp.send(GRANTED, port(3), "GET", "/api/v1/retrieve/" + NativeClient.encode("node-b@archive/report.pdf"), Map.of(), null);
        assertEquals(200, granted.status());
        assertArrayEquals(data, granted.body());
        assertError(RawHttp.send(OTHER, port(3), "GET", "/api/v1/retrieve/" + NativeClient.encode("node-b@archive/report.pdf"), Map.of(), null),
                403, "grant_ip_refused");

        assertError(transfer(2, "copy", "node-a@docs/report.pdf", "node-b@archive/report.pdf", null), 409, "destination_exists");
        assertEquals(201, transfer(2, "copy", "node-a@docs/report.pdf", "node-b@archive/report.pdf", true).status());
        assertError(transfer(2, "copy", "node-a@docs/report.pdf", "node-a@docs/report.pdf", null), 409, "same_name");
        assertError(transfer(2, "move", "node-a@docs/missing.pdf", "node-a@docs/x.pdf", null), 404, "not_found");
        assertError(transfer(2, "move", "node-a@docs/report.pdf", "node-a@docs", null), 409, "is_directory");
        assertError(call(2, "POST", "/api/v1/copy", "{\"from\":\"node-a@docs/report.pdf\",\"to\":\"node-a@y\",\"force\":true}"), 400, "unknown_field");
        assertError(call(2, "POST", "/api/v1/copy", "{\"from\":\"node-a@docs/report.pdf\"}"), 400, "missing_parameter");
        assertError(call(2, "POST", "/api/v1/copy", "not json"), 400, "malformed_json");

        RawHttp.Response moved = transfer(3, "move", "node-a@docs/report.pdf", "node-a@docs/2026/report-final.pdf", null);
        assertEquals(200, moved.status(), moved.text());
        assertEquals(1, json(moved).get("grants").asInt());
        assertEquals(404, retrieve(4, "node-a@docs/report.pdf").status());
        assertArrayEquals(data, retrieve(0, "node-a@docs/2026/report-final.pdf").body());
        assertEquals(200, RawHttp.send(GRANTED, port(1), "GET",
                "/api/v1/retrieve/" + NativeClient.encode("node-a@docs/2026/report-final.pdf"), Map.of(), null).status());
        JsonNode movedInfo = json(info(2, "node-a@docs/2026/report-final.pdf"));
        assertEquals(GRANTED + "/32", movedInfo.get("grants").get(0).get("ip").asText());
    }

    @Test
    void aMoveDeletesOnlyTheVersionItCopied() throws Exception {
        // The race a move has with a write to its source, played in order: the move copies version 1, a write lands
        // version 2 through another node, then the move's delete comes. It names the version it copied, so it loses.
        String query = "node-d@race/source.bin";
        byte[] first = random(7, CHUNK + 1);
        byte[] second = random(8, CHUNK + 2);
        assertEquals(200, put(0, query, first).status());
        String copied = cluster.node(1).store().get(io.hifadhi.api.nativeapi.NativeNames.BUCKET, query).orElseThrow().info().version();
        assertEquals(200, put(2, query, second).status());
        cluster.node(3).store().deleteVersion(io.hifadhi.api.nativeapi.NativeNames.BUCKET, query, copied);
        assertArrayEquals(second, retrieve(4, query).body(), "the newer write survives the delete of the version copied");
        // The version that is there is deleted like any delete.
        String current = cluster.node(4).store().get(io.hifadhi.api.nativeapi.NativeNames.BUCKET, query).orElseThrow().info().version();
        cluster.node(0).store().deleteVersion(io.hifadhi.api.nativeapi.NativeNames.BUCKET, query, current);
        assertEquals(404, retrieve(1, query).status());

        // Through the API: writers keep replacing the source while it is moved; no acknowledged write is lost. Either the
        // move took the last version (source gone), or it answers source_changed and a newer version stays at the source.
        for (int round = 0; round < 3; round++) {
            String from = "node-d@race/r" + round + ".bin";
            String to = "node-d@raced/r" + round + ".bin";
            byte[] initial = random(20 + round, 100);
            assertEquals(200, put(round % 5, from, initial).status());
            AtomicInteger lastAcked = new AtomicInteger(-1);
            AtomicBoolean stop = new AtomicBoolean();
            int r = round;
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get() && i < 200; i++) {
                    try {
                        if (put((r + i) % 5, from, ("v" + i).getBytes(StandardCharsets.UTF_8)).status() == 200) {
                            lastAcked.set(i);
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            writer.start();
            Thread.sleep(30);
            RawHttp.Response moved = transfer((round + 1) % 5, "move", from, to, true);
            stop.set(true);
            writer.join(60_000);
            byte[] last = lastAcked.get() < 0 ? initial : ("v" + lastAcked.get()).getBytes(StandardCharsets.UTF_8);
            RawHttp.Response atSource = retrieve((round + 2) % 5, from);
            RawHttp.Response atDestination = retrieve((round + 3) % 5, to);
            if (moved.status() == 200) {
                assertTrue(atSource.status() == 404 && java.util.Arrays.equals(last, atDestination.body())
                                || atSource.status() == 200 && java.util.Arrays.equals(last, atSource.body()),
                        "round " + round + ": the last acknowledged write (" + lastAcked + ") is under neither name");
            } else {
                assertError(moved, 409, "source_changed");
                assertArrayEquals(last, atSource.body(), "round " + round + ": the newer version stays at the source");
            }
        }
    }

    @Test
    void aMoveUnderConcurrentReadsNeverHidesTheFile() throws Exception {
        ExecutorService readers = Executors.newFixedThreadPool(4);
        AtomicInteger reads = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            for (int round = 0; round < 8; round++) {
                String from = "node-c@moving/r" + round + ".bin";
                String to = "node-c@moved/r" + round + ".bin";
                byte[] data = random(100 + round, 2 * CHUNK + round);
                assertEquals(200, put(round % 5, from, data).status());
                AtomicBoolean done = new AtomicBoolean();
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int reader = t;
                    running.add(readers.submit(() -> {
                        int i = 0;
                        while (!done.get() || i < 2) {
                            try {
                                // Old name first, then new: once the old one is gone the new one must be there.
                                RawHttp.Response old = retrieve((reader + i) % 5, from);
                                RawHttp.Response neu = retrieve((reader + i + 1) % 5, to);
                                reads.addAndGet(2);
                                if (old.status() == 404 && neu.status() == 404) {
                                    failures.add(from + ": both names 404");
                                }
                                for (RawHttp.Response r : List.of(old, neu)) {
                                    if (r.status() != 200 && r.status() != 404) {
                                        failures.add(from + ": " + r.status() + " " + r.text());
                                    } else if (r.status() == 200 && !java.util.Arrays.equals(data, r.body())) {
                                        failures.add(from + ": wrong bytes");
                                    }
                                }
                            } catch (IOException e) {
                                failures.add(from + ": " + e);
                            }
                            i++;
                        }
                        return null;
                    }));
                }
                Thread.sleep(50);
                RawHttp.Response moved = transfer((round + 2) % 5, "move", from, to, null);
                assertEquals(200, moved.status(), moved.text());
                Thread.sleep(50);
                done.set(true);
                for (Future<?> f : running) {
                    f.get(60, TimeUnit.SECONDS);
                }
                assertEquals(404, retrieve((round + 3) % 5, from).status());
                assertArrayEquals(data, retrieve((round + 4) % 5, to).body());
            }
        } finally {
            readers.shutdownNow();
        }
        assertEquals(List.of(), failures);
        assertTrue(reads.get() >= 8 * 4 * 4, "reads: " + reads.get());
    }

    @Test
    void directoriesAreCreatedListedPagedAndRemoved() throws Exception {
        RawHttp.Response made = dir(0, "PUT", "node-d@projects/empty", null);
        assertEquals(201, made.status(), made.text());
        assertEquals("node-d@projects/empty/", json(made).get("directory").asText());
        assertTrue(json(made).get("created").asBoolean());
        RawHttp.Response again = dir(1, "PUT", "node-d@projects/empty/", null);
        assertEquals(200, again.status());
        assertFalse(json(again).get("created").asBoolean());

        RawHttp.Response parent = dir(2, "GET", "node-d@projects/", null);
        assertEquals(200, parent.status(), parent.text());
        JsonNode entries = json(parent).get("entries");
        assertEquals(1, entries.size(), entries.toString());
        assertEquals("directory", entries.get(0).get("type").asText());
        assertEquals("empty/", entries.get(0).get("name").asText());
        assertEquals("node-d@projects/empty/", entries.get(0).get("query").asText());
        RawHttp.Response empty = dir(3, "GET", "node-d@projects/empty", null);
        assertEquals(200, empty.status(), empty.text());
        assertEquals(0, json(empty).get("entries").size());
        assertFalse(json(empty).get("truncated").asBoolean());

        assertEquals(200, put(4, "node-d@projects/empty/notes.txt", "hello".getBytes(StandardCharsets.UTF_8)).status());
        assertError(dir(0, "DELETE", "node-d@projects/empty", null), 409, "directory_not_empty");
        assertError(dir(0, "PUT", "node-d@projects/empty/notes.txt", null), 409, "file_exists");
        RawHttp.Response removed = dir(1, "DELETE", "node-d@projects/empty", "recursive=true");
        assertEquals(200, removed.status(), removed.text());
        assertEquals(1, json(removed).get("deleted_files").asInt());
        assertEquals(1, json(removed).get("deleted_directories").asInt());
        assertError(dir(2, "GET", "node-d@projects/empty/", null), 404, "no_such_directory");
        assertEquals(404, retrieve(3, "node-d@projects/empty/notes.txt").status());
        // The parent had a marker written with it (as mkdir -p), so it outlives its only child.
        RawHttp.Response stillThere = dir(4, "GET", "node-d@projects", null);
        assertEquals(200, stillThere.status());
        assertEquals(0, json(stillThere).get("entries").size());
        assertEquals(200, dir(4, "DELETE", "node-d@projects", null).status());
        assertError(dir(0, "GET", "node-d@projects", null), 404, "no_such_directory");
        assertError(dir(0, "DELETE", "node-d@projects", null), 404, "no_such_directory");
        assertError(dir(0, "DELETE", "node-d@", "recursive=true"), 400, "root_directory");

        // Paging: 23 files and 3 subdirectories (one holding files, one a marker only, one implicit) in one directory.
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < 23; i++) {
            String name = String.format("f%02d.txt", i);
            assertEquals(200, put(i % 5, "node-d@paged/" + name, new byte[]{(byte) i}).status());
            expected.add(name);
        }
        assertEquals(201, dir(1, "PUT", "node-d@paged/sub-marker", null).status());
        assertEquals(200, put(2, "node-d@paged/sub-files/a.txt", new byte[3]).status());
        assertEquals(200, put(3, "node-d@paged/sub-files/b.txt", new byte[3]).status());
        assertEquals(200, put(3, "node-d@paged/sub-deep/x/y/z.txt", new byte[3]).status());
        expected.addAll(List.of("sub-marker/", "sub-files/", "sub-deep/"));
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            RawHttp.Response page = dir(pages % 5, "GET", "node-d@paged/", "limit=10" + (after == null ? "" : "&after=" + NativeClient.encode(after)));
            assertEquals(200, page.status(), page.text());
            JsonNode body = json(page);
            assertTrue(body.get("entries").size() <= 10);
            for (JsonNode e : body.get("entries")) {
                seen.add(e.get("name").asText());
                if (e.get("type").asText().equals("file")) {
                    assertEquals(1, e.get("size").asInt());
                    assertEquals("node-d@paged/" + e.get("name").asText(), e.get("query").asText());
                }
            }
            after = body.get("truncated").asBoolean() ? body.get("next").asText() : null;
            pages++;
        } while (after != null);
        assertEquals(new ArrayList<>(expected), seen, "every entry once, in key order");
        assertEquals(3, pages);
        RawHttp.Response all = dir(4, "GET", "node-d@paged", "recursive=true");
        assertEquals(23 + 1 + 2 + 1, json(all).get("entries").size(), all.text());
        RawHttp.Response instances = call(2, "GET", "/api/v1/dirs/", null);
        assertEquals(200, instances.status(), instances.text());
        List<String> roots = new ArrayList<>();
        json(instances).get("entries").forEach(e -> roots.add(e.get("query").asText()));
        assertTrue(roots.contains("node-d@"), roots.toString());
        RawHttp.Response instanceRoot = dir(3, "GET", "node-d@", null);
        assertEquals(200, instanceRoot.status(), instanceRoot.text());
        assertTrue(json(instanceRoot).get("entries").toString().contains("\"paged/\""), instanceRoot.text());
        assertError(dir(0, "GET", "node-d@paged", "limit=0"), 400, "invalid_parameter");
        assertError(dir(0, "GET", "node-d@paged", "lmit=5"), 400, "unknown_parameter");
    }

    @Test
    void recursiveDeleteOfAThousandFiles() throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        try {
            List<Future<Integer>> puts = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                int n = i;
                puts.add(writers.submit(() -> put(n % 5, "node-e@bulk/d" + (n % 10) + "/f" + n + ".txt",
                        ("file " + n).getBytes(StandardCharsets.UTF_8)).status()));
            }
            for (Future<Integer> f : puts) {
                assertEquals(200, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            writers.shutdownNow();
        }
        long stored = System.nanoTime();
        assertEquals(201, dir(1, "PUT", "node-e@bulk/d3/empty-sub", null).status());
        int listed = 0;
        String after = null;
        do {
            JsonNode page = json(dir(2, "GET", "node-e@bulk", "recursive=true" + (after == null ? "" : "&after=" + NativeClient.encode(after))));
            listed += page.get("entries").size();
            after = page.get("truncated").asBoolean() ? page.get("next").asText() : null;
        } while (after != null);
        assertEquals(1000 + 2, listed, "1000 files, the marker of empty-sub and of bulk/d3 (written with it)");
        assertError(dir(3, "DELETE", "node-e@bulk", null), 409, "directory_not_empty");
        long deleteStart = System.nanoTime();
        RawHttp.Response removed = dir(3, "DELETE", "node-e@bulk/", "recursive=true");
        long deleted = System.nanoTime();
        assertEquals(200, removed.status(), removed.text());
        assertEquals(1000, json(removed).get("deleted_files").asInt());
        // The markers of bulk/d3/empty-sub/, of bulk/d3/ and of bulk/ itself (PUT writes the parents' too).
        assertEquals(3, json(removed).get("deleted_directories").asInt());
        assertError(dir(4, "GET", "node-e@bulk", "recursive=true"), 404, "no_such_directory");
        for (int i = 0; i < 1000; i += 97) {
            assertEquals(404, retrieve(i % 5, "node-e@bulk/d" + (i % 10) + "/f" + i + ".txt").status());
        }
        System.out.printf("1000 files: stored in %d ms (8 clients), removed recursively in %d ms%n",
                (stored - start) / 1_000_000, (deleted - deleteStart) / 1_000_000);
    }

    @Test
    void badNamesAreRefusedAndNothingIsWrittenOutsideTheDataDirectory() throws Exception {
        Path sentinel = Files.writeString(root.resolve("sentinel.txt"), "untouched");
        Set<Path> before = tree(root);
        assertEquals(200, put(0, "node-a@safe/file.txt", "ok".getBytes(StandardCharsets.UTF_8)).status());
        for (String evil : List.of("node-a@../../../sentinel.txt", "node-a@../escape", "node-a@a/./b", "node-a@a//b",
                "node-a@/etc/passwd", "node-a@dir/", "node-a@line\nbreak", "node-a@nul\u0000byte", "node-a@" + "n".repeat(1025),
                "../node-a@x", "node a@x", "no-at-sign")) {
            RawHttp.Response r = transfer(1, "copy", "node-a@safe/file.txt", evil, null);
            assertError(r, 400, "invalid_query");
            assertTrue(json(r).get("message").asText().length() > 10);
            assertEquals(400, transfer(2, "move", "node-a@safe/file.txt", evil, null).status(), evil);
            if (!evil.endsWith("/")) {
                assertError(dir(3, "PUT", evil, null), 400, "invalid_query");
            }
        }
        assertError(info(4, "node-a@nul\u0000byte"), 400, "invalid_query");
        assertError(call(4, "GET", "/api/v1/files/node-a%40bad%C3", null), 400, "invalid_query");
        assertError(info(4, "node-a@" + "n".repeat(1025)), 400, "invalid_query");
        assertError(info(4, "node-a@safe/"), 400, "is_directory");
        assertError(call(4, "DELETE", "/api/v1/files/" + NativeClient.encode("node-a@line\nbreak"), null), 400, "invalid_query");
        assertError(dir(0, "GET", "node-a@x\u0001y", null), 400, "invalid_query");
        assertError(dir(0, "DELETE", "nobody", "recursive=true"), 400, "invalid_query");
        // The source survived every refused move, and nothing appeared outside the nodes' data directories.
        assertArrayEquals("ok".getBytes(StandardCharsets.UTF_8), retrieve(3, "node-a@safe/file.txt").body());
        assertEquals("untouched", Files.readString(sentinel));
        Set<Path> after = tree(root);
        after.removeAll(before);
        for (Path p : after) {
            assertTrue(p.startsWith(clusterDir), "created outside the data directories: " + p);
            String name = p.getFileName().toString();
            assertFalse(name.contains("escape") || name.contains("passwd") || name.contains("sentinel"), p.toString());
        }
        assertFalse(Files.exists(root.getParent().resolve("escape")));
    }

    private static Set<Path> tree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return new TreeSet<>(s.toList());
        }
    }
}
