package io.hifadhi.node.storage;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Direct buffers for chunk reads, reused: a read fills one from the chunk file and the socket is written from it,
 * with no copy through the Java heap, and allocating direct memory per request (slow, freed only by the GC) is
 * avoided. At most {@link #KEPT} idle buffers are kept; a busier moment allocates more and lets them go.
 */
public final class ReadBuffers {
    /** Four CRC blocks: measured against 64 KiB and 1 MiB on 16 MiB GETs (see node/README.md). */
    public static final int SIZE = Integer.getInteger("hifadhi.readBuffer", 256 * 1024) / BlockChecksums.BLOCK * BlockChecksums.BLOCK;
    private static final int KEPT = 64;

    private final ArrayBlockingQueue<ByteBuffer> idle = new ArrayBlockingQueue<>(KEPT);

    ByteBuffer take() {
        ByteBuffer b = idle.poll();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(SIZE);
    }

    void give(ByteBuffer b) {
        idle.offer(b);
    }
}
