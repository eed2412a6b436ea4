package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.replication.Messages.Ack;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The full-copy replication strategy of the small tables: every member is a replica of every entry, and a write must
 * be stored by W of them. It is the object records' sloppy-quorum write ({@link QuorumWrite}) with the replica set
 * = every member, so both count acknowledgements the same way. A member that is away has no stand-in outside the
 * replica set to take a hint: this node's own copy stands in, and the catch-up pull and anti-entropy (full
 * placement) deliver it when the member is back.
 *
 * @param writeQuorum W as configured; a cluster with fewer members needs all of them
 */
public record FullReplication(int writeQuorum) {
    /** Sends an entry to one member (this node included) to merge; completes with whether it stored it. */
    @FunctionalInterface
    public interface Replica {
        CompletableFuture<Boolean> put(String member);
    }

    /** Writes to every reachable member and returns once W stored it (this node counts); durable on each. */
    public void write(String what, ClusterView v, Replica replica) throws IOException {
        List<String> members = v.members().keySet().stream().sorted().toList();
        int w = Math.min(writeQuorum, members.size());
        long reachable = members.stream().filter(id -> id.equals(v.localId()) || v.isReachable(id)).count();
        if (reachable < w) {
            // Nothing is written, here either: a change that cannot reach W is refused whole.
            throw new StoreUnavailableException("cannot change " + what + ": " + reachable + " of " + members.size()
                    + " nodes are reachable and a change needs " + w + " (write quorum). Retry when nodes are back.");
        }
        ReplicatedObjectStore.await(QuorumWrite.run(what, members, members.size(), w,
                id -> id.equals(v.localId()) || v.isReachable(id), v.localId(), new Sends(replica, v.localId())));
    }

    /**
     * The quorum write's sends. This node's copy is stored once, whether it is asked for as this node's own or as
     * the stand-in of a member that is away (asked for first): a stand-in's answer is that copy's.
     */
    private static final class Sends implements QuorumWrite.Sender {
        private final Replica replica;
        private final String localId;
        private CompletableFuture<Ack> own;

        Sends(Replica replica, String localId) {
            this.replica = replica;
            this.localId = localId;
        }

        @Override
        public synchronized CompletableFuture<Ack> apply(String target, String hintFor) {
            if (!target.equals(localId)) {
                return acked(replica.put(target));
            }
            if (own == null) {
                own = acked(replica.put(localId));
            }
            return own;
        }

        private static CompletableFuture<Ack> acked(CompletableFuture<Boolean> stored) {
            return stored.thenApply(applied -> new Ack(applied, false));
        }
    }
}
