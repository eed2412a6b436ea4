package io.hifadhi.node.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a cluster read gets a chunk this node cannot serve from its own file (none here, or it failed its checks and
 * was deleted): a cache or a replica, checked.
 */
public interface ChunkSource {
    /** The chunk's verified bytes, whole; a chunk fetched from a peer is kept in this node's cache. */
    byte[] fetch(ChunkRef ref) throws IOException;

    /**
     * The chunk's verified bytes as they arrive, for a read of several chunks: streamed from a holder a few blocks at
     * a time, not held whole and not kept in the cache (a long sequential read would only push out of it what is
     * read again).
     */
    Incoming open(ChunkRef ref) throws IOException;

    /** Told before a chunk is served from this node's own file (for the node's read counters). */
    void servingLocally(ChunkRef ref);

    /**
     * Asks for a chunk the reader will reach soon, so that its transfer overlaps with sending the chunks before it;
     * null when declined (the node's read-ahead is in use by other readers, or the chunk is cheap to get when
     * reached). The caller must {@link Ahead#take()} or {@link Ahead#cancel()} what it gets.
     */
    default Ahead ahead(ChunkRef ref) {
        return null;
    }

    /** A chunk asked for ahead of the reader; it holds a share of the read-ahead until taken or cancelled. */
    interface Ahead {
        /** The chunk's bytes: as asked ahead, or, if that failed, as {@link #open} gets them now. */
        Incoming take() throws IOException;

        /** The reader will not take it (it stopped early). */
        void cancel();
    }

    /** A chunk's bytes, handed out in order as they are verified. */
    interface Incoming extends Closeable {
        /**
         * The chunk's bytes from {@code from} on (at least one, all verified): read into {@code spare} (cleared
         * first) or a view of a copy already whole here. {@code from} never goes back before bytes already handed out.
         */
        ByteBuffer next(int from, ByteBuffer spare) throws IOException;

        @Override
        void close();

        /** A chunk already whole in memory, lent a slice of {@code spare}'s size at a time. */
        static Incoming of(byte[] bytes) {
            return new Incoming() {
                @Override
                public ByteBuffer next(int from, ByteBuffer spare) {
                    // A slice, not all the rest: a socket write copies all that remains of a heap buffer into a
                    // temporary direct one on every call, however little the socket takes.
                    return ByteBuffer.wrap(bytes, from, Math.min(bytes.length - from, spare.capacity()));
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
