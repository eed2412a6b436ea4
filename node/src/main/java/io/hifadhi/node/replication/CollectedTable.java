package io.hifadhi.node.replication;

import io.hifadhi.node.schema.LocalMerge;
import io.hifadhi.node.schema.Versioned;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A table whose tombstones the {@link TombstoneCollector} drops: its name in the GC messages, this node's copy, and
 * the keys this node's hints carry a version of (a hint delivered after the drop would bring that version back, so
 * such a key waits for its hint).
 */
public record CollectedTable<V extends Versioned>(String name, LocalMerge<V> local, Supplier<Set<ByteBuffer>> hintedKeys) {
    /** A table without hints: every member is a replica of every entry, so a write never has a stand-in. */
    public static <V extends Versioned> CollectedTable<V> withoutHints(String name, LocalMerge<V> local) {
        return new CollectedTable<>(name, local, Set::of);
    }
}
