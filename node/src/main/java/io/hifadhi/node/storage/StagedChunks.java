package io.hifadhi.node.storage;

import io.hifadhi.api.store.StagedBody;

import java.util.List;

/** A body staged on this node: inline bytes, or chunks already durable in the chunk store. */
record StagedChunks(long size, String md5Hex, byte[] inline, List<ChunkRef> chunks) implements StagedBody {
    StagedChunks {
        chunks = List.copyOf(chunks);
    }
}
