package io.hifadhi.node.cache;

import io.hifadhi.node.transport.SizedMessage;

import java.util.List;

/** The cache's messages on the node transport. The order of {@link #TYPES} is part of the wire format. */
public final class CacheMessages {
    private CacheMessages() {
    }

    static final String PUT = "hifadhi-data-cache-put";
    static final String HOLDERS = "hifadhi-data-cache-holders";

    /**
     * Keep this chunk in your cache as a hot object's extra copy for {@code leaseMillis}, then drop it unless a
     * spreader renewed the lease. Without bytes it only asks whether the chunk is there (and renews the lease if so),
     * so a renewal or a second spreader does not send the chunk again.
     */
    record CachePut(String chunkId, byte[] bytes, long leaseMillis) implements SizedMessage {
        @Override
        public int sizeHint() {
            return (bytes == null ? 0 : bytes.length) + 128;
        }
    }

    /**
     * Extra holders of chunks: {@code holders[i]} (comma-separated node ids) hold {@code chunkIds[i]} for
     * {@code ttlMillis} from now (their lease).
     */
    record HolderNotice(String[] chunkIds, String[] holders, long ttlMillis) {
    }

    /** @param held whether the chunk is in the answering node's cache */
    record CacheReply(boolean held) {
    }

    public static final List<Class<?>> TYPES = List.of(CachePut.class, HolderNotice.class, CacheReply.class);
}
