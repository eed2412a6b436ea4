package io.hifadhi.chaos.checker;

import io.hifadhi.chaos.history.Observed;
import io.hifadhi.chaos.history.OpType;
import io.hifadhi.chaos.history.Operation;
import io.hifadhi.chaos.history.Outcome;
import io.hifadhi.chaos.history.Phase;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a history of single-key operations as a set of last-writer-wins registers, one per key.
 *
 * <p>A read may return the value of mutation {@code m} (a write, a delete meaning "absent", or the
 * initial absent state) when {@code m} started before the read ended and no acknowledged mutation
 * that started after {@code m} ended had completed before the read started. Concurrent writes are
 * therefore all acceptable; an indeterminate mutation (no answer) never "ends", because it may take
 * effect at any later time. A FINAL read that fails this test is a lost acknowledged write; a
 * WORKLOAD read that fails it is a stale read. Bytes that identify no write are always wrong.
 *
 * <p>This is deliberately per-key and does not order reads against each other, so it does not
 * prove linearizability (a read seeing a new value followed by one seeing an older concurrent value
 * passes); it proves durability of acknowledged writes and the absence of phantom data.
 */
public final class Checker {

    public record Options(boolean failedWritesMayApply, boolean requireFinalReads) {
        /** Strict: an error answer means "not applied", and every key must be re-read after faults. */
        public static Options strict() {
            return new Options(false, true);
        }
    }

    private final Options options;

    public Checker(Options options) {
        this.options = options;
    }

    public Checker() {
        this(Options.strict());
    }

    public Verdict check(List<Operation> history) {
        Map<String, KeyState> keys = new HashMap<>();
        Map<Long, Operation> writesById = new HashMap<>();
        long ackedWrites = 0;
        long ackedDeletes = 0;
        for (Operation op : history) {
            if (!op.type().mutates()) {
                continue;
            }
            keys.computeIfAbsent(op.key(), KeyState::new).add(op, options);
            if (op.type() == OpType.WRITE) {
                Operation previous = writesById.put(op.writeId(), op);
                if (previous != null) {
                    throw new IllegalArgumentException("write id " + op.writeId() + " used twice (ops " + previous.id() + ", " + op.id() + ")");
                }
                if (op.ok()) {
                    ackedWrites++;
                }
            } else if (op.ok()) {
                ackedDeletes++;
            }
        }

        List<Anomaly> anomalies = new ArrayList<>();
        Set<Long> lostMutations = new HashSet<>();
        Set<String> verifiedKeys = new HashSet<>();
        int reads = 0;
        int lists = 0;
        for (Operation op : history) {
            if (!op.ok()) {
                continue;
            }
            if (op.type() == OpType.READ) {
                reads++;
                KeyState key = keys.computeIfAbsent(op.key(), KeyState::new);
                checkRead(op, key, writesById, anomalies, lostMutations);
                if (op.phase() == Phase.FINAL) {
                    verifiedKeys.add(op.key());
                }
            } else if (op.type() == OpType.LIST) {
                lists++;
                checkList(op, keys, anomalies);
            }
        }
        if (options.requireFinalReads()) {
            for (KeyState key : keys.values()) {
                if (key.hasAckedMutation() && !verifiedKeys.contains(key.key)) {
                    anomalies.add(new Anomaly(Anomaly.Kind.UNVERIFIED_KEY, key.key, 0,
                            "key has acknowledged mutations but no successful read after faults stopped"));
                }
            }
        }
        Set<Long> seenIds = new HashSet<>();
        for (Operation op : history) {
            if (op.type() == OpType.READ && op.ok() && op.observed().kind() == Observed.Kind.VALUE) {
                seenIds.add(op.observed().writeId());
            }
        }
        long indeterminateSeen = writesById.values().stream()
                .filter(w -> w.outcome() == Outcome.INDETERMINATE && seenIds.contains(w.writeId())).count();
        return new Verdict(anomalies, reads, lists, verifiedKeys.size(), ackedWrites, ackedDeletes, lostMutations.size(), indeterminateSeen);
    }

    private void checkRead(Operation read, KeyState key, Map<Long, Operation> writesById, List<Anomaly> out, Set<Long> lost) {
        Observed seen = read.observed();
        switch (seen.kind()) {
            case GARBAGE -> out.add(new Anomaly(Anomaly.Kind.PHANTOM_BYTES, read.key(), read.id(),
                    "read returned bytes no write produced: " + seen.detail()));
            case VALUE -> {
                Operation write = writesById.get(seen.writeId());
                if (write == null || !write.key().equals(read.key())) {
                    out.add(new Anomaly(Anomaly.Kind.UNKNOWN_WRITE, read.key(), read.id(),
                            "read returned write#" + seen.writeId() + ", which no client issued for this key"));
                    return;
                }
                if (write.outcome() == Outcome.FAILED && !options.failedWritesMayApply()) {
                    out.add(new Anomaly(Anomaly.Kind.FAILED_WRITE_VISIBLE, read.key(), read.id(),
                            "read returned write#" + write.writeId() + " (op#" + write.id() + "), which had failed: " + write.error()));
                    return;
                }
                if (write.startNanos() > read.endNanos()) {
                    out.add(new Anomaly(Anomaly.Kind.READ_FROM_FUTURE, read.key(), read.id(),
                            "read returned write#" + write.writeId() + ", which started after the read ended"));
                    return;
                }
                if (read.phase() == Phase.CONVERGENCE) {
                    return;
                }
                Mutation m = key.byOpId.get(write.id());
                Mutation superseding = key.supersederAt(read.startNanos(), m);
                if (superseding != null) {
                    report(read, "write#" + write.writeId(), superseding, out, lost);
                }
            }
            case ABSENT -> {
                if (read.phase() == Phase.CONVERGENCE) {
                    return;
                }
                Mutation best = null;
                for (Mutation m : key.absentCandidates()) {
                    if (m.start < read.endNanos()) {
                        Mutation superseding = key.supersederAt(read.startNanos(), m);
                        if (superseding == null) {
                            return;
                        }
                        best = superseding;
                    }
                }
                report(read, "absent", best, out, lost);
            }
        }
    }

    private static void report(Operation read, String seen, Mutation superseding, List<Anomaly> out, Set<Long> lost) {
        String what = superseding.delete ? "delete (op#" + superseding.opId + ")" : "write#" + superseding.writeId + " (op#" + superseding.opId + ")";
        if (read.phase() == Phase.FINAL) {
            lost.add(superseding.opId);
            out.add(new Anomaly(Anomaly.Kind.LOST_WRITE, read.key(), read.id(),
                    "after faults the node returned " + seen + " but acknowledged " + what + " had superseded it"));
        } else {
            out.add(new Anomaly(Anomaly.Kind.STALE_READ, read.key(), read.id(),
                    "read returned " + seen + " although acknowledged " + what + " completed before the read started"));
        }
    }

    private static void checkList(Operation list, Map<String, KeyState> keys, List<Anomaly> out) {
        for (String listed : new TreeSet<>(list.listed())) {
            KeyState key = keys.get(listed);
            boolean possible = false;
            if (key != null) {
                for (Mutation m : key.mutations) {
                    if (!m.delete && m.start < list.endNanos() && key.supersederAt(list.startNanos(), m) == null) {
                        possible = true;
                        break;
                    }
                }
            }
            if (!possible) {
                out.add(new Anomaly(Anomaly.Kind.PHANTOM_LISTING, listed, list.id(),
                        "listing named a key that held no object at any time the listing ran"));
            }
        }
        for (KeyState key : keys.values()) {
            if (list.listed().contains(key.key)) {
                continue;
            }
            boolean absentPossible = false;
            for (Mutation m : key.absentCandidates()) {
                if (m.start < list.endNanos() && key.supersederAt(list.startNanos(), m) == null) {
                    absentPossible = true;
                    break;
                }
            }
            // A write still in flight when the listing ran may be missing from it: only certain presence counts.
            if (!absentPossible) {
                out.add(new Anomaly(Anomaly.Kind.MISSING_FROM_LISTING, key.key, list.id(),
                        "listing left out a key whose acknowledged write was current throughout the listing"));
            }
        }
    }

    /** A write or delete as the register sees it; {@code end} is infinite when the client never learned the outcome. */
    private record Mutation(long opId, boolean delete, long writeId, long start, long end, boolean acked) {
    }

    private static final class KeyState {
        final String key;
        final List<Mutation> mutations = new ArrayList<>();
        final Map<Long, Mutation> byOpId = new HashMap<>();
        final List<Mutation> absent = new ArrayList<>();
        /** Acknowledged mutations only: the ones that can supersede. */
        final List<Mutation> acked = new ArrayList<>();

        KeyState(String key) {
            this.key = key;
            absent.add(new Mutation(0, true, 0, Long.MIN_VALUE, Long.MIN_VALUE, true));
        }

        void add(Operation op, Options options) {
            boolean mayApply = op.outcome() != Outcome.FAILED || options.failedWritesMayApply();
            long end = op.outcome() == Outcome.OK ? op.endNanos() : Long.MAX_VALUE;
            Mutation m = new Mutation(op.id(), op.type() == OpType.DELETE, op.writeId(), op.startNanos(), end, op.ok());
            byOpId.put(op.id(), m);
            if (!mayApply) {
                return;
            }
            mutations.add(m);
            if (m.delete) {
                absent.add(m);
            }
            if (m.acked) {
                acked.add(m);
            }
        }

        List<Mutation> absentCandidates() {
            return absent;
        }

        boolean hasAckedMutation() {
            return !acked.isEmpty();
        }

        /**
         * The acknowledged mutation that makes {@code m} impossible to observe from time {@code t}:
         * one that started after {@code m} ended and completed before {@code t}. Null if none.
         */
        Mutation supersederAt(long t, Mutation m) {
            Mutation latest = null;
            for (Mutation a : acked) {
                if (a.end < t && a.start > m.end && (latest == null || a.start > latest.start)) {
                    latest = a;
                }
            }
            return latest;
        }
    }
}
