package io.hifadhi.chaos.checker;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The checker's findings. {@code lostAckedWrites} counts acknowledged mutations whose effect was
 * missing in the final reads; it is the headline durability figure of a drill.
 * {@code indeterminateWritesSeen} counts writes that got no answer but were later read back.
 */
public record Verdict(List<Anomaly> anomalies, int readsChecked, int listsChecked, int keysVerified,
                      long ackedWrites, long ackedDeletes, long lostAckedWrites, long indeterminateWritesSeen) {
    public Verdict {
        anomalies = List.copyOf(anomalies);
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
        if (ok()) {
            return "OK: " + readsChecked + " reads, " + listsChecked + " listings, " + keysVerified
                    + " keys verified after faults; " + ackedWrites + " acknowledged writes, 0 lost";
        }
        return "FAILED: " + anomalies.size() + " anomalies " + counts() + "; " + lostAckedWrites
                + " acknowledged mutations lost; first: " + anomalies.get(0);
    }
}
