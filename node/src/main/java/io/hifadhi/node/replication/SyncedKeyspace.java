package io.hifadhi.node.replication;

import io.hifadhi.node.clock.VersionStamp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A set of entries that the replicas of each ring range keep identical by anti-entropy ({@link AntiEntropy}):
 * object records, or the chunk inventory. An entry is a key, its ring position (which decides its replicas),
 * a short summary that changes whenever the entry does (a record's version stamp), and a value that travels
 * when one replica lacks the entry or holds an older one.
 */
public interface SyncedKeyspace {
    /** Names the keyspace in messages and logs. */
    String name();

    /** Full placement: every member holds every entry (small tables); otherwise the N ring replicas of its position. */
    default boolean fullyReplicated() {
        return false;
    }

    /**
     * Whether peers may sync with this node's copy now. A fully replicated table whose tombstones are collected says
     * no until the node knows its seat: a node removed while away may hold entries the cluster deleted and collected
     * the tombstones of, and forgets them only then.
     */
    default boolean answersPeers() {
        return true;
    }

    /** Visits every entry this node holds. */
    void forEach(EntryVisitor visitor);

    /** Bytes of payload an entry with this summary stands for (chunk files); 0 where there is none to count. */
    default long bytes(byte[] summary) {
        return 0;
    }

    /** Whether an entry summarised as {@code theirs} should replace this node's ({@code mine}, null when absent). */
    boolean wants(byte[] mine, byte[] theirs);

    /** The values of {@code keys}; null where this node holds none. */
    byte[][] read(byte[][] keys) throws IOException;

    /** Merges values from another replica durably (synced) before returning; entries that do not win are ignored. */
    void apply(byte[][] values) throws IOException;

    /** The {@link #wants} of last-writer-wins entries whose summary is their version stamp's text. */
    static boolean newerStamp(byte[] mine, byte[] theirs) {
        return mine == null || stamp(theirs).isNewerThan(stamp(mine));
    }

    private static VersionStamp stamp(byte[] summary) {
        return VersionStamp.parse(new String(summary, StandardCharsets.UTF_8));
    }

    @FunctionalInterface
    interface EntryVisitor {
        void visit(byte[] key, long position, byte[] summary);
    }
}
