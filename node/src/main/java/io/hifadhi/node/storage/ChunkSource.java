package io.hifadhi.node.storage;

import java.io.IOException;

/**
 * Where a cluster read gets a chunk this node cannot serve from its own file (none here, or it failed its checks and
 * was deleted): a cache or a replica, checked.
 */
public interface ChunkSource {
    byte[] fetch(ChunkRef ref) throws IOException;

    /** Told before a chunk is served from this node's own file (for the node's read counters). */
    void servingLocally(ChunkRef ref);

    /**
     * Starts fetching a chunk the reader will reach soon, so that its transfer overlaps with sending the chunks
     * before it; null when declined (the node's read-ahead memory is in use by other readers, or the chunk is cheap
     * to get when reached). The caller must {@link Ahead#take()} or {@link Ahead#cancel()} what it gets.
     */
    default Ahead ahead(ChunkRef ref) {
        return null;
    }

    /** A chunk on its way ahead of the reader; it holds read-ahead memory until taken or cancelled. */
    interface Ahead {
        /** The chunk's verified bytes: those fetched ahead, or, if that failed, fetched now as {@link #fetch} does. */
        byte[] take() throws IOException;

        /** The reader will not take it (it stopped early): the memory goes back. */
        void cancel();
    }
}
