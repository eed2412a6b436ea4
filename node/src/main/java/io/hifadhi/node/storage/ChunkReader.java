package io.hifadhi.node.storage;

import io.hifadhi.api.store.CorruptDataException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Verified reads of one chunk file: whole {@link BlockChecksums#BLOCK}-byte blocks are read and each is checked
 * against its CRC32C before any of its bytes is handed out. On a mismatch the chunk is judged by SHA-256
 * ({@link ChunkStore#recheck}): a damaged CRC file is rewritten and the read goes on; a damaged chunk is deleted and
 * the read fails with {@link CorruptDataException}, so no byte of it is ever returned.
 */
public final class ChunkReader implements Closeable {
    private final ChunkStore store;
    private final ChunkRef ref;
    private final FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private BlockChecksums sums;

    ChunkReader(ChunkStore store, ChunkRef ref, FileChannel channel, BlockChecksums sums) {
        this.store = store;
        this.ref = ref;
        this.channel = channel;
        this.sums = sums;
    }

    /**
     * Fills {@code into} (from its start, up to its capacity) with whole blocks of the chunk, the first being the one
     * that holds byte {@code from}, and leaves it positioned at {@code from} and limited at the last byte read. Its
     * capacity must hold at least one block (or the rest of the chunk, when that is shorter).
     */
    public void read(long from, ByteBuffer into) throws IOException {
        if (from < 0 || from >= ref.length()) {
            throw new IllegalArgumentException("offset " + from + " outside chunk " + ref.id() + " of " + ref.length() + " bytes");
        }
        int block = (int) (from / BlockChecksums.BLOCK);
        long blockStart = (long) block * BlockChecksums.BLOCK;
        long rest = ref.length() - blockStart;
        int want = (int) Math.min(rest, into.capacity() < rest ? into.capacity() / BlockChecksums.BLOCK * (long) BlockChecksums.BLOCK : rest);
        if (want <= 0) {
            throw new IllegalArgumentException("a buffer of " + into.capacity() + " bytes cannot hold a block");
        }
        for (int attempt = 0; ; attempt++) {
            into.clear().limit(want);
            long at = blockStart;
            while (into.hasRemaining()) {
                int n = channel.read(into, at);
                if (n < 0) {
                    throw new CorruptDataException("chunk " + ref.id() + " is shorter than its " + ref.length() + " bytes");
                }
                at += n;
            }
            into.flip();
            if (blocksMatch(into, block)) {
                into.position((int) (from - blockStart));
                return;
            }
            if (attempt > 0) {
                // SHA-256 passed a moment ago, yet the bytes read again do not match: the disk is not returning stable data.
                throw new CorruptDataException("chunk " + ref.id() + " read back differently from what its checksums say");
            }
            sums = store.recheck(ref);
        }
    }

    private boolean blocksMatch(ByteBuffer data, int firstBlock) {
        int block = firstBlock;
        for (int off = 0; off < data.limit(); off += BlockChecksums.BLOCK, block++) {
            crc.reset();
            crc.update(data.slice(off, Math.min(BlockChecksums.BLOCK, data.limit() - off)));
            if ((int) crc.getValue() != sums.crc(block)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
