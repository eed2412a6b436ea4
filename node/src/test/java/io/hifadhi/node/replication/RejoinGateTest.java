package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterSettings;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.LoadDigest;
import io.hifadhi.membership.Member;
import io.hifadhi.membership.MemberMetadata;
import io.hifadhi.membership.MemberState;
import io.hifadhi.membership.Reachability;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RejoinGateTest {
    private final AtomicLong now = new AtomicLong(1_000_000);

    /** A view held by "a" of five members; {@code unreachable} lists the ones it cannot reach. */
    private static ClusterView view(String... unreachable) {
        Set<String> down = Set.of(unreachable);
        Map<String, Member> members = new LinkedHashMap<>();
        for (String id : new String[] {"a", "b", "c", "d", "e"}) {
            MemberMetadata md = new MemberMetadata(id, "10.0.0.1:7111", "default", 1 << 30, 0, MemberState.UP,
                    LoadDigest.IDLE, ClusterSettings.defaults());
            boolean reachable = !down.contains(id);
            members.put(id, new Member(md, "1", id + ":7112", reachable ? Reachability.REACHABLE : Reachability.UNREACHABLE,
                    reachable ? null : Instant.now()));
        }
        return new ClusterView("a", Instant.now(), members);
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
