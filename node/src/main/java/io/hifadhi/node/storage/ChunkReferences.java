package io.hifadhi.node.storage;

import java.util.function.Consumer;

/** A source of chunk references outside the record store (uploads in progress), consulted by the chunk collector. */
@FunctionalInterface
public interface ChunkReferences {
    /** Visits every chunk this source references now (a chunk may be visited more than once). */
    void forEachChunk(Consumer<ChunkRef> visitor);
}
