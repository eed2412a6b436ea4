package io.hifadhi.chaos.workload;

import java.time.Duration;

/**
 * Shape of a workload. Every client stops at whichever comes first: {@code maxOpsPerClient} or
 * {@code duration}. Weights are relative; operations a client's API lacks fall back to reads.
 */
public record WorkloadConfig(int clients, int keys, long maxOpsPerClient, Duration duration,
                             int minSize, int maxSize, int writeWeight, int readWeight, int deleteWeight,
                             int listWeight, long seed) {
    public WorkloadConfig {
        if (clients < 1 || keys < 1 || maxOpsPerClient < 1 || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("clients, keys, ops and duration must be positive");
        }
        if (minSize < 1 || maxSize < minSize) {
            throw new IllegalArgumentException("need 1 <= minSize <= maxSize");
        }
        if (writeWeight < 0 || readWeight < 0 || deleteWeight < 0 || listWeight < 0 || writeWeight + readWeight + deleteWeight + listWeight == 0) {
            throw new IllegalArgumentException("weights must be non-negative and not all zero");
        }
    }

    /** Mixed small (inline) and chunked bodies, mostly writes and reads, a few deletes and listings. */
    public static WorkloadConfig mixed(int clients, int keys, long maxOpsPerClient, Duration duration, long seed) {
        return new WorkloadConfig(clients, keys, maxOpsPerClient, duration, 200, 160 * 1024, 45, 40, 8, 7, seed);
    }

    public String key(int i) {
        return String.format("k-%04d", i);
    }
}
