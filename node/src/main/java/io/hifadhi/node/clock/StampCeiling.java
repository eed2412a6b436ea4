package io.hifadhi.node.clock;

import java.io.IOException;

/**
 * Where a {@link HybridLogicalClock} keeps, durably, a wall time above every stamp it has handed out. A node that
 * restarts with its wall clock stepped back starts its stamps from there, so they never go backwards: its writes
 * still win over the ones it made before the restart.
 */
public interface StampCeiling {
    /** The ceiling stored before, 0 when there is none yet. */
    long load() throws IOException;

    /** Stores a higher ceiling; durable (synced) on return, since stamps below it go out right after. */
    void raise(long wallMillis) throws IOException;

    /** A ceiling kept in memory only: for clocks whose stamps need not outlive the process (tests, tools). */
    static StampCeiling inMemory() {
        return new StampCeiling() {
            private volatile long ceiling;

            @Override
            public long load() {
                return ceiling;
            }

            @Override
            public void raise(long wallMillis) {
                ceiling = wallMillis;
            }
        };
    }
}
