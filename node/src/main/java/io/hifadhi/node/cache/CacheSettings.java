package io.hifadhi.node.cache;

import java.time.Duration;

/**
 * How a node caches and spreads hot objects.
 *
 * @param cacheBytes               bound of the chunk cache on disk ({@code --cache-size}); 0 keeps no cache
 * @param hotSpreading             whether this node pushes hot objects to ring neighbours ({@code --hot-spreading})
 * @param hotReadsPerSecond        an object read through this node more often than this is hot ({@code --hot-threshold})
 * @param busyRequestsPerSecond    above this many HTTP requests per second this node counts as loaded, and objects at a
 *                                 quarter of the hot rate are spread too ({@code --hot-node-load})
 * @param coolDown                 how long an object must stay below half the hot rate before its extra copies are
 *                                 dropped ({@code --hot-cool-down})
 * @param extraCopies              copies beyond the replica set that a hot object gets ({@code --hot-copies})
 */
public record CacheSettings(long cacheBytes, boolean hotSpreading, double hotReadsPerSecond, double busyRequestsPerSecond,
                            Duration coolDown, int extraCopies) {
    public static final CacheSettings DEFAULTS = new CacheSettings(1L << 30, true, 20, 500, Duration.ofSeconds(60), 2);
    public static final int MAX_EXTRA_COPIES = 16;

    public CacheSettings {
        if (cacheBytes < 0) {
            throw new IllegalArgumentException("--cache-size must be >= 0");
        }
        if (!(hotReadsPerSecond > 0) || !(busyRequestsPerSecond > 0)) {
            throw new IllegalArgumentException("--hot-threshold and --hot-node-load must be > 0");
        }
        if (coolDown.isNegative() || coolDown.isZero()) {
            throw new IllegalArgumentException("--hot-cool-down must be positive");
        }
        if (extraCopies < 1 || extraCopies > MAX_EXTRA_COPIES) {
            throw new IllegalArgumentException("--hot-copies must be between 1 and " + MAX_EXTRA_COPIES);
        }
    }
}
