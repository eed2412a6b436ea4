package io.hifadhi.ring;

/**
 * The positions after {@code startExclusive} up to and including {@code endInclusive}, walking clockwise
 * (it may wrap past the largest position). {@code start == end} denotes the whole ring.
 */
public record TokenRange(long startExclusive, long endInclusive) {

    private static final double RING_SIZE = 0x1p64;

    public boolean isWholeRing() {
        return startExclusive == endInclusive;
    }

    public boolean wraps() {
        return startExclusive >= endInclusive;
    }

    public boolean contains(long position) {
        if (startExclusive < endInclusive) {
            return position > startExclusive && position <= endInclusive;
        }
        return isWholeRing() || position > startExclusive || position <= endInclusive;
    }

    /** Share of the ring this range covers, in (0, 1]. */
    public double fraction() {
        return isWholeRing() ? 1.0 : fractionOfRing(endInclusive - startExclusive);
    }

    /** A clockwise distance (unsigned 64-bit) as a share of the ring. */
    static double fractionOfRing(long distance) {
        double unsigned = (double) (distance >>> 1) * 2.0 + (distance & 1L);
        return unsigned / RING_SIZE;
    }

    @Override
    public String toString() {
        return "(" + KeyHash.toHex(startExclusive) + ", " + KeyHash.toHex(endInclusive) + "]";
    }
}
