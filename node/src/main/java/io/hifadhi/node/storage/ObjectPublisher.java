package io.hifadhi.node.storage;

import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;

import java.io.IOException;
import java.util.List;

/**
 * Publishes objects made of chunks that are already durable (S3 multipart completion): the data path writes the
 * record to its replicas.
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

    /** The durable chunks of a body this store staged; an inline body is written out as one chunk. */
    List<ChunkRef> chunksOf(StagedBody body) throws IOException;
}
