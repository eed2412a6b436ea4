package io.hifadhi.node.table;

import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.schema.EntryStore;
import io.hifadhi.node.storage.NodeDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The entries a table keeps from its reads never outlive a write: every lookup answers as the database would. */
class TableStoreTest {
    @TempDir
    Path dir;

    @Test
    void aLookupSeesEveryWriteDeleteAndOtherTablesWriteAtOnce() throws Exception {
        try (NodeDatabase db = NodeDatabase.open(dir, true)) {
            TableStore store = new TableStore(db);
            AtomicLong wall = new AtomicLong(100);
            ReplicatedTable keys = new ReplicatedTable("keys", store, new HybridLogicalClock("node-a", wall::get));
            ReplicatedTable buckets = new ReplicatedTable("buckets", store, new HybridLogicalClock("node-a", wall::get));

            assertEquals(Optional.empty(), keys.get("AK1"), "absent, and now kept as absent");
            keys.put("AK1", bytes("one"));
            assertArrayEquals(bytes("one"), keys.get("AK1").orElseThrow(), "the absence kept before does not outlive the put");
            assertArrayEquals(bytes("one"), keys.get("AK1").orElseThrow());
            wall.addAndGet(10);
            keys.put("AK1", bytes("two"));
            assertArrayEquals(bytes("two"), keys.get("AK1").orElseThrow());
            wall.addAndGet(10);
            keys.delete("AK1");
            assertEquals(Optional.empty(), keys.get("AK1"));

            buckets.put("photos", bytes("owner=x"));
            assertArrayEquals(bytes("owner=x"), buckets.get("photos").orElseThrow());
            assertEquals(Optional.empty(), keys.get("photos"), "tables do not share entries");
        }
    }

    @Test
    void anEntryDeletedOutrightOrWrittenBelowTheTableIsNotAnsweredFromWhatWasKept() throws Exception {
        try (NodeDatabase db = NodeDatabase.open(dir, true)) {
            TableStore store = new TableStore(db);
            EntryStore<TableEntry> range = store.table("grants", new TableEntrySchema());
            TableEntry first = new TableEntry("g", bytes("a"), new VersionStamp(1, 0, "n"), false);
            range.putAll(List.of(first));
            assertArrayEquals(bytes("a"), range.get(bytes("g")).orElseThrow().value());
            range.deleteAll(List.of(bytes("g")));
            assertEquals(Optional.empty(), range.get(bytes("g")), "tombstone GC and hand-over delete outright");
            range.putAll(List.of(new TableEntry("g", bytes("b"), new VersionStamp(2, 0, "n"), false)));
            byte[] key = bytes("g");
            Optional<TableEntry> read = range.get(key);
            key[0] = 'x'; // the caller's key array is not what the store keeps
            assertArrayEquals(bytes("b"), read.orElseThrow().value());
            assertArrayEquals(bytes("b"), range.get(bytes("g")).orElseThrow().value());
            assertTrue(range.get(bytes("x")).isEmpty());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
