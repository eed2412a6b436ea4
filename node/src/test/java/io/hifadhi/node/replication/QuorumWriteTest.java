package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sloppy-quorum rules, with sends answered in memory (pure logic). The coordinator is "a"; its own copy is sent
 * after the other replicas' (it may be stored on the calling thread), so "a&lt;-" comes after them in the logs.
 */
class QuorumWriteTest {
    /** Records sends as "target<-hintFor" and answers per target: ok, fail, or held until released. */
    static final class Sends implements QuorumWrite.Sender {
        final List<String> log = new ArrayList<>();
        final Set<String> failing;
        final Map<String, CompletableFuture<Ack>> held = new ConcurrentHashMap<>();
        final Set<String> holding;

        Sends(Set<String> failing, Set<String> holding) {
            this.failing = failing;
            this.holding = holding;
        }

        @Override
        public synchronized CompletableFuture<Ack> apply(String target, String hintFor) {
            log.add(target + "<-" + (hintFor == null ? "" : hintFor));
            if (failing.contains(target)) {
                return CompletableFuture.failedFuture(new java.io.IOException(target + " broke"));
            }
            if (holding.contains(target)) {
                CompletableFuture<Ack> f = new CompletableFuture<>();
                held.put(target, f);
                return f;
            }
            return CompletableFuture.completedFuture(new Ack(true, target.equals("b")));
        }
    }

    private static final List<String> WALK = List.of("a", "b", "c", "d", "e");

    @Test
    void allReplicasUpAnsweringAtOnceMeetsTheQuorumWithoutHints() {
        Sends s = new Sends(Set.of(), Set.of());
        QuorumWrite.Outcome o = QuorumWrite.start("t", WALK, 3, 2, id -> true, "a", s).quorum().join();
        assertEquals(List.of("b<-", "c<-", "a<-"), s.log);
        assertEquals(Set.of("a", "b", "c"), o.holders());
        assertTrue(o.previousLive());
    }

    @Test
    void anUnreachableReplicaIsStoodInForByTheNextNodeWithAHint() {
        Sends s = new Sends(Set.of(), Set.of());
        QuorumWrite.start("t", WALK, 3, 2, id -> !id.equals("b"), "a", s).quorum().join();
        assertEquals(List.of("d<-b", "c<-", "a<-"), s.log);
    }

    @Test
    void withNoNodeLeftTheCoordinatorKeepsTheHint() {
        Sends s = new Sends(Set.of(), Set.of());
        QuorumWrite.Outcome o = QuorumWrite.start("t", List.of("a", "b", "c"), 3, 2, id -> !id.equals("c"), "a", s).quorum().join();
        assertEquals(List.of("b<-", "a<-c", "a<-"), s.log);
        assertEquals(Set.of("a", "b"), o.holders());
    }

    @Test
    void aFailedWriteIsRetriedOnAStandIn() {
        Sends s = new Sends(Set.of("c"), Set.of());
        QuorumWrite.start("t", WALK, 3, 3, id -> true, "a", s).quorum().join();
        assertEquals(List.of("b<-", "c<-", "d<-c", "a<-"), s.log);
    }

    @Test
    void fewerThanWHoldersFailsAsUnavailable() {
        Sends s = new Sends(Set.of("b"), Set.of());
        CompletionException e = assertThrows(CompletionException.class,
                () -> QuorumWrite.start("t", List.of("a", "b", "c"), 3, 2, id -> id.equals("a") || id.equals("b"), "a", s).quorum().join());
        assertInstanceOf(StoreUnavailableException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("b broke"), e.getCause().getMessage());
    }

    @Test
    void theOutcomeWaitsForWAcksAndForHintsButNotForSlowReplicas() {
        Sends s = new Sends(Set.of(), Set.of("c", "a"));
        QuorumWrite.Pending p = QuorumWrite.start("t", List.of("a", "b", "c"), 3, 2, id -> true, "a", s);
        CompletableFuture<QuorumWrite.Outcome> f = p.quorum();
        assertFalse(f.isDone(), "only b answered");
        s.held.get("a").complete(new Ack(true, false));
        assertTrue(f.isDone(), "a and b suffice; c may lag");
        assertEquals(Set.of("a", "b"), f.join().holders());
        assertFalse(p.settled().isDone(), "c's send still holds the bytes");
        s.held.get("c").completeExceptionally(new java.io.IOException("late failure"));
        assertFalse(p.settled().isDone(), "c's stand-in (a keeps a hint for c) is still being written");
        s.held.get("a").complete(new Ack(true, false));
        assertTrue(p.settled().isDone(), "settled once every send, including c's stand-in, has finished");
        assertEquals(List.of("b<-", "c<-", "a<-", "a<-c"), s.log, "the late failure still left a hint for c");
    }

    @Test
    void aSuspectedReplicaGetsItsStandInAtOnceAndItsLateAckStillCounts() {
        Sends s = new Sends(Set.of(), Set.of("b", "c", "d"));
        QuorumWrite q = QuorumWrite.begin("t", WALK, 3, 2, id -> true, "a", s);
        CompletableFuture<QuorumWrite.Outcome> f = q.pending().quorum();
        q.suspect("b");
        assertEquals(List.of("b<-", "c<-", "a<-", "d<-b"), s.log, "b's stand-in d goes out without waiting for b's timeout");
        q.suspect("b");
        assertEquals(4, s.log.size(), "one stand-in per suspected replica");
        s.held.get("b").complete(new Ack(true, false));
        assertTrue(f.isDone(), "the suspected replica answered after all: its copy counts toward W");
        assertEquals(Set.of("a", "b"), f.join().holders());
    }

    @Test
    void aSuspectedReplicaThatThenFailsIsNotStoodInForTwice() {
        Sends s = new Sends(Set.of(), Set.of("b", "c", "d"));
        QuorumWrite q = QuorumWrite.begin("t", WALK, 3, 2, id -> true, "a", s);
        q.suspect("b");
        s.held.get("b").completeExceptionally(new java.io.IOException("timed out"));
        assertEquals(List.of("b<-", "c<-", "a<-", "d<-b"), s.log);
        s.held.get("d").complete(new Ack(true, false));
        assertEquals(Set.of("a", "d"), q.pending().quorum().join().holders());
    }

    @Test
    void aFailedEarlyStandInIsReplacedByTheNextFallback() {
        Sends s = new Sends(Set.of("d"), Set.of("b", "c"));
        QuorumWrite q = QuorumWrite.begin("t", WALK, 3, 2, id -> true, "a", s);
        q.suspect("b");
        assertEquals(List.of("b<-", "c<-", "a<-", "d<-b", "e<-b"), s.log, "d failed at once, so e stands in for b");
        assertEquals(Set.of("a", "e"), q.pending().quorum().join().holders());
    }

    @Test
    void aHungSuspectDoesNotHoldTheWriteBackOnceItsStandInLanded() {
        Sends s = new Sends(Set.of(), Set.of("b", "c", "d"));
        QuorumWrite q = QuorumWrite.begin("t", WALK, 3, 2, id -> true, "a", s);
        q.suspect("b");
        assertFalse(q.pending().settled().isDone(), "c and d still hold the bytes");
        s.held.get("c").complete(new Ack(true, false));
        s.held.get("d").complete(new Ack(true, false));
        assertEquals(Set.of("a", "c", "d"), q.pending().quorum().join().holders());
        assertTrue(q.pending().settled().isDone(), "b's own send runs to its timeout without holding the upload back");
    }

    @Test
    void aReplicaSuspectedAfterTheQuorumStillGetsAStandInAndStopsHoldingTheBytes() {
        Sends s = new Sends(Set.of(), Set.of("c", "d"));
        QuorumWrite q = QuorumWrite.begin("t", WALK, 3, 2, id -> true, "a", s);
        assertTrue(q.pending().quorum().isDone(), "a and b acknowledged");
        assertFalse(q.pending().settled().isDone(), "c's send is under way");
        q.suspect("c");
        assertEquals(List.of("b<-", "c<-", "a<-", "d<-c"), s.log, "c's copy gets a stand-in keeping a hint");
        s.held.get("d").complete(new Ack(true, false));
        assertTrue(q.pending().settled().isDone(), "the hung c no longer holds the bytes");
    }
}
