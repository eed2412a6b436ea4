package io.hifadhi.chaos.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The record of everything the clients did, appended from many threads. Snapshots are sorted by
 * start time so that reports read chronologically.
 */
public final class History {
    private final ConcurrentLinkedQueue<Operation> ops = new ConcurrentLinkedQueue<>();
    private final AtomicLong nextOpId = new AtomicLong(1);
    private final AtomicLong nextWriteId = new AtomicLong(1);

    /** A write id never used before in this history; it is encoded into the body so reads identify writes. */
    public long newWriteId() {
        return nextWriteId.getAndIncrement();
    }

    /** Records an operation that ends now. */
    public Operation record(int client, int node, Phase phase, OpType type, String key, long writeId,
                            long startNanos, long startWallMillis, Outcome outcome, String error,
                            Observed observed, Set<String> listed) {
        Operation op = endingNow(client, node, phase, type, key, writeId, startNanos, startWallMillis, outcome, error, observed, listed);
        ops.add(op);
        return op;
    }

    /** Builds an operation that ends now without adding it (the caller decides its phase later). */
    public Operation endingNow(int client, int node, Phase phase, OpType type, String key, long writeId,
                               long startNanos, long startWallMillis, Outcome outcome, String error,
                               Observed observed, Set<String> listed) {
        return new Operation(nextOpId.getAndIncrement(), client, node, phase, type, key, writeId,
                startNanos, Math.max(startNanos, System.nanoTime()), startWallMillis, System.currentTimeMillis(),
                outcome, error, observed, listed);
    }

    /** Adds an already-built operation (synthetic histories in tests). */
    public void add(Operation op) {
        ops.add(op);
    }

    public List<Operation> snapshot() {
        List<Operation> list = new ArrayList<>(ops);
        list.sort(Comparator.comparingLong(Operation::startNanos).thenComparingLong(Operation::id));
        return list;
    }

    public int size() {
        return ops.size();
    }
}
