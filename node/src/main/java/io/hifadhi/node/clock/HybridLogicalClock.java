package io.hifadhi.node.clock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongSupplier;

/**
 * Hybrid logical clock (Kulkarni et al.): stamps track wall time closely but never go backwards and
 * always advance past any stamp this node has observed, even when wall clocks disagree. Across restarts
 * too: every stamp's wall time is below a ceiling kept in a {@link StampCeiling}, and a restarted clock
 * starts from that ceiling.
 */
public final class HybridLogicalClock {
    /**
     * How far ahead of the newest stamp the stored ceiling is put: one synced write per this much wall time,
     * not one per stamp. It is also how far into the future the first stamps after a quick restart can be.
     */
    static final long CEILING_AHEAD_MILLIS = 2_000;

    private final LongSupplier wallClock;
    private final String nodeId;
    private final StampCeiling stored;
    private long ceiling;
    private long wall;
    private int counter;

    /** A clock whose stamps start over at each start: for tests and tools that issue no stamps that last. */
    public HybridLogicalClock(String nodeId, LongSupplier wallClock) {
        this(nodeId, wallClock, StampCeiling.inMemory());
    }

    /**
     * A clock that starts past every stamp issued under {@code stored} before: its first stamp has the stored
     * ceiling's wall time (with a counter above 0) unless the wall clock is already past it.
     */
    public HybridLogicalClock(String nodeId, LongSupplier wallClock, StampCeiling stored) {
        this.nodeId = nodeId;
        this.wallClock = wallClock;
        this.stored = stored;
        try {
            this.ceiling = stored.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the clock's stored ceiling", e);
        }
        this.wall = ceiling;
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
        return issue();
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
        return issue();
    }

    /** The stamp of the current state, once the stored ceiling is above it (stamps at the ceiling could repeat). */
    private VersionStamp issue() {
        if (wall >= ceiling) {
            long raised = wall + CEILING_AHEAD_MILLIS;
            try {
                stored.raise(raised);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot store the clock's ceiling; no stamp is issued", e);
            }
            ceiling = raised;
        }
        return new VersionStamp(wall, counter, nodeId);
    }
}
