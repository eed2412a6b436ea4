package io.hifadhi.node.schema;

import io.hifadhi.node.clock.VersionStamp;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one last-writer-wins merge, over a schema and a store kept in memory (which other tables' tests use too). */
public class LocalMergeTest {
    public record Entry(String key, String value, VersionStamp version, boolean deleted) implements Versioned {
    }

    public static final class Schema implements TableSchema<Entry> {
        @Override
        public byte[] key(Entry e) {
            return e.key().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public long position(Entry e) {
            return e.key().hashCode();
        }

        @Override
        public int formatVersion() {
            return 1;
        }

        @Override
        public byte[] encode(Entry e) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Entry decode(byte[] key, byte[] value) {
            throw new UnsupportedOperationException();
        }
    }

    public static final class Memory implements EntryStore<Entry> {
        final TreeMap<String, Entry> entries = new TreeMap<>();
        int writes;

        @Override
        public Optional<Entry> get(byte[] key) {
            return Optional.ofNullable(entries.get(new String(key, StandardCharsets.UTF_8)));
        }

        @Override
        public void putAll(List<Entry> batch) {
            writes++;
            batch.forEach(e -> entries.put(e.key(), e));
        }

        @Override
        public void deleteAll(List<byte[]> keys) {
            keys.forEach(k -> entries.remove(new String(k, StandardCharsets.UTF_8)));
        }

        @Override
        public void forEach(Consumer<Entry> visitor) {
            entries.values().forEach(visitor);
        }
    }

    public static Entry entry(String key, long wall, String node, boolean deleted) {
        return new Entry(key, deleted ? null : key + "@" + wall, new VersionStamp(wall, 0, node), deleted);
    }

    private final Memory store = new Memory();
    private final LocalMerge<Entry> local = new LocalMerge<>(new Schema(), store);

    @Test
    void theNewerStampIsStoredAndAnOlderOrEqualOneIsNot() throws Exception {
        Entry first = entry("k", 10, "a", false);
        LocalMerge.Merged<Entry> merged = local.merge(first);
        assertTrue(merged.stored());
        assertNull(merged.previous());
        Entry newer = entry("k", 10, "b", false);
        assertTrue(local.merge(newer).stored(), "same wall time: the node id breaks the tie");
        LocalMerge.Merged<Entry> older = local.merge(first);
        assertFalse(older.stored());
        assertSame(newer, older.previous());
        assertFalse(local.merge(entry("k", 10, "b", false)).stored(), "a tie keeps what is held");
        assertSame(newer, store.entries.get("k"));
    }

    @Test
    void anyOrderOfTheSameVersionsConverges() throws Exception {
        List<Entry> versions = List.of(entry("k", 5, "a", false), entry("k", 9, "c", true), entry("k", 7, "b", false),
                entry("j", 3, "a", false), entry("j", 3, "b", false));
        for (int rotation = 0; rotation < versions.size(); rotation++) {
            Memory other = new Memory();
            LocalMerge<Entry> replica = new LocalMerge<>(new Schema(), other);
            List<Entry> order = new ArrayList<>(versions);
            java.util.Collections.rotate(order, rotation);
            for (Entry e : order) {
                replica.merge(e);
            }
            assertEquals(new VersionStamp(9, 0, "c"), other.entries.get("k").version());
            assertTrue(other.entries.get("k").deleted());
            assertEquals(new VersionStamp(3, 0, "b"), other.entries.get("j").version());
        }
    }

    @Test
    void aBatchStoresOnlyItsWinnersInOneWrite() throws Exception {
        local.merge(entry("held", 50, "a", false));
        int stored = local.mergeAll(List.of(entry("held", 40, "a", false), entry("new", 1, "a", false),
                entry("new", 2, "a", false), entry("new", 1, "b", false)));
        assertEquals(1, stored, "one key, its newest version");
        assertEquals(2, store.writes);
        assertEquals(2, store.entries.get("new").version().wallMillis());
        assertEquals(50, store.entries.get("held").version().wallMillis());
        assertEquals(0, local.mergeAll(List.of(entry("held", 1, "a", false))));
        assertEquals(2, store.writes, "nothing won: nothing written");
    }

    @Test
    void onlyATombstoneNoNewerThanTheCollectedOneIsDropped() throws Exception {
        local.merge(entry("gone", 10, "a", true));
        local.merge(entry("back", 20, "a", false));
        VersionStamp collected = new VersionStamp(15, 0, "a");
        assertFalse(local.dropIf(key("back"), e -> LastWriterWins.collectable(e, collected)), "live: written since");
        assertTrue(local.dropIf(key("gone"), e -> LastWriterWins.collectable(e, collected)));
        assertFalse(local.dropIf(key("gone"), e -> true), "nothing held");
        assertEquals(List.of("back"), List.copyOf(store.entries.keySet()));
        local.merge(entry("late", 30, "a", true));
        assertFalse(local.dropIf(key("late"), e -> LastWriterWins.collectable(e, collected)), "a newer tombstone stays");
    }

    @Test
    void newerPicksTheNewerStampAndTheFirstOnATie() {
        Entry a = entry("k", 10, "a", false);
        Entry b = entry("k", 10, "b", false);
        assertSame(b, LastWriterWins.newer(a, b), "same wall time: the node id breaks the tie");
        assertSame(b, LastWriterWins.newer(b, a));
        assertSame(a, LastWriterWins.newer(a, null));
        assertSame(a, LastWriterWins.newer(null, a));
        assertSame(a, LastWriterWins.newer(a, entry("k", 10, "a", false)));
    }

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }
}
