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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The full-copy strategy over the quorum write, with members answered in memory. */
class FullReplicationTest {
    /** A view held by "a" of three members; {@code unreachable} lists the ones it cannot reach. */
    private static ClusterView view(String... unreachable) {
        return Views.heldByA(List.of("a", "b", "c"), unreachable);
    }

    /** Records which members were asked, in order; {@code failing} ones fail. */
    private static final class Members implements FullReplication.Replica {
        final List<String> asked = new ArrayList<>();
        final Set<String> failing;

        Members(String... failing) {
            this.failing = Set.of(failing);
        }

        @Override
        public synchronized CompletableFuture<Boolean> put(String member) {
            asked.add(member);
            return failing.contains(member) ? CompletableFuture.failedFuture(new IOException(member + " broke"))
                    : CompletableFuture.completedFuture(true);
        }
    }

    @Test
    void everyReachableMemberGetsTheWriteAndThisNodeStoresItOnce() {
        Members all = new Members();
        assertDoesNotThrow(() -> new FullReplication(2).write("t", view(), all));
        assertEquals(List.of("b", "c", "a"), all.asked);
        // c is away: this node's copy stands in for it (anti-entropy takes it there), stored once.
        Members two = new Members();
        assertDoesNotThrow(() -> new FullReplication(2).write("t", view("c"), two));
        assertEquals(List.of("b", "a"), two.asked);
    }

    @Test
    void tooFewReachableMembersRefuseTheChangeBeforeAnyCopyIsWritten() {
        Members none = new Members();
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
                () -> new FullReplication(3).write("the buckets table", view("c"), none));
        assertTrue(e.getMessage().contains("cannot change the buckets table: 2 of 3"), e.getMessage());
        assertEquals(List.of(), none.asked);
    }

    @Test
    void aWriteThatTooFewMembersStoredFails() {
        Members broken = new Members("b");
        StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
                () -> new FullReplication(2).write("t", view("c"), broken));
        assertTrue(e.getMessage().contains("write quorum"), e.getMessage());
        assertDoesNotThrow(() -> new FullReplication(1).write("t", view("c"), new Members("b")), "W=1: this node's copy is enough");
    }

    @Test
    void aSmallerClusterThanWNeedsEveryMember() {
        Members all = new Members();
        assertDoesNotThrow(() -> new FullReplication(5).write("t", view(), all));
        assertEquals(3, all.asked.size());
    }
}
