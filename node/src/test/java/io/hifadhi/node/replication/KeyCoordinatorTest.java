package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterSettings;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.LoadDigest;
import io.hifadhi.membership.Member;
import io.hifadhi.membership.MemberMetadata;
import io.hifadhi.membership.MemberState;
import io.hifadhi.membership.Reachability;
import io.hifadhi.node.layout.ClusterLayout;
import io.hifadhi.ring.KeyHash;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who decides for a key as node "a" sees a five-node cluster, and when "a" may grant leases on it. */
class KeyCoordinatorTest {
    private static final Duration TTL = Duration.ofSeconds(30);
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private volatile ClusterView view = view(List.of("a", "b", "c", "d", "e"));
    private final Placement placement = new Placement(() -> view, () -> ClusterLayout.EMPTY, new ClusterSettings(3, 2, 2, 1 << 20));

    private static ClusterView view(List<String> ids, String... unreachable) {
        Set<String> down = Set.of(unreachable);
        Map<String, Member> members = new LinkedHashMap<>();
        for (String id : ids) {
            MemberMetadata md = new MemberMetadata(id, "10.0.0.1:7111", "default", 1L << 40, 0, MemberState.UP,
                    LoadDigest.IDLE, ClusterSettings.defaults());
            boolean reachable = !down.contains(id);
            members.put(id, new Member(md, "1", id + ":7112", reachable ? Reachability.REACHABLE : Reachability.UNREACHABLE,
                    reachable ? null : Instant.now()));
        }
        return new ClusterView("a", Instant.now(), members);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    /** The ring position of a key whose preference list (all reachable) starts as {@code wanted} says. */
    private long keyWhere(Predicate<List<String>> wanted) {
        for (int i = 0; i < 100_000; i++) {
            long position = KeyHash.ofObject("bucket", "key-" + i);
            if (wanted.test(placement.walk(view, position))) {
                return position;
            }
        }
        throw new AssertionError("no such key");
    }

    @Test
    void aNodeGrantsOnlyForItsOwnKeysAndOnlyOneTtlAfterItStarted() {
        long mine = keyWhere(walk -> walk.get(0).equals("a"));
        long theirs = keyWhere(walk -> walk.get(0).equals("b"));
        KeyCoordinator a = new KeyCoordinator(placement, "a", TTL, nanos::get);
        assertEquals("a", a.coordinatorOf(mine));
        assertEquals("b", a.coordinatorOf(theirs));
        ClusterKeyLocks.Refusal justStarted = a.refusal(mine);
        assertNotNull(justStarted, "a node that just started cannot know the leases granted before it");
        assertEquals(30_001, justStarted.retryMillis());
        advance(TTL.minusMillis(1));
        assertNotNull(a.refusal(mine));
        advance(Duration.ofMillis(1));
        assertNull(a.refusal(mine), "one TTL after its start it grants");
        ClusterKeyLocks.Refusal notMine = a.refusal(theirs);
        assertTrue(notMine.reason().contains("(b does)"), notMine.reason());
    }

    @Test
    void aNodeThatTakesOverAKeyWaitsOneTtlAfterTheChangeWhileItsOtherKeysGoOn() {
        long mine = keyWhere(walk -> walk.get(0).equals("a"));
        long next = keyWhere(walk -> walk.get(0).equals("b") && walk.get(1).equals("a"));
        KeyCoordinator a = new KeyCoordinator(placement, "a", TTL, nanos::get);
        advance(TTL.plusSeconds(60));
        assertNull(a.refusal(mine));

        view = view(List.of("a", "b", "c", "d", "e"), "b");
        a.observe(); // the membership event
        advance(Duration.ofSeconds(10));
        assertEquals("a", a.coordinatorOf(next), "b is unreachable: a is first reachable of the key's list");
        ClusterKeyLocks.Refusal takingOver = a.refusal(next);
        assertNotNull(takingOver, "b's leases may still run");
        assertEquals(20_001, takingOver.retryMillis(), "counted from the change, not from the lookup");
        assertTrue(takingOver.reason().contains("began deciding"), takingOver.reason());
        assertNull(a.refusal(mine), "keys a decided all along are not held up");
        advance(Duration.ofSeconds(20));
        assertNull(a.refusal(next));
    }

    @Test
    void aBriefChangeCountsToo() {
        long theirs = keyWhere(walk -> walk.get(0).equals("b") && walk.get(1).equals("a"));
        long others = keyWhere(walk -> walk.get(0).equals("a") && walk.get(1).equals("b"));
        KeyCoordinator a = new KeyCoordinator(placement, "a", TTL, nanos::get);
        advance(TTL.plusSeconds(60));
        // a is cut off from the others for a moment: alone it decides nothing through leases, but c, d, e may have
        // taken over its keys meanwhile.
        view = view(List.of("a", "b", "c", "d", "e"), "b", "c", "d", "e");
        a.observe();
        ClusterKeyLocks.Refusal cutOff = a.refusal(others);
        assertTrue(cutOff.reason().contains("reaches only 1 of 5 members, no majority"), cutOff.reason());
        advance(Duration.ofSeconds(1));
        view = view(List.of("a", "b", "c", "d", "e"));
        a.observe();
        advance(Duration.ofSeconds(1));
        assertEquals("b", a.coordinatorOf(theirs));
        assertNotNull(a.refusal(others), "while cut off, a key of a's may have had another coordinator");
        advance(TTL);
        assertNull(a.refusal(others));
    }

    @Test
    void aNodeInTheMajorityGoesOnWhenOthersFail() {
        long mine = keyWhere(walk -> walk.get(0).equals("a"));
        KeyCoordinator a = new KeyCoordinator(placement, "a", TTL, nanos::get);
        advance(TTL.plusSeconds(60));
        view = view(List.of("a", "b", "c", "d", "e"), "d", "e");
        a.observe();
        advance(Duration.ofSeconds(1));
        assertNull(a.refusal(mine), "3 of 5: a's own keys are still a's alone");
        view = view(List.of("a", "b", "c", "d", "e"));
        a.observe();
        assertNull(a.refusal(mine), "nor does the failed nodes' return hold them up");
    }

    @Test
    void aNodeAloneGrantsNothingAndWaitsOneTtlOnceAPeerArrives() {
        view = view(List.of("a"));
        KeyCoordinator a = new KeyCoordinator(placement, "a", TTL, nanos::get);
        advance(TTL.plusSeconds(60));
        long any = KeyHash.ofObject("bucket", "key");
        assertEquals("a", a.coordinatorOf(any));
        ClusterKeyLocks.Refusal alone = a.refusal(any);
        assertTrue(alone.reason().contains("sees no other member"), alone.reason());

        // Alone, its writes were serialized by its own lock, which a peer's lease request cannot see.
        view = view(List.of("a", "b"));
        a.observe();
        long mine = keyWhere(walk -> walk.get(0).equals("a"));
        assertNotNull(a.refusal(mine));
        advance(TTL);
        assertNull(a.refusal(mine));
    }
}
