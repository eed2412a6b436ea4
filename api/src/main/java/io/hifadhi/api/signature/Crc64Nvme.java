package io.hifadhi.api.signature;

import java.util.zip.Checksum;

/**
 * CRC-64/NVME (the x-amz-checksum-crc64nvme algorithm): reflected polynomial 0x9A6C9329AC4BC9B5,
 * initial value and final XOR all ones. Table-driven, one byte at a time: fast enough for a checksum
 * that is already dwarfed by the disk write it accompanies.
 */
final class Crc64Nvme implements Checksum {
    private static final long POLY_REFLECTED = 0x9A6C9329AC4BC9B5L;
    private static final long[] TABLE = new long[256];

    static {
        for (int n = 0; n < 256; n++) {
            long crc = n;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY_REFLECTED : crc >>> 1;
            }
            TABLE[n] = crc;
        }
    }

    private long crc = ~0L;

    @Override
    public void update(int b) {
        crc = TABLE[(int) ((crc ^ b) & 0xFF)] ^ (crc >>> 8);
    }

    @Override
    public void update(byte[] bytes, int offset, int length) {
        long c = crc;
        for (int i = offset; i < offset + length; i++) {
            c = TABLE[(int) ((c ^ bytes[i]) & 0xFF)] ^ (c >>> 8);
        }
        crc = c;
    }

    @Override
    public long getValue() {
        return ~crc;
    }

    @Override
    public void reset() {
        crc = ~0L;
    }
}
