package io.hifadhi.node.replication;

import io.hifadhi.node.storage.ChunkRef;

import java.io.IOException;

/** Gives a chunk's verified bytes: from this node's disk when it holds a good copy, else from a replica. */
interface ChunkSource {
    byte[] fetch(ChunkRef ref) throws IOException;
}
