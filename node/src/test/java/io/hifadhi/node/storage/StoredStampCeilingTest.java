package io.hifadhi.node.storage;

import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.clock.VersionStamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The clock's ceiling survives closing the node database, so a reopened clock goes on past its last stamp. */
class StoredStampCeilingTest {
    @TempDir
    Path dir;

    @Test
    void aClockOnAReopenedDatabaseStampsPastItsLastStampWithTheWallClockSteppedBack() throws Exception {
        AtomicLong wall = new AtomicLong(10_000_000);
        VersionStamp last;
        try (NodeDatabase db = NodeDatabase.open(dir, true)) {
            assertEquals(0, new StoredStampCeiling(db).load());
            HybridLogicalClock clock = new HybridLogicalClock("n", wall::get, new StoredStampCeiling(db));
            clock.now();
            last = clock.now();
        }
        wall.set(1_000);
        try (NodeDatabase db = NodeDatabase.open(dir, true)) {
            assertTrue(new StoredStampCeiling(db).load() > last.wallMillis());
            VersionStamp first = new HybridLogicalClock("n", wall::get, new StoredStampCeiling(db)).now();
            assertTrue(first.isNewerThan(last), first + " after " + last);
        }
    }
}
