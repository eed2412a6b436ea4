package io.hifadhi.ring;

import java.util.Arrays;

/**
 * Sorts token positions (signed order) carrying their owner indexes along. LSD radix sort, 16 bits a
 * pass: stable, O(n), and no boxing, which matters for rings of a million tokens.
 */
final class TokenSort {

    private static final int BITS = 16;
    private static final int BUCKETS = 1 << BITS;

    private TokenSort() {
    }

    static void sort(long[] keys, int[] values) {
        int n = keys.length;
        if (n < 2) {
            return;
        }
        long[] keyBuf = new long[n];
        int[] valueBuf = new int[n];
        int[] count = new int[BUCKETS + 1];
        long[] srcK = keys;
        int[] srcV = values;
        long[] dstK = keyBuf;
        int[] dstV = valueBuf;
        for (int shift = 0; shift < 64; shift += BITS) {
            Arrays.fill(count, 0);
            for (int i = 0; i < n; i++) {
                count[digit(srcK[i], shift) + 1]++;
            }
            for (int b = 0; b < BUCKETS; b++) {
                count[b + 1] += count[b];
            }
            for (int i = 0; i < n; i++) {
                int pos = count[digit(srcK[i], shift)]++;
                dstK[pos] = srcK[i];
                dstV[pos] = srcV[i];
            }
            long[] tk = srcK;
            srcK = dstK;
            dstK = tk;
            int[] tv = srcV;
            srcV = dstV;
            dstV = tv;
        }
        // Four passes: the sorted data is back in the caller's arrays.
    }

    private static int digit(long key, int shift) {
        // Flipping the sign bit turns signed order into unsigned order for the top digit.
        return (int) (((key ^ Long.MIN_VALUE) >>> shift) & (BUCKETS - 1));
    }
}
