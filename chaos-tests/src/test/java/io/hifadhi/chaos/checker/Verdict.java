package io.hifadhi.chaos.checker;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The checker's findings. {@code lostAckedWrites} counts acknowledged mutations whose effect was
 * missing in the final reads; it is the headline durability figure of a drill.
 * {@code indeterminateWritesSeen} counts writes that got no answer but were later read back.
 * {@code tolerated} holds findings a drill declared expected (see {@link #tolerating}); they do not fail it.
 */
public record Verdict(List<Anomaly> anomalies, List<Anomaly> tolerated, int readsChecked, int listsChecked, int keysVerified,
                      long ackedWrites, long ackedDeletes, long lostAckedWrites, long indeterminateWritesSeen) {
    public Verdict {
        anomalies = List.copyOf(anomalies);
        tolerated = List.copyOf(tolerated);
    }

    public Verdict(List<Anomaly> anomalies, int readsChecked, int listsChecked, int keysVerified,
                   long ackedWrites, long ackedDeletes, long lostAckedWrites, long indeterminateWritesSeen) {
        this(anomalies, List.of(), readsChecked, listsChecked, keysVerified, ackedWrites, ackedDeletes, lostAckedWrites,
                indeterminateWritesSeen);
    }

    /**
     * Moves the findings that {@code expected} accepts out of the failures into {@link #tolerated}. A lost
     * acknowledged write is never tolerated, whatever the predicate says.
     */
    public Verdict tolerating(Predicate<Anomaly> expected) {
        List<Anomaly> kept = new ArrayList<>();
        List<Anomaly> moved = new ArrayList<>(tolerated);
        for (Anomaly a : anomalies) {
            if (a.kind() != Anomaly.Kind.LOST_WRITE && expected.test(a)) {
                moved.add(a);
            } else {
                kept.add(a);
            }
        }
        return new Verdict(kept, moved, readsChecked, listsChecked, keysVerified, ackedWrites, ackedDeletes, lostAckedWrites,
                indeterminateWritesSeen);
    }

    public Map<Anomaly.Kind, Integer> toleratedCounts() {
        Map<Anomaly.Kind, Integer> counts = new EnumMap<>(Anomaly.Kind.class);
        tolerated.forEach(a -> counts.merge(a.kind(), 1, Integer::sum));
        return counts;
    }

    public boolean ok() {
        return anomalies.isEmpty();
    }

    public Map<Anomaly.Kind, Integer> counts() {
        Map<Anomaly.Kind, Integer> counts = new EnumMap<>(Anomaly.Kind.class);
        for (Anomaly a : anomalies) {
            counts.merge(a.kind(), 1, Integer::sum);
        }
        return counts;
    }

    public boolean has(Anomaly.Kind kind) {
        return anomalies.stream().anyMatch(a -> a.kind() == kind);
    }

    public String summary() {
        String expected = tolerated.isEmpty() ? "" : "; tolerated as expected: " + toleratedCounts();
        if (ok()) {
            return "OK: " + readsChecked + " reads, " + listsChecked + " listings, " + keysVerified
                    + " keys verified after faults; " + ackedWrites + " acknowledged writes, 0 lost" + expected;
        }
        return "FAILED: " + anomalies.size() + " anomalies " + counts() + "; " + lostAckedWrites
                + " acknowledged mutations lost" + expected + "; first: " + anomalies.get(0);
    }
}
