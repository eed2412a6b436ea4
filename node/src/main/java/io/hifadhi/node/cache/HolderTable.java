package io.hifadhi.node.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Which nodes beyond a chunk's replicas hold an extra copy of it, as their spreaders announced, each until its
 * announcement expires. Bounded: past {@code maxChunks} the oldest announced chunk is forgotten (a forgotten holder
 * only means reads go to the replicas). An entry that outlives its copy costs one failed-over fetch, no wrong bytes:
 * holders answer "not held", and every chunk is checked against its SHA-256.
 */
final class HolderTable {
    private final int maxChunks;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Map<String, Long>> holders = new LinkedHashMap<>();

    HolderTable(int maxChunks, LongSupplier clock) {
        this.maxChunks = maxChunks;
        this.clock = clock;
    }

    synchronized void announce(String chunkId, Collection<String> nodes, long expiresAt) {
        Map<String, Long> entry = holders.remove(chunkId);
        if (entry == null) {
            entry = new LinkedHashMap<>();
        }
        for (String n : nodes) {
            entry.put(n, expiresAt);
        }
        holders.put(chunkId, entry); // re-inserted: most recently announced last
        while (holders.size() > maxChunks) {
            holders.remove(holders.keySet().iterator().next());
        }
    }

    /** The holders whose announcement has not expired. */
    synchronized List<String> holders(String chunkId) {
        Map<String, Long> entry = holders.get(chunkId);
        if (entry == null) {
            return List.of();
        }
        long now = clock.getAsLong();
        entry.values().removeIf(expiresAt -> expiresAt <= now);
        if (entry.isEmpty()) {
            holders.remove(chunkId);
            return List.of();
        }
        return new ArrayList<>(entry.keySet());
    }

    synchronized int size() {
        return holders.size();
    }
}
