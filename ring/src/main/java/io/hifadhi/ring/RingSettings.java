package io.hifadhi.ring;

/**
 * The cluster-wide constants that, with the member set, fully determine a ring. Every node must use the
 * same settings (membership refuses nodes whose cluster settings differ).
 *
 * <p>A member's weight is {@code capacity / referenceCapacity}, capped at {@link #MAX_WEIGHT}; it owns
 * {@code vnodes = max(1, round(baseVnodes * weight))} tokens. The reference is a fixed constant rather
 * than, say, the mean capacity of the current members: a relative reference would change every member's
 * token count whenever anyone joins, and move far more than the joiner's share of the keys.
 *
 * @param baseVnodes        tokens of a member whose capacity equals the reference (1..65536)
 * @param referenceCapacity capacity that counts as weight 1, in the same unit as {@link Member#capacity()}
 */
public record RingSettings(int baseVnodes, long referenceCapacity) {

    /** Chosen from the balance/memory sweep in ring/README.md. */
    public static final int DEFAULT_BASE_VNODES = 2048;
    /** 1 TiB: members declaring their capacity in bytes get weight 1 per TiB. */
    public static final long DEFAULT_REFERENCE_CAPACITY = 1L << 40;
    /** Above this weight a bigger disk earns no more tokens; keeps one member from dominating memory. */
    public static final double MAX_WEIGHT = 64.0;
    /** Upper bound on tokens in one ring (about 200 MB of arrays); beyond it raise the reference. */
    public static final int MAX_TOKENS = 1 << 24;

    public static final RingSettings DEFAULT =
            new RingSettings(DEFAULT_BASE_VNODES, DEFAULT_REFERENCE_CAPACITY);

    public RingSettings {
        if (baseVnodes < 1 || baseVnodes > 65_536) {
            throw new IllegalArgumentException("baseVnodes must be in 1..65536, was " + baseVnodes);
        }
        if (referenceCapacity <= 0) {
            throw new IllegalArgumentException("referenceCapacity must be positive, was " + referenceCapacity);
        }
    }

    /** Default reference capacity with another base token count. */
    public static RingSettings withBaseVnodes(int baseVnodes) {
        return new RingSettings(baseVnodes, DEFAULT_REFERENCE_CAPACITY);
    }

    public double weightOf(Member member) {
        return Math.min(MAX_WEIGHT, (double) member.capacity() / referenceCapacity);
    }

    public int vnodesOf(Member member) {
        return (int) Math.max(1L, Math.round(baseVnodes * weightOf(member)));
    }
}
