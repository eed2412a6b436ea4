package io.hifadhi.chaos.history;

/**
 * A fault the harness injected: from {@code startNanos} (signal sent) to {@code endNanos} (the node
 * was restarted or continued), and {@code recoveredNanos} when it answered health again (0 if never).
 * On a cluster, {@code clusterDetectNanos} is when another member first showed it
 * {@code reachable:false} in {@code /api/v1/cluster} and {@code clusterRejoinNanos} when every such
 * member showed it reachable again (0 if not seen or not measured).
 */
public record FaultEvent(String kind, int node, long startNanos, long endNanos, long recoveredNanos,
                         long startWallMillis, String detail, long clusterDetectNanos, long clusterRejoinNanos) {
    public FaultEvent(String kind, int node, long startNanos, long endNanos, long recoveredNanos, long startWallMillis, String detail) {
        this(kind, node, startNanos, endNanos, recoveredNanos, startWallMillis, detail, 0, 0);
    }

    public boolean recovered() {
        return recoveredNanos > 0;
    }

    /** End of the window in which the node was out: until it answered health again (open-ended if it never did). */
    public long windowEndNanos() {
        return recovered() ? recoveredNanos : Long.MAX_VALUE;
    }
}
