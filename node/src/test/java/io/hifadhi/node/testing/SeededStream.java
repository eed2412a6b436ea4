package io.hifadhi.node.testing;

import java.io.InputStream;
import java.util.SplittableRandom;

/** Deterministic pseudo-random bytes of a given length, generated on the fly (never held in memory). */
public final class SeededStream extends InputStream {
    private final SplittableRandom random;
    private long left;
    private long word;
    private int wordLeft;

    public SeededStream(long seed, long length) {
        this.random = new SplittableRandom(seed);
        this.left = length;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (left == 0) {
            return -1;
        }
        int n = (int) Math.min(len, left);
        for (int i = 0; i < n; i++) {
            if (wordLeft == 0) {
                word = random.nextLong();
                wordLeft = 8;
            }
            b[off + i] = (byte) word;
            word >>>= 8;
            wordLeft--;
        }
        left -= n;
        return n;
    }

    /** The bytes [offset, offset+length) of the stream with this seed. */
    public static byte[] slice(long seed, long offset, int length) {
        try (SeededStream s = new SeededStream(seed, offset + length)) {
            s.skipNBytes(offset);
            return s.readAllBytes();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
