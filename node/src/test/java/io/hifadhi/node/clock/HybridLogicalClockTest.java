package io.hifadhi.node.clock;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HybridLogicalClockTest {
    @Test
    void followsWallTimeAndCountsWithinAMillisecond() {
        AtomicLong wall = new AtomicLong(1000);
        HybridLogicalClock clock = new HybridLogicalClock("a", wall::get);
        assertEquals(new VersionStamp(1000, 0, "a"), clock.now());
        assertEquals(new VersionStamp(1000, 1, "a"), clock.now());
        wall.set(1005);
        assertEquals(new VersionStamp(1005, 0, "a"), clock.now());
    }

    @Test
    void neverGoesBackwardsWhenTheWallClockDoes() {
        AtomicLong wall = new AtomicLong(5000);
        HybridLogicalClock clock = new HybridLogicalClock("a", wall::get);
        VersionStamp before = clock.now();
        wall.set(1000);
        VersionStamp after = clock.now();
        assertTrue(after.isNewerThan(before));
        assertEquals(5000, after.wallMillis());
    }

    @Test
    void aRestartedClockStartsPastItsStoredCeilingWhenTheWallClockSteppedBack() {
        AtomicLong wall = new AtomicLong(50_000);
        StampCeiling stored = StampCeiling.inMemory();
        HybridLogicalClock before = new HybridLogicalClock("a", wall::get, stored);
        VersionStamp last = before.now();
        for (int i = 0; i < 5; i++) {
            last = before.now();
        }
        last = before.observe(new VersionStamp(51_000, 3, "b"));
        wall.set(1_000);
        HybridLogicalClock after = new HybridLogicalClock("a", wall::get, stored);
        VersionStamp first = after.now();
        assertTrue(first.isNewerThan(last), first + " after " + last);
        assertTrue(after.observe(new VersionStamp(10, 0, "b")).isNewerThan(first));
    }

    @Test
    void theCeilingIsStoredAheadOnceNotForEveryStamp() {
        AtomicLong wall = new AtomicLong(1_000);
        java.util.List<Long> raised = new java.util.ArrayList<>();
        StampCeiling counting = new StampCeiling() {
            @Override
            public long load() {
                return 0;
            }

            @Override
            public void raise(long wallMillis) {
                raised.add(wallMillis);
            }
        };
        HybridLogicalClock clock = new HybridLogicalClock("a", wall::get, counting);
        for (int i = 0; i < 100; i++) {
            wall.incrementAndGet();
            clock.now();
        }
        assertEquals(java.util.List.of(1_001 + HybridLogicalClock.CEILING_AHEAD_MILLIS), raised);
    }

    @Test
    void noStampGoesOutWhenItsCeilingCannotBeStored() {
        HybridLogicalClock clock = new HybridLogicalClock("a", () -> 1_000, new StampCeiling() {
            @Override
            public long load() {
                return 0;
            }

            @Override
            public void raise(long wallMillis) throws java.io.IOException {
                throw new java.io.IOException("disk full");
            }
        });
        assertThrows(java.io.UncheckedIOException.class, clock::now);
    }

    @Test
    void observingARemoteStampJumpsPastIt() {
        AtomicLong wall = new AtomicLong(1000);
        HybridLogicalClock clock = new HybridLogicalClock("a", wall::get);
        VersionStamp remote = new VersionStamp(9000, 7, "b");
        VersionStamp merged = clock.observe(remote);
        assertEquals(new VersionStamp(9000, 8, "a"), merged);
        assertTrue(clock.now().isNewerThan(remote));
        // equal wall: counter is max of both + 1
        VersionStamp same = clock.observe(new VersionStamp(9000, 20, "c"));
        assertEquals(21, same.counter());
        wall.set(20000);
        assertEquals(new VersionStamp(20000, 0, "a"), clock.observe(new VersionStamp(10, 3, "z")));
    }

    @Test
    void lastWriterWinsOrderIsTotal() {
        VersionStamp a = new VersionStamp(10, 0, "a");
        VersionStamp b = new VersionStamp(10, 0, "b");
        VersionStamp c = new VersionStamp(10, 1, "a");
        VersionStamp d = new VersionStamp(11, 0, "a");
        assertTrue(b.isNewerThan(a));
        assertTrue(c.isNewerThan(b));
        assertTrue(d.isNewerThan(c));
        assertEquals(0, a.compareTo(new VersionStamp(10, 0, "a")));
    }

    @Test
    void textFormRoundTrips() {
        VersionStamp v = new VersionStamp(1700000000123L, 42, "node-with-dashes");
        assertEquals("1700000000123-42-node-with-dashes", v.toString());
        assertEquals(v, VersionStamp.parse(v.toString()));
        assertThrows(IllegalArgumentException.class, () -> VersionStamp.parse("nope"));
    }
}
