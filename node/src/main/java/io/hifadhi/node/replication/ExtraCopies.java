package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ObjectRecord;

import java.util.List;
import java.util.Optional;

/**
 * Copies of chunks beyond the replica set, as the read path sees them: this node's chunk cache, the extra holders
 * of hot objects, and the per-object read metering that decides what is hot ({@code io.hifadhi.node.cache}).
 * {@link #NONE} is the plain replicated read path.
 */
public interface ExtraCopies {
    /** This node's cached copy, verified, when it has one. */
    Optional<byte[]> cached(ChunkRef ref);

    /** Whether this node's cache lists the chunk (no disk access: a hint, the copy may still fail its check). */
    boolean hasCached(String chunkId);

    /**
     * A chunk this node fetched from a peer for a client and is no replica of (read-through caching); its bytes
     * have been checked (the holder's CRCs, the transfer's CRC32C). Must not hold up the read: a cache writes it in the background, or not at all when busy.
     */
    void fetchedForClient(ChunkRef ref, byte[] bytes);

    /**
     * The nodes to ask for a chunk, best first: {@code walk} is the chunk's preference list (the {@code n} replicas,
     * then the fallbacks), the answer holds every node of it and may put known extra holders and a less loaded
     * holder before the replicas' order.
     */
    List<String> readOrder(ClusterView v, List<String> walk, int n, String chunkId);

    /** A client read (part of) this chunked object through this node. */
    void objectRead(ObjectRecord record);

    ExtraCopies NONE = new ExtraCopies() {
        @Override
        public Optional<byte[]> cached(ChunkRef ref) {
            return Optional.empty();
        }

        @Override
        public boolean hasCached(String chunkId) {
            return false;
        }

        @Override
        public void fetchedForClient(ChunkRef ref, byte[] bytes) {
        }

        @Override
        public List<String> readOrder(ClusterView v, List<String> walk, int n, String chunkId) {
            return walk;
        }

        @Override
        public void objectRead(ObjectRecord record) {
        }
    };
}
