package io.hifadhi.node.clock;

import java.util.function.LongSupplier;

/**
 * Hybrid logical clock (Kulkarni et al.): stamps track wall time closely but never go backwards and
 * always advance past any stamp this node has observed, even when wall clocks disagree.
 */
public final class HybridLogicalClock {
    private final LongSupplier wallClock;
    private final String nodeId;
    private long wall;
    private int counter;

    public HybridLogicalClock(String nodeId, LongSupplier wallClock) {
        this.nodeId = nodeId;
        this.wallClock = wallClock;
    }

    /** A stamp for a local event, greater than every stamp issued or observed before. */
    public synchronized VersionStamp now() {
        long physical = wallClock.getAsLong();
        if (physical > wall) {
            wall = physical;
            counter = 0;
        } else {
            counter = Math.addExact(counter, 1);
        }
        return new VersionStamp(wall, counter, nodeId);
    }

    /** Merges a stamp seen from elsewhere and returns a fresh stamp greater than it and than all before. */
    public synchronized VersionStamp observe(VersionStamp remote) {
        long physical = wallClock.getAsLong();
        long next = Math.max(physical, Math.max(wall, remote.wallMillis()));
        if (next == wall && next == remote.wallMillis()) {
            counter = Math.max(counter, remote.counter()) + 1;
        } else if (next == wall) {
            counter++;
        } else if (next == remote.wallMillis()) {
            counter = remote.counter() + 1;
        } else {
            counter = 0;
        }
        wall = next;
        return new VersionStamp(wall, counter, nodeId);
    }
}
