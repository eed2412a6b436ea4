package io.hifadhi.node.config;

/**
 * The scrub: every {@code intervalMillis} a pass re-hashes each chunk file with SHA-256 at no more than
 * {@code bytesPerSecond}, so bit rot in data nobody reads is found and healed from a replica.
 *
 * @param intervalMillis from the end of one pass to the start of the next ({@code --scrub-interval})
 * @param bytesPerSecond read rate of a pass ({@code --scrub-rate}); 0 = no limit
 */
public record ScrubSettings(long intervalMillis, long bytesPerSecond) {
    public static final ScrubSettings DEFAULTS = new ScrubSettings(7 * 86_400_000L, 32L << 20);

    public ScrubSettings {
        if (intervalMillis < 1_000) {
            throw new IllegalArgumentException("--scrub-interval must be at least 1s, got " + intervalMillis + " ms");
        }
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("--scrub-rate must not be negative (0 means no limit)");
        }
    }
}
