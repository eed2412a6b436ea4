package io.hifadhi.node.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The replicas that have left a read unanswered for longer than a read gives them, as this node saw its record reads
 * go out and come back (one per node, {@link Replication#silent}). The failure detector takes a second or two to lose a
 * hung node (SIGSTOP, a long GC pause); meanwhile every read whose replicas include it would wait the whole of
 * {@link QuorumRead}'s freshness wait for it, holding its request thread, and a chunk streamed from it would wait out
 * the stream's timeout. A replica found silent here is not waited for beyond the read quorum and is asked for chunks
 * after the other holders: only the first reads after it hangs pay, and its first answer makes it heard again.
 *
 * <p>It tracks, per replica, when the oldest request still unanswered since its last answer was sent. An answer to an
 * older request clears that while a newer one is still out; the next read sets it again, and a replica that hangs
 * answers nothing, so its silence only grows. A request that timed out is not an answer.
 */
final class SilentReplicas {
    private final long silenceNanos;
    private final LongSupplier nanoClock;
    /** Per replica id: the {@link #nanoClock} time of the first request unanswered since its last answer; 0 for none. */
    private final Map<String, AtomicLong> waitingSince = new ConcurrentHashMap<>();

    /**
     * @param silenceNanos how long a replica may leave a request unanswered before reads stop waiting for it
     * @param nanoClock    {@link System#nanoTime} outside tests
     */
    SilentReplicas(long silenceNanos, LongSupplier nanoClock) {
        this.silenceNanos = silenceNanos;
        this.nanoClock = nanoClock;
    }

    /** A request to {@code id} went out. */
    void asked(String id) {
        long now = nanoClock.getAsLong();
        // 0 means "none waiting", so a clock that reads 0 is moved off it.
        waitingSince.computeIfAbsent(id, k -> new AtomicLong()).compareAndSet(0, now == 0 ? 1 : now);
    }

    /** {@code id} answered a request (a reply or an error of its own: it is not hung). */
    void answered(String id) {
        AtomicLong since = waitingSince.get(id);
        if (since != null) {
            since.set(0);
        }
    }

    /** {@code ids} in the same order, except that the silent ones come last (a new list when any is silent). */
    List<String> last(List<String> ids) {
        // Each id judged once: the clock moves, and judged twice one could be dropped or listed twice.
        List<String> silentOnes = ids.stream().filter(this::silent).toList();
        if (silentOnes.isEmpty()) {
            return ids;
        }
        List<String> out = new ArrayList<>(ids);
        out.removeAll(silentOnes);
        out.addAll(silentOnes);
        return out;
    }

    /** Whether {@code id} has left a request unanswered for longer than the silence allowed. */
    boolean silent(String id) {
        AtomicLong since = waitingSince.get(id);
        long t = since == null ? 0 : since.get();
        return t != 0 && nanoClock.getAsLong() - t > silenceNanos;
    }
}
