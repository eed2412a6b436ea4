package io.hifadhi.node.replication;

import java.io.IOException;

/**
 * A set of entries that the replicas of each ring range keep identical by anti-entropy ({@link AntiEntropy}):
 * object records, or the chunk inventory. An entry is a key, its ring position (which decides its replicas),
 * a short summary that changes whenever the entry does (a record's version stamp), and a value that travels
 * when one replica lacks the entry or holds an older one.
 */
interface SyncedKeyspace {
    /** Names the keyspace in messages and logs. */
    String name();

    /** Visits every entry this node holds. */
    void forEach(EntryVisitor visitor);

    /** Whether an entry summarised as {@code theirs} should replace this node's ({@code mine}, null when absent). */
    boolean wants(byte[] mine, byte[] theirs);

    /** The values of {@code keys}; null where this node holds none. */
    byte[][] read(byte[][] keys) throws IOException;

    /** Merges values from another replica durably (synced) before returning; entries that do not win are ignored. */
    void apply(byte[][] values) throws IOException;

    @FunctionalInterface
    interface EntryVisitor {
        void visit(byte[] key, long position, byte[] summary);
    }
}
