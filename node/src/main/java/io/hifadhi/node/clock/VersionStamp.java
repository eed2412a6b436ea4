package io.hifadhi.node.clock;

import java.util.Comparator;
import java.util.Objects;

/**
 * A hybrid-logical-clock timestamp. Total order: wall millis, then counter, then node id, so two
 * replicas that merge the same records always pick the same winner (last writer wins).
 */
public record VersionStamp(long wallMillis, int counter, String nodeId) implements Comparable<VersionStamp> {
    private static final Comparator<VersionStamp> ORDER = Comparator.comparingLong(VersionStamp::wallMillis)
            .thenComparingInt(VersionStamp::counter)
            .thenComparing(VersionStamp::nodeId);

    public VersionStamp {
        Objects.requireNonNull(nodeId, "nodeId");
        if (counter < 0) {
            throw new IllegalArgumentException("negative counter");
        }
    }

    @Override
    public int compareTo(VersionStamp other) {
        return ORDER.compare(this, other);
    }

    public boolean isNewerThan(VersionStamp other) {
        return compareTo(other) > 0;
    }

    /** {@code wall-counter-node}; the node id may itself contain dashes. */
    @Override
    public String toString() {
        return wallMillis + "-" + counter + "-" + nodeId;
    }

    public static VersionStamp parse(String text) {
        int a = text.indexOf('-');
        int b = a < 0 ? -1 : text.indexOf('-', a + 1);
        if (b < 0) {
            throw new IllegalArgumentException("not a version stamp: " + text);
        }
        return new VersionStamp(Long.parseLong(text.substring(0, a)), Integer.parseInt(text.substring(a + 1, b)), text.substring(b + 1));
    }
}
