package io.hifadhi.node.cache;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The heaviest keys of a stream in a fixed number of counters (Metwally et al., "Space-Saving"): memory is
 * {@code capacity} entries however many distinct keys are offered. A key not tracked replaces the smallest
 * counter and inherits its count as its error, so each count overestimates its key's true weight by at most
 * {@code error}, and every key whose weight exceeds total / capacity is tracked.
 *
 * <p>{@link #decay} multiplies every count by a factor, so the counts become exponentially weighted: offered once a
 * second with factor f, a steady r per second settles at r / (1 - f). That turns the sketch into a rate meter
 * whose old reads fade, which is what "this object is hot now" needs.
 */
public final class SpaceSaving<K> {
    /** A tracked key: its (over)estimated weight and the most that estimate may exceed the truth by. */
    public record Estimate<K>(K key, double count, double error) {
    }

    private static final class Counter {
        double count;
        double error;
    }

    /** Counts that decayed below this are dropped: the key is no longer a hitter of any kind. */
    private static final double FORGET_BELOW = 1e-3;

    private final int capacity;
    private final Map<K, Counter> counters;

    public SpaceSaving(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
        this.counters = new HashMap<>(capacity * 2);
    }

    /** Adds {@code weight} to {@code key}; returns the key it displaced to make room, or null. */
    public synchronized K offer(K key, double weight) {
        if (!(weight > 0)) {
            throw new IllegalArgumentException("weight must be > 0");
        }
        K displaced = null;
        Counter c = counters.get(key);
        if (c == null) {
            c = new Counter();
            if (counters.size() >= capacity) {
                // Replace the smallest counter. A linear scan: capacity is small (tens to hundreds), and a read that
                // brings a new key is the only one that pays it.
                K smallest = null;
                Counter min = null;
                for (Map.Entry<K, Counter> e : counters.entrySet()) {
                    if (min == null || e.getValue().count < min.count) {
                        smallest = e.getKey();
                        min = e.getValue();
                    }
                }
                counters.remove(smallest);
                displaced = smallest;
                c.count = min.count;
                c.error = min.count;
            }
            counters.put(key, c);
        }
        c.count += weight;
        return displaced;
    }

    /** Multiplies every count (and error) by {@code factor} in (0, 1]; forgets keys whose count faded to nothing. */
    public synchronized void decay(double factor) {
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("factor must be in (0, 1]");
        }
        for (Iterator<Counter> it = counters.values().iterator(); it.hasNext(); ) {
            Counter c = it.next();
            c.count *= factor;
            c.error *= factor;
            if (c.count < FORGET_BELOW) {
                it.remove();
            }
        }
    }

    /** The estimated weight of {@code key} (0 when it is not tracked). */
    public synchronized double estimate(K key) {
        Counter c = counters.get(key);
        return c == null ? 0 : c.count;
    }

    /** Up to {@code n} tracked keys, heaviest first. */
    public synchronized List<Estimate<K>> top(int n) {
        List<Estimate<K>> all = new ArrayList<>(counters.size());
        counters.forEach((k, c) -> all.add(new Estimate<>(k, c.count, c.error)));
        all.sort(Comparator.comparingDouble((Estimate<K> e) -> e.count()).reversed());
        return all.size() > n ? List.copyOf(all.subList(0, n)) : all;
    }

    public synchronized int size() {
        return counters.size();
    }

    public int capacity() {
        return capacity;
    }
}
