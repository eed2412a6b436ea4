package io.hifadhi.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class KeyHashTest {

    @Test
    void stringHashIsTheFirstEightBytesOfSha256BigEndian() {
        // Reference values from `printf '' | sha256sum` and `printf abc | sha256sum`.
        assertEquals(0xe3b0c44298fc1c14L, KeyHash.of(""));
        assertEquals(0xba7816bf8f01cfeaL, KeyHash.of("abc"));
    }

    @Test
    void objectHashJoinsBucketAndKeyWithASlash() {
        assertEquals(KeyHash.of("photos/2024/cat.jpg"), KeyHash.ofObject("photos", "2024/cat.jpg"));
        assertEquals(0x26bde5e458d1231cL, KeyHash.ofObject("photos", "cat-0.jpg"));
    }

    @Test
    void chunkHashAgreesWithStringHashOnTheSameDigest() throws Exception {
        for (String s : new String[] {"", "a", "x/ü-ключ", "photos/" + "z".repeat(1000)}) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            assertEquals(KeyHash.of(s), KeyHash.ofChunk(digest), s);
        }
    }

    @Test
    void theReusedDigestHashesAsAFreshOneForManyKeysAndThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                runs.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 20_000; i++) {
                        String bucket = "bucket-" + random.nextInt(50);
                        String key = "k/" + Long.toHexString(random.nextLong()) + "-ü".repeat(random.nextInt(4));
                        assertEquals(fresh(bucket + "/" + key), KeyHash.ofObject(bucket, key), bucket + "/" + key);
                        assertEquals(fresh(key), KeyHash.of(key), key);
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The first eight bytes, big-endian, of SHA-256 by a digest made for this one value. */
    private static long fresh(String value) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(d).getLong();
    }

    @Test
    void chunkIdMustBeAThirtyTwoByteDigest() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyHash.ofChunk(new byte[31]));
        assertTrue(e.getMessage().contains("32-byte"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KeyHash.ofChunk(new byte[33]));
        assertThrows(NullPointerException.class, () -> KeyHash.ofChunk(null));
        assertThrows(NullPointerException.class, () -> KeyHash.ofObject(null, "k"));
    }

    @Test
    void tokenPositionIsTheHashOfIdHashIndex() {
        assertEquals(KeyHash.of("node-1#7"), KeyHash.ofToken("node-1", 7));
        assertEquals(0x2f8349b581dcf2b5L, KeyHash.ofToken("alpha", 0));
        assertEquals(0x031812208fc2a66eL, KeyHash.ofToken("alpha", 1));
    }

    @Test
    void hexIsSixteenUnsignedDigits() {
        assertEquals("00000000000000ab", KeyHash.toHex(0xabL));
        assertEquals("ffffffffffffffff", KeyHash.toHex(-1L));
        assertEquals("8000000000000000", KeyHash.toHex(Long.MIN_VALUE));
    }
}
