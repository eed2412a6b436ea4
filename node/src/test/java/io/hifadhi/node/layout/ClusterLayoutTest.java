package io.hifadhi.node.layout;

import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.ring.Member;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live rings and the read ring of a layout, from its entries alone. */
class ClusterLayoutTest {
    private final Map<String, byte[]> entries = new HashMap<>();
    private final Map<String, VersionStamp> stamps = new HashMap<>();
    private long clock = 1_000;

    private void member(String id, LayoutRole role) {
        put(ClusterLayout.MEMBER_PREFIX + id, new LayoutMember(id, "", 100, role).encode());
    }

    private void ack(String id, String... ring) {
        List<Member> members = java.util.Arrays.stream(ring).map(r -> new Member(r, "", 100)).toList();
        put(ClusterLayout.ACK_PREFIX + id, ClusterLayout.Ack.encode(members));
    }

    private void routes(String id, String... ring) {
        List<Member> members = java.util.Arrays.stream(ring).map(r -> new Member(r, "", 100)).toList();
        put(ClusterLayout.ROUTES_PREFIX + id, ClusterLayout.Ack.encode(members));
    }

    private void put(String key, byte[] value) {
        entries.put(key, value);
        stamps.put(key, new VersionStamp(clock++, 0, "t"));
    }

    private ClusterLayout layout() {
        return ClusterLayout.of(entries, stamps);
    }

    private static List<String> ids(List<Member> ring) {
        return ring.stream().map(Member::id).toList();
    }

    @Test
    void aSettledLayoutHasOneRing() {
        for (String id : List.of("a", "b", "c")) {
            member(id, LayoutRole.MEMBER);
        }
        for (String id : List.of("a", "b", "c")) {
            ack(id, "a", "b", "c");
        }
        ClusterLayout l = layout();
        assertFalse(l.inTransition());
        assertEquals(List.of("a", "b", "c"), ids(l.readRing()));
        assertEquals(3, l.ownersConfirmed());
    }

    @Test
    void aJoinKeepsTheOldRingLiveAndReadUntilEveryOwnerConfirmed() {
        for (String id : List.of("a", "b", "c")) {
            member(id, LayoutRole.MEMBER);
            ack(id, "a", "b", "c");
        }
        member("d", LayoutRole.MEMBER);
        ack("d", "a", "b", "c");
        ClusterLayout l = layout();
        assertTrue(l.inTransition());
        assertEquals(List.of(List.of("a", "b", "c", "d"), List.of("a", "b", "c")), l.liveRings().stream().map(ClusterLayoutTest::ids).toList());
        assertEquals(List.of("a", "b", "c"), ids(l.readRing()));

        for (String id : List.of("a", "b", "c")) {
            ack(id, "a", "b", "c", "d");
        }
        assertTrue(layout().inTransition(), "d has not confirmed yet");
        assertEquals(List.of("a", "b", "c"), ids(layout().readRing()));
        ack("d", "a", "b", "c", "d");
        assertFalse(layout().inTransition());
        assertEquals(List.of("a", "b", "c", "d"), ids(layout().readRing()));
    }

    @Test
    void aRingIsRoutedByAllOnlyOnceEveryReachableOwnerAndLeaverRoutesByIt() {
        for (String id : List.of("a", "b", "c", "d")) {
            member(id, LayoutRole.MEMBER);
            routes(id, "a", "b", "c", "d");
        }
        member("e", LayoutRole.REMOVED); // removed: coordinates nothing, its routing ack is never asked for
        assertTrue(layout().routedByAll(id -> true));

        member("d", LayoutRole.LEAVING);
        assertFalse(layout().routedByAll(id -> true), "nobody routes by a, b, c yet");
        for (String id : List.of("a", "b", "c")) {
            routes(id, "a", "b", "c");
        }
        assertFalse(layout().routedByAll(id -> true), "the leaving node still coordinates requests by the old ring");
        assertTrue(layout().routedByAll(id -> !id.equals("d")), "an unreachable node places no writes");
        routes("d", "a", "b", "c");
        assertTrue(layout().routedByAll(id -> true));

        member("f", LayoutRole.MEMBER); // a join: the newcomer has not acked yet
        assertFalse(layout().routedByAll(id -> true));
    }

    @Test
    void readsGoToTheOldestConfirmedRingWhenChangesPileUp() {
        for (String id : List.of("a", "b", "c")) {
            member(id, LayoutRole.MEMBER);
            ack(id, "a", "b", "c");
        }
        member("d", LayoutRole.MEMBER);
        ack("d", "a", "b", "c");
        member("e", LayoutRole.MEMBER);
        ack("e", "a", "b", "c", "d");
        ClusterLayout l = layout();
        assertEquals(3, l.liveRings().size());
        assertEquals(List.of("a", "b", "c"), ids(l.readRing()));
    }

    @Test
    void leavingAndRemovedNodesAreOutOfTheNewestRingAndTheirAcksDoNotCount() {
        for (String id : List.of("a", "b", "c", "d")) {
            member(id, LayoutRole.MEMBER);
            ack(id, "a", "b", "c", "d");
        }
        member("d", LayoutRole.LEAVING);
        ClusterLayout l = layout();
        assertEquals(List.of("a", "b", "c"), ids(l.owners()));
        assertEquals(List.of("a", "b", "c", "d"), ids(l.readRing()), "the leaver still serves until the others confirmed");
        for (String id : List.of("a", "b", "c")) {
            ack(id, "a", "b", "c");
        }
        assertFalse(layout().inTransition(), "a leaver's own ack does not hold the change open");
        member("c", LayoutRole.REMOVED);
        assertEquals(List.of("a", "b"), ids(layout().owners()));
        assertEquals(2, layout().liveRings().size());
    }

    @Test
    void entriesRoundTrip() {
        LayoutMember m = new LayoutMember("node-a", "rack-1", 500, LayoutRole.LEAVING);
        assertEquals(m, LayoutMember.decode("node-a", m.encode()));
    }
}
