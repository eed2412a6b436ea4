package io.hifadhi.node.config;

/**
 * The expiry pass: native files past their {@code expires_in} and objects an S3 lifecycle rule expires are deleted,
 * and uploads a rule abandons aborted, every {@code passIntervalMillis}.
 *
 * @param dayMillis          the length of a lifecycle rule's day; shorter than a real day only in tests
 * @param passIntervalMillis pause between two passes
 */
public record LifecycleSettings(long dayMillis, long passIntervalMillis) {
    public static final LifecycleSettings DEFAULTS = new LifecycleSettings(86_400_000L, 10 * 60_000L);

    public LifecycleSettings {
        if (dayMillis < 1_000) {
            throw new IllegalArgumentException("--lifecycle-day must be at least 1s, got " + dayMillis + " ms");
        }
        if (passIntervalMillis < 100) {
            throw new IllegalArgumentException("--lifecycle-interval must be at least 100ms, got " + passIntervalMillis + " ms");
        }
    }
}
