package io.hifadhi.node.storage;

import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ToLongFunction;

/**
 * Entries a store read from its database, kept decoded for the next lookup of the same key: every S3 request reads its
 * access key, its bucket and its object record, and a database read plus a decode was a tenth of a small GET.
 *
 * <p>A kept entry never outlives a write of its key. Keys fall into stripes, each with a generation; the store calls
 * {@link #written} once a write is in the database, which bumps the key's stripe, and a kept entry counts only while its
 * stripe is at the generation it was read under. A read that raced a write (read the old value, or read the new one
 * before the bump) is therefore never answered past the bump: a lookup sees what a database read would. What is kept
 * is bounded by an estimate of its bytes; past it everything kept goes and filling starts over.
 *
 * @param <V> the decoded entry; it must not be changed by those who read it
 */
public final class KeptEntries<V> {
    /** How a miss reads the database: empty when the key has no entry. */
    public interface Read<V> {
        Optional<V> read() throws IOException;
    }

    private record Kept<V>(long generation, Optional<V> entry, long weight) {
    }

    /** A key with its hash taken once: it picks the stripe and places the key in the map. */
    private record Key(byte[] bytes, int hash) {
        Key(byte[] bytes) {
            this(bytes, Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** Counted for each kept key beyond the entry's own weight (map node, key, record). */
    private static final long OVERHEAD = 96;

    private final AtomicLongArray generations;
    private final int mask;
    private final long budget;
    private final ToLongFunction<V> weight;
    private final ConcurrentHashMap<Key, Kept<V>> kept = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();

    /**
     * @param stripes a power of two: a write ends what is kept for 1/stripes of the keys
     * @param budget  bytes kept at most, by {@code weight}'s estimate
     */
    public KeptEntries(int stripes, long budget, ToLongFunction<V> weight) {
        if (Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("stripes must be a power of two: " + stripes);
        }
        this.generations = new AtomicLongArray(stripes);
        this.mask = stripes - 1;
        this.budget = budget;
        this.weight = weight;
    }

    /** The entry of {@code key}: kept, or read through {@code read} (and kept unless a write of a key of its stripe came meanwhile). */
    public Optional<V> get(byte[] key, Read<V> read) throws IOException {
        Key id = new Key(key);
        int stripe = id.hash() & mask;
        long generation = generations.get(stripe);
        Kept<V> known = kept.get(id);
        if (known != null && known.generation() == generation) {
            return known.entry();
        }
        Optional<V> entry = read.read();
        if (generations.get(stripe) == generation) {
            long w = OVERHEAD + key.length + entry.map(weight::applyAsLong).orElse(0L);
            Kept<V> replaced = kept.put(new Key(key.clone(), id.hash()), new Kept<>(generation, entry, w));
            if (bytes.addAndGet(w - (replaced == null ? 0 : replaced.weight())) > budget) {
                kept.clear();
                bytes.set(0);
            }
        }
        return entry;
    }

    /** A write of {@code key} is in the database (or failed, and may be): what was kept of its stripe no longer counts. */
    public void written(byte[] key) {
        generations.incrementAndGet(Arrays.hashCode(key) & mask);
    }

    /** Entries kept now (tests). */
    int size() {
        return kept.size();
    }
}
