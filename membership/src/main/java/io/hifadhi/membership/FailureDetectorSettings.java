package io.hifadhi.membership;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of our own failure detector: every member pings every other member directly over the cluster
 * messaging port and feeds the reply intervals into a phi-accrual detector.
 *
 * <p>With the defaults a silent member is declared unreachable after roughly
 * {@code pingInterval + acceptablePause + ~5.6 * minStdDev} = 0.2 + 0.8 + 0.56 s, about 1.6 s (checked every
 * {@code pingInterval / 2}), which keeps detection under 3 s while tolerating a one-second GC or scheduling stall.
 *
 * @param pingInterval     how often each peer is pinged
 * @param pingTimeout      how long one ping may stay unanswered
 * @param phiThreshold     phi above which a peer is unreachable (8 = 1e-8 chance that it is merely late)
 * @param minStdDev        lower bound on the standard deviation of intervals (avoids hair triggers on loopback)
 * @param acceptablePause  added to the expected interval (tolerated stall)
 * @param forgetAfter      an unreachable member absent from gossip this long is dropped from the view
 */
public record FailureDetectorSettings(Duration pingInterval, Duration pingTimeout, double phiThreshold,
                                      Duration minStdDev, Duration acceptablePause, Duration forgetAfter) {

    public FailureDetectorSettings {
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(pingTimeout, "pingTimeout");
        Objects.requireNonNull(minStdDev, "minStdDev");
        Objects.requireNonNull(acceptablePause, "acceptablePause");
        Objects.requireNonNull(forgetAfter, "forgetAfter");
        if (pingInterval.toMillis() < 10 || pingTimeout.toMillis() < 10 || minStdDev.toMillis() < 1) {
            throw new IllegalArgumentException("ping interval/timeout must be >= 10 ms and min std dev >= 1 ms");
        }
        if (!(phiThreshold > 0)) {
            throw new IllegalArgumentException("phi threshold must be > 0");
        }
    }

    public static FailureDetectorSettings defaults() {
        return new FailureDetectorSettings(Duration.ofMillis(200), Duration.ofMillis(1000), 8.0,
                Duration.ofMillis(100), Duration.ofMillis(800), Duration.ofHours(24));
    }

    public FailureDetectorSettings withForgetAfter(Duration d) {
        return new FailureDetectorSettings(pingInterval, pingTimeout, phiThreshold, minStdDev, acceptablePause, d);
    }
}
