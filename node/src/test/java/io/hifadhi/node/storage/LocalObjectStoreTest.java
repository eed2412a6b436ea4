package io.hifadhi.node.storage;

import io.hifadhi.api.store.CorruptDataException;
import io.hifadhi.api.store.ListPage;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;
import io.hifadhi.api.store.StoredObject;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.testing.SeededStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LocalObjectStore over a real ChunkStore and RocksDB, with a small chunk size to get many chunks. */
class LocalObjectStoreTest {
    static final int CHUNK = 64 * 1024;

    @TempDir
    java.nio.file.Path tmp;
    AtomicLong wall = new AtomicLong(1_700_000_000_000L);
    ChunkStore chunks;
    NodeDatabase database;
    RecordStore records;
    LocalObjectStore store;

    @BeforeEach
    void open() throws IOException {
        chunks = new ChunkStore(tmp.resolve("chunks"), true);
        database = NodeDatabase.open(tmp.resolve("db"), true);
        records = new RecordStore(database, new RecordCodec());
        store = new LocalObjectStore(chunks, records, new HybridLogicalClock("n1", wall::get), CHUNK);
    }

    @AfterEach
    void close() {
        database.close();
    }

    PutResult put(String key, long seed, long size) throws IOException {
        return store.put(new ObjectWrite("b", key, "application/x-test", Map.of("m", "v")), new SeededStream(seed, size));
    }

    byte[] read(String key, long offset, long length) throws IOException {
        try (InputStream in = store.get("b", key).orElseThrow().open(offset, length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void anExpiredObjectIsAbsentToReadsAndListingsAtOnce() throws IOException {
        java.time.Instant now = java.time.Instant.now();
        store.put(new ObjectWrite("b", "gone", null, Map.of(), now.minusMillis(1)), new SeededStream(1, 3 * CHUNK));
        store.put(new ObjectWrite("b", "later", null, Map.of(), now.plusSeconds(3600)), new SeededStream(2, 10));
        put("never", 3, 10);
        assertTrue(store.get("b", "gone").isEmpty());
        assertTrue(store.record("b", "gone").isEmpty());
        assertEquals(now.plusSeconds(3600).toEpochMilli(), store.get("b", "later").orElseThrow().info().expiresAt().toEpochMilli());
        assertEquals(null, store.get("b", "never").orElseThrow().info().expiresAt());
        assertEquals(List.of("later", "never"), store.list("b", "", null, 10).objects().stream().map(ObjectInfo::key).toList());
        // Paging goes on past expired keys: one key a page, still every live key once.
        ListPage first = store.list("b", "", null, 1);
        assertEquals(List.of("later"), first.objects().stream().map(ObjectInfo::key).toList());
        assertTrue(first.truncated());
        assertEquals(List.of("never"), store.list("b", "", "later", 1).objects().stream().map(ObjectInfo::key).toList());
    }

    @Test
    void expiryDeletesExactlyTheVersionItJudgedNeverANewerOne() throws IOException {
        put("k", 1, 100);
        ObjectRecord judged = store.record("b", "k").orElseThrow();
        wall.addAndGet(5);
        put("k", 2, 200); // a PUT racing the expiry pass
        ObjectRecord newer = store.record("b", "k").orElseThrow();
        assertFalse(store.expire("b", "k", judged.version()), "the newer version stays");
        assertArrayEquals(SeededStream.slice(2, 0, 200), read("k", 0, 200));
        // In the cluster the same holds by stamp order: the expiry tombstone beats the judged version, not the newer one.
        ObjectRecord tombstone = ObjectRecord.expiryTombstone("b", "k", judged.version());
        assertTrue(tombstone.deleted() && tombstone.version().isNewerThan(judged.version()));
        assertTrue(newer.version().isNewerThan(tombstone.version()));
        assertTrue(store.expire("b", "k", newer.version()));
        assertTrue(store.get("b", "k").isEmpty());
        assertTrue(records.get("b", "k").orElseThrow().deleted());
    }

    @Test
    void inlineAndChunkedBodiesReadBackByRange() throws IOException {
        for (long size : new long[]{0, 1, LocalObjectStore.INLINE_MAX, LocalObjectStore.INLINE_MAX + 1, CHUNK, CHUNK + 1, 5L * CHUNK + 17}) {
            String key = "k" + size;
            PutResult r = put(key, size, size);
            assertEquals(size, r.object().size());
            assertFalse(r.replaced());
            assertArrayEquals(SeededStream.slice(size, 0, (int) size), read(key, 0, size), "size " + size);
            if (size > 10) {
                for (long[] range : new long[][]{{0, 1}, {size - 1, 1}, {size / 2, size / 2}, {CHUNK - 3, Math.min(7, size - CHUNK + 3)}}) {
                    if (range[0] >= 0 && range[0] + range[1] <= size && range[1] > 0) {
                        assertArrayEquals(SeededStream.slice(size, range[0], (int) range[1]), read(key, range[0], range[1]),
                                "size " + size + " range " + range[0] + "+" + range[1]);
                    }
                }
            }
        }
        ObjectRecord big = records.get("b", "k" + (5L * CHUNK + 17)).orElseThrow();
        assertEquals(6, big.chunks().size());
        assertEquals(null, big.inline());
        assertTrue(records.get("b", "k" + LocalObjectStore.INLINE_MAX).orElseThrow().inline() != null);
        assertThrows(IllegalArgumentException.class, () -> store.get("b", "k1").orElseThrow().open(0, 2));
    }

    @Test
    void etagIsTheMd5OfTheBodyAndMetadataIsKept() throws Exception {
        PutResult r = store.put(new ObjectWrite("b", "hello", "text/plain", Map.of("a", "1")),
                new ByteArrayInputStream("hello".getBytes()));
        ObjectInfo info = store.get("b", "hello").orElseThrow().info();
        assertEquals("5d41402abc4b2a76b9719d911017c592", info.etag());
        assertEquals("text/plain", info.contentType());
        assertEquals(Map.of("a", "1"), info.userMetadata());
        assertEquals(r.object(), info);
    }

    @Test
    void stagingThenCommittingUnderAKey() throws IOException {
        StagedBody staged = store.stage(new SeededStream(3, 200_000));
        assertEquals(200_000, staged.size());
        assertTrue(store.get("b", "later").isEmpty(), "staged bytes are invisible until committed");
        store.commit(new ObjectWrite("b", "later", null, null), staged);
        assertArrayEquals(SeededStream.slice(3, 0, 200_000), read("later", 0, 200_000));
    }

    @Test
    void overwriteWinsEvenIfTheWallClockSteppedBack() throws IOException {
        put("k", 1, 100_000);
        StoredObject old = store.get("b", "k").orElseThrow();
        wall.addAndGet(-60_000); // clock stepped back a minute
        PutResult second = put("k", 2, 90_000);
        assertTrue(second.replaced());
        StoredObject now = store.get("b", "k").orElseThrow();
        assertEquals(90_000, now.info().size());
        assertArrayEquals(SeededStream.slice(2, 0, 90_000), read("k", 0, 90_000));
        // A reader holding the old version can still stream it: chunks are immutable and not collected.
        try (InputStream in = old.open(0, 100_000)) {
            assertArrayEquals(SeededStream.slice(1, 0, 100_000), in.readAllBytes());
        }
    }

    @Test
    void deleteWritesATombstone() throws IOException {
        put("gone", 1, 10);
        assertTrue(store.delete("b", "gone"));
        assertTrue(store.get("b", "gone").isEmpty());
        assertTrue(records.get("b", "gone").orElseThrow().deleted());
        assertFalse(store.delete("b", "gone"));
        put("gone", 2, 10);
        assertTrue(store.get("b", "gone").isPresent());
    }

    @Test
    void listsByPrefixAfterAMarker() throws IOException {
        for (String k : List.of("a/1", "a/2", "a/3", "b/1", "a/0")) {
            put(k, 1, 5);
        }
        store.delete("b", "a/2");
        store.put(new ObjectWrite("other", "a/9", null, null), new ByteArrayInputStream(new byte[1]));
        ListPage page = store.list("b", "a/", null, 2);
        assertEquals(List.of("a/0", "a/1"), page.objects().stream().map(ObjectInfo::key).toList());
        assertTrue(page.truncated());
        ListPage rest = store.list("b", "a/", "a/1", 10);
        assertEquals(List.of("a/3"), rest.objects().stream().map(ObjectInfo::key).toList());
        assertFalse(rest.truncated());
        assertEquals(5 - 1, store.list("b", "", null, 100).objects().size());
    }

    @Test
    void corruptChunksAreNeverServed() throws IOException {
        put("c", 4, 3L * CHUNK);
        ObjectRecord r = records.get("b", "c").orElseThrow();
        ChunkRef second = r.chunks().get(1);
        try (FileChannel ch = FileChannel.open(chunks.pathOf(second.id()), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{42, 43, 44}), 100);
        }
        StoredObject obj = store.get("b", "c").orElseThrow();
        // A range inside the bad chunk fails before any byte is returned.
        assertThrows(CorruptDataException.class, () -> obj.open(CHUNK + 10, 10));
        // A read that starts in a good chunk returns that chunk, then fails instead of serving the bad one.
        try (InputStream in = obj.open(0, 3L * CHUNK)) {
            byte[] first = in.readNBytes(CHUNK);
            assertArrayEquals(SeededStream.slice(4, 0, CHUNK), first);
            assertThrows(CorruptDataException.class, () -> in.readNBytes(10));
        }
        // The untouched first and third chunks still serve.
        assertArrayEquals(SeededStream.slice(4, 2L * CHUNK, 100), read("c", 2L * CHUNK, 100));
    }

    @Test
    void recordsSurviveReopening() throws IOException {
        put("durable", 9, 100_000);
        database.close();
        database = NodeDatabase.open(tmp.resolve("db"), true);
        records = new RecordStore(database, new RecordCodec());
        store = new LocalObjectStore(chunks, records, new HybridLogicalClock("n1", wall::get), CHUNK);
        assertArrayEquals(SeededStream.slice(9, 0, 100_000), read("durable", 0, 100_000));
    }
}
