package io.hifadhi.node.replication;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Digests of a set of entries spread over the ring, as a tree two replicas compare from the root down:
 * {@link #LEAVES} leaves, each a slice of the ring positions (the top {@value #LEAF_BITS} bits of a position),
 * {@value #FANOUT} children per node, {@value #DEPTH} levels below the root. A node's digest is the XOR of
 * the 128-bit hashes of every entry below it plus their count: order does not matter, so the tree is built
 * in one pass in any order, and two replicas holding the same entries (same keys, same versions) get the
 * same digest everywhere. Where digests differ the replicas descend; at a leaf they exchange the entries.
 * Pure logic: no I/O.
 */
final class MerkleTree {
    static final int FANOUT = 16;
    static final int DEPTH = 3;
    static final int LEAF_BITS = 12;
    static final int LEAVES = 1 << LEAF_BITS;

    /** A node's digest: XOR of the entry hashes below it, and how many entries there are. */
    record Digest(long hi, long lo, int count) {
        static final Digest EMPTY = new Digest(0, 0, 0);
    }

    private final long[] hi = new long[LEAVES];
    private final long[] lo = new long[LEAVES];
    private final int[] count = new int[LEAVES];

    /** The leaf a ring position falls in. */
    static int leafOf(long position) {
        return (int) (position >>> (64 - LEAF_BITS));
    }

    /** The 128-bit hash of an entry: its key and its summary (the version, for a record). */
    static long[] entryHash(byte[] key, byte[] summary) {
        MessageDigest sha = sha256();
        sha.update(ByteBuffer.allocate(4).putInt(key.length).array());
        sha.update(key);
        sha.update(summary);
        ByteBuffer d = ByteBuffer.wrap(sha.digest());
        return new long[]{d.getLong(), d.getLong()};
    }

    void add(long position, byte[] key, byte[] summary) {
        long[] h = entryHash(key, summary);
        int leaf = leafOf(position);
        hi[leaf] ^= h[0];
        lo[leaf] ^= h[1];
        count[leaf]++;
    }

    /** Nodes at {@code level} (0 = root, {@link #DEPTH} = leaves). */
    static int width(int level) {
        checkLevel(level);
        return 1 << (4 * level);
    }

    /** Leaves under one node of {@code level}. */
    static int span(int level) {
        return LEAVES / width(level);
    }

    Digest digest(int level, int index) {
        if (index < 0 || index >= width(level)) {
            throw new IllegalArgumentException("no node " + index + " at level " + level);
        }
        int first = index * span(level);
        long h = 0;
        long l = 0;
        int c = 0;
        for (int leaf = first; leaf < first + span(level); leaf++) {
            h ^= hi[leaf];
            l ^= lo[leaf];
            c += count[leaf];
        }
        return new Digest(h, l, c);
    }

    /** The children, at {@code level + 1}, of a node at {@code level}. */
    static int[] children(int level, int index) {
        if (level >= DEPTH) {
            throw new IllegalArgumentException("a leaf has no children");
        }
        int[] out = new int[FANOUT];
        for (int i = 0; i < FANOUT; i++) {
            out[i] = index * FANOUT + i;
        }
        return out;
    }

    private static void checkLevel(int level) {
        if (level < 0 || level > DEPTH) {
            throw new IllegalArgumentException("no level " + level);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
