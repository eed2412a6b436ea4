package io.hifadhi.node.replication;

import io.hifadhi.node.storage.NodeDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hint store over a real RocksDB: hints of a removed node are dropped, the others stay, and across a reopen. */
class HintStoreTest {
    @TempDir
    Path dir;

    @Test
    void hintsForARemovedNodeAreDroppedAndOnlyThose() throws Exception {
        try (NodeDatabase database = NodeDatabase.open(dir, true)) {
            HintStore hints = new HintStore(database);
            assertTrue(hints.isEmpty());
            hints.add("node-b", HintStore.Kind.CHUNK, "ab:1".getBytes(StandardCharsets.UTF_8));
            assertFalse(hints.isEmpty());
            hints.add("node-b", HintStore.Kind.RECORD, new byte[]{1});
            hints.add("node-bb", HintStore.Kind.CHUNK, "cd:2".getBytes(StandardCharsets.UTF_8));
            hints.add("node-c", HintStore.Kind.RECORD, new byte[]{2});
            assertEquals(2, hints.dropFor("node-b"));
            assertEquals(0, hints.dropFor("node-b"));
        }
        try (NodeDatabase database = NodeDatabase.open(dir, true)) {
            HintStore hints = new HintStore(database);
            assertEquals(List.of("node-bb", "node-c"), hints.targets());
            List<String> seen = new ArrayList<>();
            hints.forEach(h -> seen.add(h.target() + " " + h.kind()));
            assertEquals(List.of("node-bb CHUNK", "node-c RECORD"), seen);
            hints.dropFor("node-bb");
            hints.dropFor("node-c");
            assertTrue(hints.isEmpty(), "every hint dropped");
            assertEquals(0, hints.count());
        }
    }
}
