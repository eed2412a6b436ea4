package io.hifadhi.node.schema;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where this node keeps its copy of one table's entries, by their {@link TableSchema#key}: a family (or a key range
 * of one) of the node database. Writes are durable (synced) on return. It never merges: {@link LocalMerge} does.
 */
public interface EntryStore<V extends Versioned> {
    Optional<V> get(byte[] key) throws IOException;

    /** Writes every entry in one synced batch. */
    void putAll(List<V> entries) throws IOException;

    /** Deletes the entries of these keys outright in one synced batch (tombstone GC, a copy handed over). */
    void deleteAll(List<byte[]> keys) throws IOException;

    /** Every entry, tombstones included, in key order. */
    void forEach(Consumer<V> visitor);
}
