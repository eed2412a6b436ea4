package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The full-copy strategy: reads of this node alone, writes by the quorum write with members answered in memory. */
class FullReplicationTest {
    /** A view held by "a" of three members; {@code unreachable} lists the ones it cannot reach. */
    private static ClusterView view(String... unreachable) {
        return Views.heldByA(List.of("a", "b", "c"), unreachable);
    }

    /** Records which members were asked, in order; {@code failing} ones fail. No copy may be a hint. */
    private static final class Members implements QuorumWrite.Sender {
        final List<String> asked = new ArrayList<>();
        final Set<String> failing;

        Members(String... failing) {
            this.failing = Set.of(failing);
        }

        @Override
        public synchronized CompletableFuture<Ack> apply(String member, String hintFor) {
            assertNull(hintFor, "full replication sends no hint");
            asked.add(member);
            return failing.contains(member) ? CompletableFuture.failedFuture(new IOException(member + " broke"))
                    : CompletableFuture.completedFuture(new Ack(true, false));
        }
    }

    /** Writes by W as the tables do, waiting for the quorum. */
    private static void write(int w, String what, ClusterView v, Members members) throws IOException {
        ReplicatedObjectStore.await(new FullReplication(w).write(what, v, 42, members).quorum());
    }

    @Test
    void aReadIsThisNodesOwnWhateverTheClusterLooksLike() throws IOException {
        for (ClusterView v : List.of(view(), view("b", "c"))) {
            TableReplication.Reads reads = new FullReplication(2).reads("t", v, 42);
            assertEquals(List.of("a"), reads.targets());
            assertEquals(List.of("a"), reads.replicas());
            assertEquals(List.of(new TableReplication.Quorum(List.of("a"), 1)), reads.quorums());
        }
    }

    @Test
    void everyReachableMemberGetsTheWriteAndThisNodeStoresItOnce() {
        Members all = new Members();
        assertDoesNotThrow(() -> write(2, "t", view(), all));
        assertEquals(List.of("b", "c", "a"), all.asked);
        // c is away: this node's copy stands in for it (anti-entropy takes it there), stored once.
        Members two = new Members();
        assertDoesNotThrow(() -> write(2, "t", view("c"), two));
        assertEquals(List.of("b", "a"), two.asked);
    }

    @Test
    void tooFewReachableMembersRefuseTheChangeBeforeAnyCopyIsWritten() {
        Members none = new Members();
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
                () -> write(3, "the buckets table", view("c"), none));
        assertTrue(e.getMessage().contains("cannot change the buckets table: 2 of 3"), e.getMessage());
        assertEquals(List.of(), none.asked);
    }

    @Test
    void aWriteThatTooFewMembersStoredFails() {
        Members broken = new Members("b");
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
                () -> write(2, "t", view("c"), broken));
        assertTrue(e.getMessage().contains("write quorum"), e.getMessage());
        assertDoesNotThrow(() -> write(1, "t", view("c"), new Members("b")), "W=1: this node's copy is enough");
    }

    @Test
    void aSmallerClusterThanWNeedsEveryMember() {
        Members all = new Members();
        assertDoesNotThrow(() -> write(5, "t", view(), all));
        assertEquals(3, all.asked.size());
    }
}
