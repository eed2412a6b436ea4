package io.hifadhi.chaos.history;

import java.util.List;
import java.util.Set;

/**
 * One completed client operation. Times are System.nanoTime (for ordering; one JVM records the
 * whole history, so they are comparable) plus wall-clock millis (for reading logs side by side).
 *
 * @param writeId  for WRITE: the unique id encoded in the body; 0 otherwise
 * @param observed for an OK READ: what it returned; null otherwise
 * @param listed   for an OK LIST: the keys returned under the workload's prefix; null otherwise
 * @param node     index of the node the request was sent to
 */
public record Operation(long id, int client, int node, Phase phase, OpType type, String key, long writeId,
                        long startNanos, long endNanos, long startWallMillis, long endWallMillis,
                        Outcome outcome, String error, Observed observed, Set<String> listed) {

    public Operation {
        if (endNanos < startNanos) {
            throw new IllegalArgumentException("operation " + id + " ends before it starts");
        }
        if (type == OpType.WRITE && writeId <= 0) {
            throw new IllegalArgumentException("a write needs a positive writeId");
        }
        if (type == OpType.READ && outcome == Outcome.OK && observed == null) {
            throw new IllegalArgumentException("a successful read needs what it observed");
        }
        if (type == OpType.LIST && outcome == Outcome.OK && listed == null) {
            throw new IllegalArgumentException("a successful list needs the keys it returned");
        }
        listed = listed == null ? null : Set.copyOf(listed);
    }

    public boolean ok() {
        return outcome == Outcome.OK;
    }

    public long durationNanos() {
        return endNanos - startNanos;
    }

    /** True when [startNanos, endNanos] intersects [from, to]. */
    public boolean overlaps(long from, long to) {
        return startNanos <= to && endNanos >= from;
    }

    public static List<Operation> ofType(List<Operation> ops, OpType type) {
        return ops.stream().filter(o -> o.type == type).toList();
    }
}
