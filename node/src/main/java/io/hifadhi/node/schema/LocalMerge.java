package io.hifadhi.node.schema;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * This node's copy of a table, changed only by merging: a version is stored when the schema's merge picks it over the
 * one held, so applying the same versions in any order, any number of times, converges. Reading what is held and
 * writing the winner happen under a lock striped by key, so two merges of one key cannot both win.
 */
public final class LocalMerge<V extends Versioned> {
    private static final int STRIPES = 64;

    /** The outcome of one merge: what was held before (null for nothing) and whether the incoming version was stored. */
    public record Merged<V>(V previous, boolean stored) {
    }

    private final TableSchema<V> schema;
    private final EntryStore<V> store;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    public LocalMerge(TableSchema<V> schema, EntryStore<V> store) {
        this.schema = schema;
        this.store = store;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    public TableSchema<V> schema() {
        return schema;
    }

    public EntryStore<V> store() {
        return store;
    }

    /** Stores what the schema's merge makes of the version held and {@code incoming}, unless that is the held one; durable on return. */
    public Merged<V> merge(V incoming) throws IOException {
        byte[] key = schema.key(incoming);
        ReentrantLock lock = locks[stripe(key)];
        lock.lock();
        try {
            V held = store.get(key).orElse(null);
            V merged = schema.merge(held, incoming);
            if (merged == held) {
                return new Merged<>(held, false);
            }
            store.putAll(List.of(merged));
            return new Merged<>(held, true);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #merge} for many versions with one synced write (anti-entropy): the stripes of all of them are held, in
     * ascending order so two batches cannot deadlock, while the held versions are compared and the winners written.
     * Returns how many were stored.
     */
    public int mergeAll(List<V> batch) throws IOException {
        TreeSet<Integer> stripes = new TreeSet<>();
        for (V v : batch) {
            stripes.add(stripe(schema.key(v)));
        }
        List<ReentrantLock> held = new ArrayList<>();
        try {
            for (int s : stripes) {
                locks[s].lock();
                held.add(locks[s]);
            }
            Map<ByteBuffer, V> winners = new LinkedHashMap<>();
            for (V incoming : batch) {
                byte[] key = schema.key(incoming);
                ByteBuffer id = ByteBuffer.wrap(key);
                V current = winners.containsKey(id) ? winners.get(id) : store.get(key).orElse(null);
                V merged = schema.merge(current, incoming);
                if (merged != current) {
                    winners.put(id, merged);
                }
            }
            if (!winners.isEmpty()) {
                store.putAll(new ArrayList<>(winners.values()));
            }
            return winners.size();
        } finally {
            held.forEach(ReentrantLock::unlock);
        }
    }

    /** Deletes the entry of {@code key} if the version held satisfies {@code condition} (checked under its lock). */
    public boolean dropIf(byte[] key, Predicate<V> condition) throws IOException {
        ReentrantLock lock = locks[stripe(key)];
        lock.lock();
        try {
            Optional<V> held = store.get(key);
            if (held.isEmpty() || !condition.test(held.get())) {
                return false;
            }
            store.deleteAll(List.of(key));
            return true;
        } finally {
            lock.unlock();
        }
    }

    private static int stripe(byte[] key) {
        return Math.floorMod(Arrays.hashCode(key), STRIPES);
    }
}
