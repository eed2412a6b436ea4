package io.hifadhi.node.storage;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/** A sorted byte map: one RocksDB column family on this node, or a table replicated to every node. */
public interface SortedTable {
    Optional<byte[]> get(byte[] key) throws IOException;

    /** Durable when it returns (on the write quorum, for a replicated table). */
    void put(byte[] key, byte[] value) throws IOException;

    void delete(byte[] key) throws IOException;

    /**
     * Visits entries whose key starts with {@code prefix}, from {@code from} (inclusive; null for the
     * prefix itself) in unsigned byte order, until the visitor returns false.
     */
    void scan(byte[] prefix, byte[] from, BiPredicate<byte[], byte[]> visitor);

    /** Applies puts (value non-null) and deletes (value null); atomically where the table can. */
    void write(Map<byte[], byte[]> changes) throws IOException;

    /**
     * Brings in changes other nodes made that may not have reached this one yet (a write waits for
     * its quorum, not for every node). For a miss that another node's write may explain; local: no-op.
     */
    default void refresh() {
    }
}
