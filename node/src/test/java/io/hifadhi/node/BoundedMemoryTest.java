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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node with a 96 MiB heap stores and serves a 1 GiB file: memory does not grow with object size. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BoundedMemoryTest {
    static final String KEY = "memory-test-shard-key";
    static final long SIZE = 1L << 30;

    @TempDir
    Path tmp;

    @Test
    void oneGibibyteThroughANinetySixMebibyteHeap() throws Exception {
        Path log = tmp.resolve("node.log");
        try (NodeProcess node = NodeProcess.start(tmp.resolve("data"), KEY, "-Xmx96m", log)) {
            NativeClient client = new NativeClient(node.port(), KEY);
            long t0 = System.nanoTime();
            HttpResponse<String> stored = client.storeSeeded("big.bin", 42, SIZE);
            long t1 = System.nanoTime();
            assertEquals(200, stored.statusCode(), stored.body());
            String expected = Digests.seededSha256(42, SIZE);
            for (int i = 0; i < 2; i++) {
                long t2 = System.nanoTime();
                HttpResponse<InputStream> got = client.send(client.get("retrieve", stored.body()), HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, got.statusCode());
                try (InputStream in = got.body()) {
                    assertEquals(expected, Digests.sha256(in));
                }
                System.out.printf("1 GiB download %d through -Xmx96m: %.1f s%n", i, (System.nanoTime() - t2) / 1e9);
            }
            System.out.printf("1 GiB upload through -Xmx96m: %.1f s%n", (t1 - t0) / 1e9);
            String metrics = client.getText("/metrics").body();
            long heapMax = NativeApiTest.metric(metrics, "jvm_memory_heap_max_bytes");
            assertTrue(heapMax > 0 && heapMax <= 96L << 20, "heap max " + heapMax);
            assertTrue(node.process().isAlive());
        }
        String out = Files.readString(log);
        assertFalse(out.contains("OutOfMemoryError"), out);
    }
}
