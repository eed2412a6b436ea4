package io.hifadhi.node.storage;

import io.hifadhi.api.store.StagedBody;

import java.util.List;

/**
 * A body staged on this node: inline bytes, or chunks already durable in the chunk store.
 *
 * @param stagedAtMillis when staging began: a commit long after it re-marks the chunks as put (chunk collector)
 */
record StagedChunks(long size, String md5Hex, byte[] inline, List<ChunkRef> chunks, long stagedAtMillis) implements StagedBody {
    StagedChunks {
        chunks = List.copyOf(chunks);
    }
}
