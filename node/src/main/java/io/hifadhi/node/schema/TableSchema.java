package io.hifadhi.node.schema;

/**
 * What a replicated table is, apart from where its entries live (Garage's table schema): how an entry is keyed, where
 * its key sits on the ring, how its value is encoded (a format-version byte first, so older formats still load), and
 * how two versions of it merge. Object records and the small tables (buckets, keys, uploads, grants, layout) are
 * each one; storage, anti-entropy and the replicated tables are written once against it.
 */
public interface TableSchema<V extends Versioned> {
    /** The entry's key: unique in its table, and in the order range reads list entries. */
    byte[] key(V entry);

    /** The entry's position on the ring, which decides its replicas when the table is sharded. */
    long position(V entry);

    /** The format version {@link #encode} writes (the first byte of every value). */
    int formatVersion();

    /** The value stored (and sent) for an entry; its first byte is {@link #formatVersion()}. */
    byte[] encode(V entry);

    /** The entry stored under {@code key} as {@code value}, of this format version or an earlier one. */
    V decode(byte[] key, byte[] value);

    /** The version to keep of two ({@code held} may be null): last writer wins; {@code held} on a tie. */
    default V merge(V held, V incoming) {
        return LastWriterWins.newer(held, incoming);
    }
}
