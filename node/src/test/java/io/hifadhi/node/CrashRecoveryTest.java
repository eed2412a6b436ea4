package io.hifadhi.node;

import io.hifadhi.node.testing.Digests;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** kill -9 right after the 200, restart on the same data directory: every acknowledged file is intact. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CrashRecoveryTest {
    static final String KEY = "crash-test-shard-key";

    @TempDir
    Path tmp;

    @Test
    void acknowledgedWritesSurviveSigkill() throws Exception {
        Path data = tmp.resolve("data");
        Path log = tmp.resolve("node.log");
        record Stored(String query, long seed, long size) {
        }
        List<Stored> stored = new ArrayList<>();
        long[][] rounds = {{1, 6L << 20}, {2, 1000}, {3, 9L << 20}};
        for (long[] round : rounds) {
            NodeProcess node = NodeProcess.start(data, KEY, "-Xmx256m", log);
            NativeClient client = new NativeClient(node.port(), KEY);
            // Everything stored in earlier lives is still there.
            for (Stored s : stored) {
                assertIntact(client, s.query(), s.seed(), s.size());
            }
            String name = "crash-" + round[0] + ".bin";
            HttpResponse<String> r = client.storeSeeded(name, round[0], round[1]);
            node.kill9(); // the instant the 200 arrived
            assertEquals(200, r.statusCode(), r.body());
            stored.add(new Stored(r.body(), round[0], round[1]));
        }
        try (NodeProcess node = NodeProcess.start(data, KEY, "-Xmx256m", log)) {
            NativeClient client = new NativeClient(node.port(), KEY);
            for (Stored s : stored) {
                assertIntact(client, s.query(), s.seed(), s.size());
            }
        }
        // Killed mid-life, the node left no temp chunk behind after its restart's cleanup.
        try (var files = Files.list(data.resolve("chunks").resolve(".tmp"))) {
            assertEquals(0, files.count());
        }
    }

    static void assertIntact(NativeClient client, String query, long seed, long size) throws Exception {
        HttpResponse<InputStream> got = client.send(client.get("retrieve", query), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, got.statusCode(), query);
        try (InputStream in = got.body()) {
            assertEquals(Digests.seededSha256(seed, size), Digests.sha256(in), query);
        }
    }
}
