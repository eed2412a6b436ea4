package io.hifadhi.node.replication;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator's lease table, on a clock the test moves. */
class KeyLeasesTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final KeyLeases leases = new KeyLeases(Duration.ofSeconds(30), nanos::get);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aHeldKeyIsRefusedToOthersUntilItsHolderGivesItBack() {
        assertTrue(leases.grant("k", "a"));
        assertFalse(leases.grant("k", "b"), "one holder at a time");
        assertTrue(leases.grant("other", "b"), "other keys are free");
        advance(Duration.ofSeconds(10));
        assertFalse(leases.grant("k", "b"), "b still waits");
        assertEquals(20_000, leases.heldForMillis("k"), "and is told how long the lease still runs");
        assertTrue(leases.release("k", "a"));
        assertEquals(0, leases.heldForMillis("k"));
        assertTrue(leases.grant("k", "b"), "the waiter gets it once it is given back");
    }

    @Test
    void aLeaseRunsOutAfterItsTtlSoACrashedHolderCannotKeepTheKey() {
        assertTrue(leases.grant("k", "crashed"));
        advance(Duration.ofSeconds(30).minusNanos(1));
        assertFalse(leases.grant("k", "b"));
        advance(Duration.ofNanos(1));
        assertTrue(leases.grant("k", "b"), "granted once the TTL has passed");
        assertFalse(leases.renew("k", "crashed"), "the lapsed holder cannot renew");
        assertFalse(leases.release("k", "crashed"), "nor give back what is now b's");
        assertFalse(leases.grant("k", "crashed"));
    }

    @Test
    void onlyTheHolderMayGiveBackOrRenew() {
        assertTrue(leases.grant("k", "a"));
        assertFalse(leases.release("k", "b"), "a release by the wrong holder is refused");
        assertFalse(leases.renew("k", "b"));
        assertFalse(leases.grant("k", "b"), "and the lease is still a's");
        assertFalse(leases.release("absent", "a"));
        assertTrue(leases.release("k", "a"));
        assertFalse(leases.release("k", "a"), "twice is refused too");
    }

    @Test
    void renewingAndAskingAgainExtendTheLeaseByATtlFromNow() {
        assertTrue(leases.grant("k", "a"));
        advance(Duration.ofSeconds(20));
        assertTrue(leases.renew("k", "a"));
        advance(Duration.ofSeconds(20));
        assertFalse(leases.grant("k", "b"), "renewed 20 s ago, so 10 s to go");
        assertTrue(leases.grant("k", "a"), "a holder whose answer was lost asks again and keeps it");
        advance(Duration.ofSeconds(29));
        assertFalse(leases.grant("k", "b"));
    }

    @Test
    void lapsedLeasesAreSweptSoTheTableStaysSmall() {
        for (int i = 0; i < 1000; i++) {
            assertTrue(leases.grant("key-" + i, "h"));
        }
        advance(Duration.ofSeconds(31));
        for (int i = 0; i < 100; i++) {
            assertTrue(leases.grant("new-" + i, "h"));
        }
        assertTrue(leases.size() < 200, "lapsed leases were swept: " + leases.size());
    }
}
