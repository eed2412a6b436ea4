package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RejoinGateTest {
    private final AtomicLong now = new AtomicLong(1_000_000);

    /** A view held by "a" of five members; {@code unreachable} lists the ones it cannot reach. */
    private static ClusterView view(String... unreachable) {
        return Views.heldByA(List.of("a", "b", "c", "d", "e"), unreachable);
    }

    @Test
    void aNewNodeServesAtOnce() {
        RejoinGate gate = new RejoinGate(Set::of, false, now::get);
        assertDoesNotThrow(gate::checkDetached);
        assertDoesNotThrow(() -> gate.check(view("b", "c"), 2));
    }

    @Test
    void aNewNodeStartedToJoinServesOnlyOnceItSitsInTheCluster() {
        RejoinGate gate = new RejoinGate(Set::of, true, now::get);
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class, gate::checkDetached);
        assertTrue(e.getMessage().contains("joining"), e.getMessage());
        assertDoesNotThrow(() -> gate.check(view(), 2), "open once every member it sees is reachable");
    }

    @Test
    void aRestartedNodeWaitsForEveryRememberedPeer() {
        RejoinGate gate = new RejoinGate(() -> Set.of("b", "c", "d", "e"), false, now::get);
        assertThrows(StoreUnavailableException.class, gate::checkDetached);
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class, () -> gate.check(view("d"), 2));
        assertTrue(e.getMessage().contains("[d]"), e.getMessage());
        assertDoesNotThrow(() -> gate.check(view(), 2));
        assertDoesNotThrow(() -> gate.check(view("b", "c", "d", "e"), 2), "once open, it stays open");
    }

    @Test
    void aNodeCutOffFromAQuorumServesAgainOnlyOnceItSeesEveryone() {
        RejoinGate gate = new RejoinGate(Set::of, false, now::get);
        gate.onView(view("b", "c"), 2);
        assertDoesNotThrow(() -> gate.check(view("b", "c"), 2), "losing some peers with a quorum left keeps it serving");

        gate.onView(view("b", "c", "d", "e"), 2);
        assertDoesNotThrow(() -> gate.check(view("b", "c", "d", "e"), 2),
                "alone, the gate lets each operation fail on its own quorum (the more precise 503)");
        // The heal: peers come back one at a time. With a partial view it would read from the wrong nodes.
        StoreUnavailableException partial = assertThrows(StoreUnavailableException.class, () -> gate.check(view("c", "d", "e"), 2));
        assertTrue(partial.getMessage().contains("cut off") && partial.getMessage().contains("[c, d, e]"), partial.getMessage());
        assertDoesNotThrow(() -> gate.check(view(), 2));
    }

    @Test
    void aPeerThatNeverComesBackHoldsTheGateForTheGraceOnlyCountedFromTheQuorumsReturn() {
        RejoinGate gate = new RejoinGate(Set::of, false, now::get);
        gate.onView(view("b", "c", "d", "e"), 2);
        now.addAndGet(RejoinGate.GRACE_MILLIS * 3);
        gate.onView(view("c", "d", "e"), 2);
        assertThrows(StoreUnavailableException.class, () -> gate.check(view("c", "d", "e"), 2),
                "a long cut is no grace: it starts when a quorum is back");
        now.addAndGet(RejoinGate.GRACE_MILLIS - 10);
        gate.onView(view("e"), 2);
        assertThrows(StoreUnavailableException.class, () -> gate.check(view("e"), 2));
        now.addAndGet(11);
        assertDoesNotThrow(() -> gate.check(view("e"), 2), "e is really gone: serve with the view there is");
    }
}
