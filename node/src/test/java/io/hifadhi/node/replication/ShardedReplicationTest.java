package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterSettings;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.layout.ClusterLayout;
import io.hifadhi.ring.KeyHash;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which nodes the sharded strategy reads from and writes to, as "a" sees five nodes (N=3, W=2, R=2, no layout yet). */
class ShardedReplicationTest {
    private static final List<String> NODES = List.of("a", "b", "c", "d", "e");
    private static final long POSITION = KeyHash.ofObject("b", "k");
    private volatile ClusterView view = Views.heldByA(NODES);
    private final Placement placement = new Placement(() -> view, () -> ClusterLayout.EMPTY, new ClusterSettings(3, 2, 2, 1 << 20));
    private final ShardedReplication sharded = new ShardedReplication(placement, "a");

    /** The key's preference list as the placement walks it: its 3 replicas, then the other members. */
    private List<String> walk() {
        return placement.walk(view, POSITION);
    }

    /** {@code ids} in the order a read asks them: this node last. */
    private static List<String> askedInOrder(List<String> ids) {
        List<String> out = new ArrayList<>(ids);
        if (out.remove("a")) {
            out.add("a");
        }
        return out;
    }

    @Test
    void aReadAsksTheReplicasThisNodeLastAndNeedsRAnswers() throws StoreUnavailableException {
        TableReplication.Reads reads = sharded.reads("b/k", view, POSITION);
        List<String> replicas = walk().subList(0, 3);
        assertEquals(askedInOrder(replicas), reads.targets());
        assertEquals(replicas, reads.replicas());
        assertEquals(1, reads.quorums().size());
        assertEquals(2, reads.quorums().get(0).needed());
        assertEquals(Set.copyOf(replicas), Set.copyOf(reads.quorums().get(0).members()));
    }

    @Test
    void twoReplicasDownMakeTheReadAskTheNextNodeButOnlyReplicasAreRepaired() throws StoreUnavailableException {
        List<String> walk = walk();
        List<String> down = walk.subList(0, 3).stream().filter(id -> !id.equals("a")).limit(2).toList();
        view = Views.heldByA(NODES, down.toArray(String[]::new));
        TableReplication.Reads reads = sharded.reads("b/k", view, POSITION);
        List<String> expected = new ArrayList<>();
        for (String id : walk) {
            if (!down.contains(id) && expected.size() < 2) {
                expected.add(id);
            }
        }
        assertEquals(askedInOrder(expected), reads.targets());
        assertTrue(reads.targets().stream().anyMatch(id -> !walk.subList(0, 3).contains(id)), "a stand-in past the replica set");
        assertEquals(walk.subList(0, 3), reads.replicas(), "only replicas are repaired");
    }

    @Test
    void fewerReachableNodesThanRRefuseTheRead() {
        view = Views.heldByA(NODES, "b", "c", "d", "e");
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class, () -> sharded.reads("b/k", view, POSITION));
        assertTrue(e.getMessage().startsWith("cannot read b/k: only 1 nodes"), e.getMessage());
    }

    @Test
    void aWriteGoesToTheReplicasAndIsTrackedByItsRingUntilItSettles() {
        QuorumWriteTest.Sends sends = new QuorumWriteTest.Sends(Set.of(), Set.copyOf(NODES));
        QuorumWrite.Pending p = sharded.write("record b/k", view, POSITION, sends);
        List<String> replicas = walk().subList(0, 3);
        assertEquals(askedInOrder(replicas).stream().map(id -> id + "<-").toList(), sends.log);
        List<io.hifadhi.ring.Member> ring = placement.ring(view).members();
        assertTrue(sharded.writesRoutedBy(ring));
        assertFalse(sharded.writesRoutedBy(ring.subList(0, 4)), "a write placed by another ring is in flight");
        sends.held.values().forEach(f -> f.complete(new Ack(true, false)));
        assertTrue(p.settled().isDone());
        assertTrue(sharded.writesRoutedBy(ring.subList(0, 4)), "no write in flight");
    }
}
