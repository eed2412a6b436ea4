package io.hifadhi.chaos.history;

/**
 * A fault the harness injected: from {@code startNanos} (signal sent) to {@code endNanos} (the node
 * was restarted or continued), and {@code recoveredNanos} when it answered health again (0 if never).
 */
public record FaultEvent(String kind, int node, long startNanos, long endNanos, long recoveredNanos,
                         long startWallMillis, String detail) {
    public boolean recovered() {
        return recoveredNanos > 0;
    }
}
