package io.hifadhi.node.storage;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The CRC32C of each {@link #BLOCK}-byte block of one chunk, kept in a small file beside it ({@code <id>.crc}). A read
 * checks only the blocks it returns, with a checksum the CPU computes in hardware, so verifying every read costs far
 * less than re-hashing the chunk with SHA-256 (which stays its name, and is checked on write, on repair and by the
 * scrub). Layout: magic, block size, block count, the CRCs, and a CRC32C of all of that, all big-endian ints.
 */
record BlockChecksums(int[] crcs) {
    static final int BLOCK = 64 * 1024;
    private static final int MAGIC = 0x48435243; // "HCRC"

    BlockChecksums {
        crcs = crcs.clone();
    }

    static int blocks(long chunkLength) {
        return (int) ((chunkLength + BLOCK - 1) / BLOCK);
    }

    int crc(int block) {
        return crcs[block];
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(4 * (crcs.length + 4));
        b.putInt(MAGIC).putInt(BLOCK).putInt(crcs.length);
        for (int c : crcs) {
            b.putInt(c);
        }
        CRC32C self = new CRC32C();
        self.update(b.array(), 0, b.position());
        b.putInt((int) self.getValue());
        return b.array();
    }

    /** The checksums of a chunk of {@code chunkLength} bytes; empty when the file is damaged or of another format. */
    static Optional<BlockChecksums> decode(byte[] file, long chunkLength) {
        int n = blocks(chunkLength);
        if (file.length != 4 * (n + 4)) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(file);
        if (b.getInt() != MAGIC || b.getInt() != BLOCK || b.getInt() != n) {
            return Optional.empty();
        }
        int[] crcs = new int[n];
        for (int i = 0; i < n; i++) {
            crcs[i] = b.getInt();
        }
        CRC32C self = new CRC32C();
        self.update(file, 0, b.position());
        return b.getInt() == (int) self.getValue() ? Optional.of(new BlockChecksums(crcs)) : Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockChecksums other && Arrays.equals(crcs, other.crcs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(crcs);
    }

    /** Computes the block checksums of bytes given in pieces of any size, in order. */
    static final class Builder {
        private final CRC32C current = new CRC32C();
        private int[] crcs = new int[16];
        private int count;
        private int fill;

        void update(byte[] buf, int off, int len) {
            while (len > 0) {
                int n = Math.min(len, BLOCK - fill);
                current.update(buf, off, n);
                fill += n;
                off += n;
                len -= n;
                if (fill == BLOCK) {
                    close();
                }
            }
        }

        void update(ByteBuffer buf) {
            while (buf.hasRemaining()) {
                int n = Math.min(buf.remaining(), BLOCK - fill);
                ByteBuffer piece = buf.slice(buf.position(), n);
                current.update(piece);
                buf.position(buf.position() + n);
                fill += n;
                if (fill == BLOCK) {
                    close();
                }
            }
        }

        private void close() {
            if (count == crcs.length) {
                crcs = Arrays.copyOf(crcs, count * 2);
            }
            crcs[count++] = (int) current.getValue();
            current.reset();
            fill = 0;
        }

        BlockChecksums build() {
            if (fill > 0) {
                close();
            }
            return new BlockChecksums(Arrays.copyOf(crcs, count));
        }
    }
}
