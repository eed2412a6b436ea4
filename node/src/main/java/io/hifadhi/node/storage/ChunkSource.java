package io.hifadhi.node.storage;

import java.io.IOException;

/**
 * Where a cluster read gets a chunk this node cannot serve from its own file (none here, or it failed its checks and
 * was deleted): a cache or a replica, SHA-256-checked.
 */
public interface ChunkSource {
    byte[] fetch(ChunkRef ref) throws IOException;

    /** Told before a chunk is served from this node's own file (for the node's read counters). */
    void servingLocally(ChunkRef ref);
}
