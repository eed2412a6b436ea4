package io.hifadhi.node.storage;

import io.hifadhi.api.store.CorruptDataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkStoreTest {
    @TempDir
    Path tmp;

    ChunkRef write(ChunkStore store, byte[] data) throws IOException {
        try (ChunkStore.ChunkWriter w = store.newWriter()) {
            w.write(data, 0, data.length);
            return w.finish();
        }
    }

    @Test
    void chunksAreNamedByTheirSha256AndFannedOut() throws Exception {
        ChunkStore store = new ChunkStore(tmp.resolve("chunks"), true);
        byte[] data = new byte[100_000];
        new Random(1).nextBytes(data);
        ChunkRef ref = write(store, data);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        assertEquals(sha, ref.id());
        assertEquals(data.length, ref.length());
        Path file = tmp.resolve("chunks").resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha);
        assertArrayEquals(data, Files.readAllBytes(file));
        store.verify(ref);
        try (var left = Files.list(tmp.resolve("chunks/.tmp"))) {
            assertEquals(0, left.count(), "temp file renamed away");
        }
        // Same content again: same name, still readable.
        assertEquals(ref, write(store, data));
        store.verify(ref);
    }

    /** A chunk this process named itself is written under that name (not hashed again), with its CRCs; a short one is refused. */
    @Test
    void aChunkNamedByItsWriterIsStoredUnderThatNameAndMustHaveItsLength() throws Exception {
        ChunkStore store = new ChunkStore(tmp.resolve("chunks"), true);
        byte[] data = new byte[100_000];
        new Random(7).nextBytes(data);
        ChunkRef named = new ChunkRef(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), data.length);
        try (ChunkStore.ChunkWriter w = store.newWriter(named)) {
            w.write(data, 0, data.length);
            assertEquals(named, w.finish());
        }
        store.verify(named);
        assertArrayEquals(data, store.readVerified(named));
        try (ChunkStore.ChunkWriter w = store.newWriter(new ChunkRef(named.id(), data.length + 1))) {
            w.write(data, 0, data.length);
            assertThrows(IOException.class, w::finish);
        }
        try (var left = Files.list(tmp.resolve("chunks/.tmp"))) {
            assertEquals(0, left.count(), "the refused chunk's temp file is gone");
        }
        store.verify(named);
    }

    @Test
    void aFlippedByteIsDetectedOnRead() throws Exception {
        ChunkStore store = new ChunkStore(tmp.resolve("chunks"), true);
        byte[] data = new byte[70_000];
        new Random(2).nextBytes(data);
        ChunkRef ref = write(store, data);
        try (FileChannel ch = FileChannel.open(store.pathOf(ref.id()), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{(byte) (data[12345] ^ 1)}), 12345);
        }
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> store.verify(ref));
        assertTrue(e.getMessage().contains(ref.id()));
    }

    @Test
    void truncatedOrMissingChunksAreCorrupt() throws Exception {
        ChunkStore store = new ChunkStore(tmp.resolve("chunks"), false);
        ChunkRef ref = write(store, new byte[5000]);
        try (FileChannel ch = FileChannel.open(store.pathOf(ref.id()), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(4000);
        }
        assertThrows(CorruptDataException.class, () -> store.verify(ref));
        Files.delete(store.pathOf(ref.id()));
        assertThrows(CorruptDataException.class, () -> store.verify(ref));
        assertThrows(CorruptDataException.class, () -> store.openReader(ref));
    }

    /** Bytes [from, from + n) of the chunk as a verified read gives them, through a read buffer's worth at a time. */
    private static byte[] readThrough(ChunkStore store, ChunkRef ref, long from, int n) throws IOException {
        byte[] out = new byte[n];
        ByteBuffer buffer = store.readBuffers().take();
        try (ChunkReader reader = store.openReader(ref)) {
            for (int done = 0; done < n; ) {
                reader.read(from + done, buffer);
                int take = Math.min(buffer.remaining(), n - done);
                buffer.get(out, done, take);
                done += take;
            }
        }
        return out;
    }

    @Test
    void readsCheckTheCrcsWrittenWithTheChunk() throws Exception {
        ChunkStore store = new ChunkStore(tmp.resolve("chunks"), true);
        byte[] data = new byte[5 * ReadBuffers.SIZE / 2 + 123];
        new Random(3).nextBytes(data);
        ChunkRef ref = write(store, data);
        assertTrue(Files.exists(store.crcPathOf(ref.id())), "the CRC file lies beside the chunk");
        assertArrayEquals(data, readThrough(store, ref, 0, data.length));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 70_001, 70_001 + 300_000), readThrough(store, ref, 70_001, 300_000));
        assertArrayEquals(data, store.readVerified(ref));
        try (FileChannel ch = FileChannel.open(store.pathOf(ref.id()), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{(byte) (data[data.length - 5] ^ 1)}), data.length - 5);
        }
        // The blocks before the flipped byte still serve; the one holding it never does, and the bad file is deleted.
        assertArrayEquals(java.util.Arrays.copyOf(data, 1000), readThrough(store, ref, 0, 1000));
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> readThrough(store, ref, data.length - 10, 10));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        assertFalse(Files.exists(store.pathOf(ref.id())), "a chunk that failed SHA-256 is deleted");
        assertFalse(Files.exists(store.crcPathOf(ref.id())));
        assertEquals(0, store.storedBytes());
        assertThrows(CorruptDataException.class, () -> store.openReader(ref));
    }

    @Test
    void aChunkWrittenByAnEarlierReleaseGetsItsCrcsWhenFirstRead() throws Exception {
        ChunkStore store = new ChunkStore(tmp.resolve("chunks"), true);
        byte[] data = new byte[200_000];
        new Random(4).nextBytes(data);
        // As the earlier release wrote it: the chunk file under its SHA-256, nothing beside it.
        ChunkRef ref = new ChunkRef(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), data.length);
        Files.createDirectories(store.pathOf(ref.id()).getParent());
        Files.write(store.pathOf(ref.id()), data);
        assertFalse(Files.exists(store.crcPathOf(ref.id())));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 100_000, 150_000), readThrough(store, ref, 100_000, 50_000));
        byte[] made = Files.readAllBytes(store.crcPathOf(ref.id()));
        ChunkStore fresh = new ChunkStore(tmp.resolve("fresh"), false);
        write(fresh, data);
        assertArrayEquals(Files.readAllBytes(fresh.crcPathOf(ref.id())), made, "the same CRC file a new write makes");

        // A damaged CRC file is judged by SHA-256 too: the chunk is good, so it is served and the CRC file rewritten.
        Files.write(store.crcPathOf(ref.id()), new byte[]{1, 2, 3});
        assertArrayEquals(data, store.readVerified(ref));
        assertArrayEquals(made, Files.readAllBytes(store.crcPathOf(ref.id())));
        byte[] wrongCrc = made.clone();
        wrongCrc[20] ^= 1;
        Files.write(store.crcPathOf(ref.id()), wrongCrc);
        assertArrayEquals(data, store.readVerified(ref));
        assertArrayEquals(made, Files.readAllBytes(store.crcPathOf(ref.id())));
    }

    @Test
    void theScrubRehashesWithSha256() throws Exception {
        ChunkStore store = new ChunkStore(tmp.resolve("chunks"), false);
        byte[] data = new byte[100_000];
        new Random(5).nextBytes(data);
        ChunkRef ref = write(store, data);
        long[] paced = {0};
        assertEquals(ChunkStore.ScrubOutcome.GOOD, store.scrub(ref, n -> paced[0] += n));
        assertTrue(paced[0] >= data.length, "every byte read is paced");
        Files.delete(store.crcPathOf(ref.id()));
        assertEquals(ChunkStore.ScrubOutcome.CHECKSUMS_REWRITTEN, store.scrub(ref, n -> { }));
        assertTrue(Files.exists(store.crcPathOf(ref.id())));
        try (FileChannel ch = FileChannel.open(store.pathOf(ref.id()), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{(byte) (data[99] ^ 0x10)}), 99);
        }
        assertEquals(ChunkStore.ScrubOutcome.CORRUPT_DELETED, store.scrub(ref, n -> { }));
        assertFalse(store.contains(ref.id()));
        assertEquals(ChunkStore.ScrubOutcome.MISSING, store.scrub(ref, n -> { }));
    }

    @Test
    void abandonedWritesLeaveNothingAndLeftoversAreCleanedAtStart() throws Exception {
        ChunkStore store = new ChunkStore(tmp.resolve("chunks"), true);
        try (ChunkStore.ChunkWriter w = store.newWriter()) {
            w.write(new byte[10], 0, 10);
        }
        try (var left = Files.list(tmp.resolve("chunks/.tmp"))) {
            assertEquals(0, left.count());
        }
        Files.write(tmp.resolve("chunks/.tmp/crashed.part"), new byte[3]);
        new ChunkStore(tmp.resolve("chunks"), true);
        assertFalse(Files.exists(tmp.resolve("chunks/.tmp/crashed.part")));
    }

    @Test
    void theCollectorDeletesOnlyChunksNotPutWithinTheGraceAndTheByteCountFollows() throws Exception {
        ChunkStore store = new ChunkStore(tmp.resolve("chunks"), true);
        byte[] a = new byte[70_000];
        new Random(3).nextBytes(a);
        ChunkRef ref = write(store, a);
        ChunkRef other = write(store, new byte[1000]);
        assertEquals(71_000, store.storedBytes());
        write(store, a);
        assertEquals(71_000, store.storedBytes(), "a second put of the same chunk replaces it: no double count");

        long put = store.lastPut(ref.id()).orElseThrow();
        assertEquals(-1, store.deleteIfIdle(ref.id(), put), "put at the cutoff: kept");
        // Made old, then touched (a new reference is coming): kept again, and the time survives a reopen.
        Files.setLastModifiedTime(store.pathOf(ref.id()), java.nio.file.attribute.FileTime.fromMillis(put - 60_000));
        assertTrue(store.touch(ref));
        assertEquals(-1, store.deleteIfIdle(ref.id(), put - 1));
        ChunkStore reopened = new ChunkStore(tmp.resolve("chunks"), true);
        assertEquals(71_000, reopened.storedBytes(), "counted from the files at start");
        assertTrue(reopened.lastPut(ref.id()).orElseThrow() >= put);

        Files.setLastModifiedTime(store.pathOf(ref.id()), java.nio.file.attribute.FileTime.fromMillis(put - 60_000));
        assertEquals(70_000, store.deleteIfIdle(ref.id(), put - 1), "idle since before the cutoff: deleted");
        assertFalse(store.contains(ref.id()));
        assertFalse(store.touch(ref), "a touch of a deleted chunk fails, so the writer puts it again");
        assertEquals(0, store.deleteIfIdle(ref.id(), put), "nothing left to delete");
        assertFalse(store.touch(new ChunkRef(other.id(), 999)), "a truncated copy is not touched");
        assertEquals(1000, store.delete(other.id()));
        assertEquals(0, store.delete(other.id()));
        assertEquals(0, store.storedBytes());
    }
}
