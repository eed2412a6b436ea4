package io.hifadhi.node.layout;

import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.ring.Member;
import io.hifadhi.ring.Ring;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --capacity} decides the share: a node's capacity travels in its layout entry, the ring the data path builds
 * from the layout weighs it, and a change moves what the ring predicts, no more.
 */
class CapacityWeightTest {
    private static final long TIB = 1L << 40;
    private static final int N = 3;
    private static final int KEYS = 200_000;

    private final Map<String, byte[]> entries = new HashMap<>();
    private final Map<String, VersionStamp> stamps = new HashMap<>();
    private long clock = 1_000;

    private void member(String id, long capacity) {
        String key = ClusterLayout.MEMBER_PREFIX + id;
        entries.put(key, new LayoutMember(id, "", capacity, LayoutRole.MEMBER).encode());
        stamps.put(key, new VersionStamp(clock++, 0, "t"));
    }

    /** The ring the data path builds from the layout ({@code Placement} builds {@code Ring.of(layout.owners())}). */
    private Ring ring() {
        return Ring.of(ClusterLayout.of(entries, stamps).owners());
    }

    @Test
    void unequalCapacitiesGiveProportionalShares() {
        Map<String, Long> capacities = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            capacities.put("small-" + i, TIB);
            capacities.put("big-" + i, 2 * TIB);
        }
        capacities.forEach(this::member);
        Ring ring = ring();
        for (Member m : ring.members()) {
            assertEquals(capacities.get(m.id()), m.capacity(), "the layout carries " + m.id() + "'s capacity into the ring");
        }
        assertEquals(2 * ring.vnodesOf("small-0"), ring.vnodesOf("big-0"));

        long total = capacities.values().stream().mapToLong(Long::longValue).sum();
        double[] primary = ring.ownership(1);
        double[] stored = ring.ownership(N);
        for (int i = 0; i < ring.size(); i++) {
            Member m = ring.member(i);
            double fair = (double) m.capacity() / total;
            // As primary (one copy), the share follows capacity closely: only token placement varies it.
            assertEquals(fair, primary[i], 0.10 * fair, m.id() + " primary share");
            // With N copies a node holds at most one copy of a key, and the next replicas are the next distinct nodes
            // on the walk; that pulls shares a little toward equal (here big ones about 1.8x the small, not 2x).
            assertEquals(N * fair, stored[i], 0.15 * N * fair, m.id() + " share of the copies");
        }
        double smallMean = 0;
        double bigMean = 0;
        for (int i = 0; i < ring.size(); i++) {
            if (ring.member(i).id().startsWith("big")) {
                bigMean += stored[i] / 4;
            } else {
                smallMean += stored[i] / 4;
            }
        }
        assertTrue(bigMean / smallMean > 1.7, "a node with twice the capacity holds " + bigMean / smallMean + "x the copies");
    }

    @Test
    void aJoinOrALeaveMovesTheLeastTheRingAllows() {
        for (int i = 0; i < 5; i++) {
            member("node-" + i, (1 + i % 2) * TIB);
        }
        Ring before = ring();
        member("joiner", 2 * TIB);
        Ring grown = ring();
        double joinerShare = grown.ownership(N)[grown.indexOf("joiner")];
        // 1 + 2 + 1 + 2 + 1 + 2 = 9 TiB: the joiner's fair share of the copies is 3 x 2/9 of the keys.
        assertEquals(3 * 2 / 9.0, joinerShare, 0.15 * 3 * 2 / 9.0, "the joiner's share of the copies");
        // Every copy that moves goes to the joiner: the move is its share, which no placement can beat.
        assertEquals(joinerShare, movedCopies(before, grown), 0.01);

        entries.put(ClusterLayout.MEMBER_PREFIX + "node-1", new LayoutMember("node-1", "", 2 * TIB, LayoutRole.LEAVING).encode());
        Ring shrunk = ring();
        double leaverShare = grown.ownership(N)[grown.indexOf("node-1")];
        assertEquals(leaverShare, movedCopies(grown, shrunk), 0.01, "a leave moves only the leaver's copies");
    }

    /** Copies whose holder changed from {@code from} to {@code to}, per key (of N), over evenly spread keys. */
    private static double movedCopies(Ring from, Ring to) {
        SplittableRandom random = new SplittableRandom(42);
        long moved = 0;
        for (int k = 0; k < KEYS; k++) {
            long position = random.nextLong();
            List<String> was = from.preferenceList(position, N).replicas().stream().map(Member::id).toList();
            for (Member m : to.preferenceList(position, N).replicas()) {
                moved += was.contains(m.id()) ? 0 : 1;
            }
        }
        return (double) moved / KEYS;
    }
}
