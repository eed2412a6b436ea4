package io.hifadhi.api.s3;

import io.hifadhi.api.signature.ChecksumAlgorithm;

/**
 * The CRC of two bodies put end to end, from their CRCs and the second one's length, without their bytes: what
 * makes a full-object CRC of a multipart object possible without reading its parts again. The CRCs S3 uses
 * (CRC32, CRC32C, CRC64NVME) are reflected with an all-ones start and final XOR, so appending {@code len} bytes
 * is a linear map of the first CRC (the GF(2) matrix of {@code len} zero bytes, built by repeated squaring)
 * XORed with the second CRC.
 */
final class CrcCombination {
    private CrcCombination() {
    }

    static boolean supports(ChecksumAlgorithm algorithm) {
        return algorithm == ChecksumAlgorithm.CRC32 || algorithm == ChecksumAlgorithm.CRC32C
                || algorithm == ChecksumAlgorithm.CRC64NVME;
    }

    /** The reflected polynomial of a CRC algorithm. */
    private static long polynomial(ChecksumAlgorithm algorithm) {
        return switch (algorithm) {
            case CRC32 -> 0xEDB88320L;
            case CRC32C -> 0x82F63B78L;
            case CRC64NVME -> 0x9A6C9329AC4BC9B5L;
            default -> throw new IllegalArgumentException(algorithm + " is not a CRC");
        };
    }

    /** The CRC of A followed by B, given CRC(A), CRC(B) and B's length in bytes. */
    static long combine(ChecksumAlgorithm algorithm, long crcA, long crcB, long lengthB) {
        if (lengthB == 0) {
            return crcA; // the CRC of nothing is 0 for these CRCs
        }
        int width = algorithm.length() * 8;
        long[] odd = new long[width];
        long[] even = new long[width];
        odd[0] = polynomial(algorithm); // the operator for one zero bit
        long row = 1;
        for (int n = 1; n < width; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four zero bits
        long crc = crcA;
        long remaining = lengthB;
        do {
            square(even, odd); // the first pass gives one zero byte, each next one doubles it
            if ((remaining & 1) != 0) {
                crc = times(even, crc);
            }
            remaining >>>= 1;
            if (remaining == 0) {
                break;
            }
            square(odd, even);
            if ((remaining & 1) != 0) {
                crc = times(odd, crc);
            }
            remaining >>>= 1;
        } while (remaining != 0);
        return crc ^ crcB;
    }

    private static long times(long[] matrix, long vector) {
        long sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static void square(long[] square, long[] matrix) {
        for (int n = 0; n < matrix.length; n++) {
            square[n] = times(matrix, matrix[n]);
        }
    }

    /** A CRC value from its big-endian bytes (as S3 encodes it). */
    static long value(byte[] bigEndian) {
        long v = 0;
        for (byte b : bigEndian) {
            v = (v << 8) | (b & 0xFF);
        }
        return v;
    }

    /** The big-endian bytes of a CRC value of {@code width} bytes. */
    static byte[] bytes(long value, int width) {
        byte[] out = new byte[width];
        for (int i = width - 1; i >= 0; i--) {
            out[i] = (byte) value;
            value >>>= 8;
        }
        return out;
    }
}
