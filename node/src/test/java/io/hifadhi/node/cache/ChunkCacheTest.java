package io.hifadhi.node.cache;

import io.hifadhi.node.storage.ChunkRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkCacheTest {
    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(1_000);

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ChunkRef ref(byte[] b) {
        return new ChunkRef(ChunkCache.sha256Hex(b), b.length);
    }

    @Test
    void keepsVerifiedChunksAndEvictsTheLeastRecentlyUsedBeyondItsBound() throws Exception {
        ChunkCache cache = new ChunkCache(dir.resolve("cache"), 3000, clock::get);
        byte[] a = bytes(1000, 1);
        byte[] b = bytes(1000, 2);
        byte[] c = bytes(1000, 3);
        byte[] d = bytes(1000, 4);
        assertTrue(cache.fill(ref(a).id(), a));
        assertTrue(cache.fill(ref(b).id(), b));
        assertTrue(cache.fill(ref(c).id(), c));
        assertArrayEquals(a, cache.read(ref(a)).orElseThrow()); // a is now the most recently used
        assertTrue(cache.fill(ref(d).id(), d));
        assertEquals(3000, cache.bytes());
        assertEquals(1, cache.evictions());
        assertTrue(cache.read(ref(b)).isEmpty(), "b was the least recently used");
        assertFalse(Files.exists(cache.pathOf(ref(b).id())), "an evicted chunk's file is removed");
        assertArrayEquals(c, cache.read(ref(c)).orElseThrow());
        assertEquals(2, cache.hits());
        assertEquals(1, cache.misses());
        assertEquals(2000, cache.hitBytes());
    }

    @Test
    void refusesBytesThatAreNotWhatTheIdNames() throws Exception {
        ChunkCache cache = new ChunkCache(dir.resolve("cache"), 1 << 20, clock::get);
        byte[] a = bytes(500, 1);
        byte[] other = bytes(500, 2);
        assertFalse(cache.fill(ref(a).id(), other), "bytes whose SHA-256 differs are never kept");
        assertFalse(cache.fill("../../etc/passwd", a), "an id that is no SHA-256 never becomes a path");
        assertFalse(cache.fill(ref(a).id().toUpperCase(), a));
        assertEquals(0, cache.entries());
        assertFalse(new ChunkCache(dir.resolve("small"), 100, clock::get).fill(ref(a).id(), a), "larger than the whole cache");
    }

    @Test
    void aDamagedFileIsNeverServedAndIsDropped() throws Exception {
        ChunkCache cache = new ChunkCache(dir.resolve("cache"), 1 << 20, clock::get);
        byte[] a = bytes(4096, 1);
        cache.fill(ref(a).id(), a);
        byte[] damaged = a.clone();
        damaged[100] ^= 1;
        Files.write(cache.pathOf(ref(a).id()), damaged);
        assertTrue(cache.read(ref(a)).isEmpty());
        assertEquals(0, cache.entries());
        assertFalse(Files.exists(cache.pathOf(ref(a).id())));
    }

    @Test
    void survivesARestartWithinItsBoundAndClearsLeftoverTempFiles() throws Exception {
        Path root = dir.resolve("cache");
        ChunkCache cache = new ChunkCache(root, 10_000, clock::get);
        byte[] a = bytes(1000, 1);
        byte[] b = bytes(1000, 2);
        cache.fill(ref(a).id(), a);
        cache.fill(ref(b).id(), b);
        Files.write(root.resolve(".tmp").resolve("half-written.part"), new byte[10]);
        ChunkCache reopened = new ChunkCache(root, 1500, clock::get);
        assertEquals(1, reopened.entries(), "reopened with a smaller bound, it evicts down to it");
        assertEquals(0, Files.list(root.resolve(".tmp")).count());
        assertTrue(reopened.drop(reopened.contains(ref(a).id()) ? ref(a).id() : ref(b).id()));
        assertEquals(0, reopened.bytes());
    }

    @Test
    void tellsWhichChunksNobodyUsedSinceATime() throws Exception {
        ChunkCache cache = new ChunkCache(dir.resolve("cache"), 1 << 20, clock::get);
        byte[] a = bytes(100, 1);
        byte[] b = bytes(100, 2);
        cache.fill(ref(a).id(), a);
        clock.set(2_000);
        cache.fill(ref(b).id(), b);
        clock.set(3_000);
        assertEquals(List.of(ref(a).id()), cache.idleSince(1_500));
        cache.read(ref(a));
        assertEquals(List.of(ref(b).id()), cache.idleSince(2_500), "reading a chunk makes it used again");
        assertEquals(List.of(), cache.idleSince(2_000));
    }

    @Test
    void aCacheOfZeroBytesKeepsNothing() throws Exception {
        ChunkCache cache = new ChunkCache(dir.resolve("cache"), 0, clock::get);
        byte[] a = bytes(10, 1);
        assertFalse(cache.fill(ref(a).id(), a));
        assertTrue(cache.read(ref(a)).isEmpty());
    }
}
