package io.hifadhi.node.replication;

import io.hifadhi.api.store.KeyBusyException;
import io.hifadhi.api.store.KeyLease;
import io.hifadhi.api.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Asking a key's coordinator for its lease, waiting, confirming and giving it back, with the coordinator ("c") in
 * this process: nodes "a" and "b" reach it by a direct call instead of the transport. Real time, short waits.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClusterKeyLocksTest {
    /** Who decides for every key, and whether it may grant now; the test changes both. */
    private volatile String coordinator = "c";
    private volatile ClusterKeyLocks.Refusal refusal;
    private volatile boolean coordinatorAnswers = true;

    private final ClusterKeyLocks.Coordination coordination = new ClusterKeyLocks.Coordination() {
        @Override
        public String coordinatorOf(long position) {
            return coordinator;
        }

        @Override
        public ClusterKeyLocks.Refusal refusal(long position) {
            return refusal;
        }
    };

    private ClusterKeyLocks c;

    private ClusterKeyLocks cluster(Duration ttl, Duration wait, String node) {
        if (c == null) {
            c = new ClusterKeyLocks("c", new KeyLeases(ttl, System::nanoTime), coordination, null, wait);
        }
        ClusterKeyLocks.Courier toC = (target, type, message) -> {
            if (!coordinatorAnswers) {
                return new CompletableFuture<>();
            }
            return CompletableFuture.supplyAsync(() -> type.equals(Messages.LEASE_ASK)
                    ? c.answer((Messages.LeaseAsk) message) : c.release((Messages.LeaseRelease) message));
        };
        return new ClusterKeyLocks(node, new KeyLeases(ttl, System::nanoTime), coordination, toC, wait);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void aSecondWriterWaitsUntilTheFirstGivesTheKeyBack() throws Exception {
        ClusterKeyLocks a = cluster(Duration.ofSeconds(30), Duration.ofSeconds(5), "a");
        ClusterKeyLocks b = cluster(Duration.ofSeconds(30), Duration.ofSeconds(5), "b");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            KeyLease first = a.lock("bucket", "key");
            long start = System.nanoTime();
            Future<KeyLease> second = pool.submit(() -> b.lock("bucket", "key"));
            Thread.sleep(300);
            assertTrue(!second.isDone(), "b waits while a holds the key");
            first.confirm();
            first.close();
            KeyLease got = second.get(5, TimeUnit.SECONDS);
            assertTrue(millisSince(start) >= 250, "granted only after a gave the key back");
            got.confirm();
            got.close();
            // Another key was never held.
            try (KeyLease other = b.lock("bucket", "other")) {
                other.confirm();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theWaitIsBoundedAndEndsIn503SlowDownWithAMessageToActOn() throws Exception {
        ClusterKeyLocks a = cluster(Duration.ofSeconds(30), Duration.ofMillis(400), "a");
        ClusterKeyLocks b = cluster(Duration.ofSeconds(30), Duration.ofMillis(400), "b");
        try (KeyLease held = a.lock("bucket", "key")) {
            long start = System.nanoTime();
            KeyBusyException busy = assertThrows(KeyBusyException.class, () -> b.lock("bucket", "key"));
            long waited = millisSince(start);
            assertTrue(waited >= 350 && waited < 3_000, waited + " ms");
            assertTrue(busy.getMessage().contains("bucket/key") && busy.getMessage().contains("Retry"), busy.getMessage());
            held.confirm();
        }
    }

    @Test
    void aCrashedHoldersLeaseRunsOutAndItCanNoLongerCommit() throws Exception {
        ClusterKeyLocks a = cluster(Duration.ofMillis(400), Duration.ofSeconds(5), "a");
        ClusterKeyLocks b = cluster(Duration.ofMillis(400), Duration.ofSeconds(5), "b");
        KeyLease crashed = a.lock("bucket", "key"); // never given back
        long start = System.nanoTime();
        try (KeyLease next = b.lock("bucket", "key")) {
            assertTrue(millisSince(start) >= 300, "granted once the lease ran out");
            next.confirm();
            StoreUnavailableException lost = assertThrows(StoreUnavailableException.class, crashed::confirm);
            assertTrue(lost.getMessage().contains("no longer holds the lease"), lost.getMessage());
            crashed.close(); // a late give-back by the old holder does not free the new lease
            Thread.sleep(100);
            next.confirm();
        }
    }

    @Test
    void aCoordinatorThatMayNotGrantYetIsRefusedAt503WithWhenToRetry() {
        ClusterKeyLocks a = cluster(Duration.ofSeconds(30), Duration.ofSeconds(1), "a");
        refusal = new ClusterKeyLocks.Refusal("node c began deciding for this key 2 ms ago", 29_998);
        long start = System.nanoTime();
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class, () -> a.lock("bucket", "key"));
        assertTrue(millisSince(start) < 500, "no point waiting 1 s for what takes 30: refused at once");
        assertTrue(!(e instanceof KeyBusyException));
        assertTrue(e.getMessage().contains("began deciding") && e.getMessage().contains("retry in about 30 s"), e.getMessage());
        // A short refusal is waited out.
        refusal = new ClusterKeyLocks.Refusal("settling", 100);
        CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS).execute(() -> refusal = null);
        try (KeyLease lease = assertDoesNotThrowLock(a)) {
            assertTrue(lease != null);
        }
    }

    private static KeyLease assertDoesNotThrowLock(ClusterKeyLocks node) {
        try {
            return node.lock("bucket", "key");
        } catch (Exception e) {
            throw new AssertionError("lock failed: " + e, e);
        }
    }

    @Test
    void aCommitIsRefusedWhenTheKeysCoordinatorChangedWhileTheLeaseWasHeld() throws Exception {
        ClusterKeyLocks a = cluster(Duration.ofSeconds(30), Duration.ofSeconds(1), "a");
        try (KeyLease lease = a.lock("bucket", "key")) {
            coordinator = "d";
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class, lease::confirm);
            assertTrue(e.getMessage().contains("changed from c to d"), e.getMessage());
        }
    }

    @Test
    void aCommitIsRefusedWhenTheCoordinatorStoppedDecidingForTheKeyMeanwhile() throws Exception {
        ClusterKeyLocks a = cluster(Duration.ofSeconds(30), Duration.ofSeconds(1), "a");
        try (KeyLease lease = a.lock("bucket", "key")) {
            refusal = new ClusterKeyLocks.Refusal("node c reaches only 2 of 5 members, no majority", 500);
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class, lease::confirm);
            assertTrue(e.getMessage().contains("Lost the lease") && e.getMessage().contains("no majority"), e.getMessage());
        }
    }

    @Test
    void aCoordinatorThatDoesNotAnswerEndsTheWaitIn503() {
        ClusterKeyLocks a = cluster(Duration.ofSeconds(30), Duration.ofMillis(600), "a");
        coordinatorAnswers = false;
        long start = System.nanoTime();
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class, () -> a.lock("bucket", "key"));
        assertTrue(millisSince(start) < 3_000);
        assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
        assertEquals(StoreUnavailableException.class, e.getClass());
    }
}
