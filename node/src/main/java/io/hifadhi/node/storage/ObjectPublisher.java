package io.hifadhi.node.storage;

import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Publishes objects made of chunks that are already durable (S3 multipart completion). The local
 * store does it on this node; the replicated data path writes the record to its replicas.
 */
public interface ObjectPublisher {

    /** Publishes {@code chunks}, in order, as the write's object with the given ETag (last writer wins). */
    PutResult publish(ObjectWrite write, long size, String etag, List<ChunkRef> chunks) throws IOException;

    /**
     * Marks {@code chunks} as put now on the nodes that hold them (write barrier of the chunk collector): called
     * just before a new reference to chunks that may have sat unreferenced for a while (a part being recorded, a
     * multipart upload completed), so no collector deletes them under the new reference. Fails (503) when a chunk
     * is no longer held by any node it should be on.
     */
    void keep(List<ChunkRef> chunks) throws IOException;

    /**
     * The durable chunks of a body staged by another store than the local one (the replicated data
     * path's), an inline body written out as one chunk; empty when the body is not such a body.
     */
    default Optional<List<ChunkRef>> chunksOf(StagedBody body) throws IOException {
        return Optional.empty();
    }
}
