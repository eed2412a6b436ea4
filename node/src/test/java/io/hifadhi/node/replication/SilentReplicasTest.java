package io.hifadhi.node.replication;

import io.hifadhi.node.storage.ObjectRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SilentReplicasTest {
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(QuorumRead.FRESHNESS_WAIT_MILLIS);
    private static final Executor NOWHERE = r -> { };

    private final AtomicLong clock = new AtomicLong(5_000);
    private final SilentReplicas silent = new SilentReplicas(WAIT_NANOS, clock::get);

    @Test
    void aReplicaIsSilentOnceItLeftARequestUnansweredForLongerThanTheWait() {
        assertFalse(silent.silent("c"), "never asked");
        silent.asked("c");
        clock.addAndGet(WAIT_NANOS);
        assertFalse(silent.silent("c"), "not longer than the wait");
        silent.asked("c"); // a later request does not restart the silence
        clock.addAndGet(1);
        assertTrue(silent.silent("c"));
        assertFalse(silent.silent("a"), "others are not concerned");
        silent.answered("c");
        assertFalse(silent.silent("c"), "heard again");
        silent.asked("c");
        clock.addAndGet(WAIT_NANOS / 2);
        assertFalse(silent.silent("c"), "a new request starts a new silence");
    }

    @Test
    void silentHoldersAreAskedLastAndTheOthersKeepTheirOrder() {
        List<String> order = List.of("b", "c", "d", "e");
        assertSame(order, silent.last(order), "none silent: the same list");
        silent.asked("c");
        silent.asked("b");
        clock.addAndGet(WAIT_NANOS + 1);
        silent.asked("d"); // asked just now: not silent yet
        assertEquals(List.of("d", "e", "b", "c"), silent.last(order));
        silent.answered("b");
        assertEquals(List.of("b", "d", "e", "c"), silent.last(order));
    }

    @Test
    void readsWaitForAHungReplicaOnlyUntilItIsFoundSilentAndATimeoutDoesNotClearThat() throws Exception {
        ObjectRecord older = ReadRepairTest.version(10, "a");
        ObjectRecord newer = ReadRepairTest.version(20, "b");
        CompletableFuture<ObjectRecord> hung = new CompletableFuture<>();
        Map<String, CompletableFuture<ObjectRecord>> answers = Map.of("a", CompletableFuture.completedFuture(older),
                "b", CompletableFuture.completedFuture(newer));
        TableReplication.Reads reads = new TableReplication.Reads(List.of("a", "b", "c"), List.of("a", "b", "c"),
                List.of(new TableReplication.Quorum(List.of("a", "b", "c"), 2)));

        // The first read gives the hung replica the whole freshness wait: it could hold the newest copy.
        long t0 = System.nanoTime();
        assertSame(newer, QuorumRead.newest("k", reads, id -> answers.getOrDefault(id, hung), silent, NOWHERE, p -> { }));
        assertTrue(System.nanoTime() - t0 >= WAIT_NANOS, "waited for c");

        // Once c has left that request unanswered for longer than the wait, reads no longer wait for it. Twenty reads
        // that each waited would take two seconds; without the wait they take microseconds each.
        clock.addAndGet(WAIT_NANOS + 1);
        assertTrue(silent.silent("c"));
        long t1 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            assertSame(newer, QuorumRead.newest("k", reads, id -> answers.getOrDefault(id, hung), silent, NOWHERE, p -> { }));
        }
        assertTrue(System.nanoTime() - t1 < 20 * WAIT_NANOS, "no wait for a silent replica: "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1) + " ms for 20 reads");

        // Its request timing out is no answer: still silent. An answer of its own makes it heard again.
        hung.completeExceptionally(new TimeoutException("no reply"));
        assertTrue(silent.silent("c"));
        QuorumRead.newest("k", reads, id -> answers.getOrDefault(id, CompletableFuture.completedFuture(null)), silent,
                NOWHERE, p -> { });
        assertFalse(silent.silent("c"));
    }
}
