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
