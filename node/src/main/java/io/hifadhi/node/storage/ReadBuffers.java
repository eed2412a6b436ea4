package io.hifadhi.node.storage;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Direct buffers for chunk reads, reused: a read fills one from the chunk file and the socket is written from it,
 * with no copy through the Java heap, and allocating direct memory per request (slow, freed only by the GC) is
 * avoided. At most {@link #KEPT} idle buffers are kept; a busier moment allocates more and lets them go.
 */
public final class ReadBuffers {
    /**
     * Four CRC blocks: a read system call and a socket write per 256 KiB, large enough that their fixed cost is small
     * against the copy, small enough that a thousand slow readers hold 256 MiB at most.
     */
    public static final int SIZE = 4 * BlockChecksums.BLOCK;
    private static final int KEPT = 64;

    private final ArrayBlockingQueue<ByteBuffer> idle = new ArrayBlockingQueue<>(KEPT);
    private final LongAdder allocated = new LongAdder();

    ByteBuffer take() {
        ByteBuffer b = idle.poll();
        if (b != null) {
            return b.clear();
        }
        allocated.increment();
        return ByteBuffer.allocateDirect(SIZE);
    }

    /** Buffers allocated since start: as many as reads were ever under way at once, not one per chunk. */
    long allocated() {
        return allocated.sum();
    }

    void give(ByteBuffer b) {
        idle.offer(b);
    }
}
