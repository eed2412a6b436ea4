package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The full-copy replication strategy of the small tables: every member is a replica of every entry. A read is this
 * node's own (R = 1: it holds everything). A write must be stored by W members: it is the object records' sloppy-quorum
 * write ({@link QuorumWrite}) with the replica set = every member, so both count acknowledgements the same way. A
 * member that is away has no stand-in outside the replica set to take a hint: this node's own copy stands in, and the
 * catch-up pull and anti-entropy (full placement) deliver it when the member is back.
 *
 * @param writeQuorum W as configured; a cluster with fewer members needs all of them
 */
public record FullReplication(int writeQuorum) implements TableReplication {
    @Override
    public Reads reads(String what, ClusterView v, long position) {
        List<String> self = List.of(v.localId());
        return new Reads(self, self, List.of(new Quorum(self, 1)));
    }

    /** Writes to every reachable member; the quorum completes once W stored it (this node counts), durable on each. */
    @Override
    public QuorumWrite.Pending write(String what, ClusterView v, long position, QuorumWrite.Sender sender) {
        List<String> members = v.members().keySet().stream().sorted().toList();
        int w = Math.min(writeQuorum, members.size());
        long reachable = members.stream().filter(id -> id.equals(v.localId()) || v.isReachable(id)).count();
        if (reachable < w) {
            // Nothing is written, here either: a change that cannot reach W is refused whole.
            return new QuorumWrite.Pending(CompletableFuture.failedFuture(new StoreUnavailableException("cannot change "
                    + what + ": " + reachable + " of " + members.size() + " nodes are reachable and a change needs " + w
                    + " (write quorum). Retry when nodes are back.")), CompletableFuture.completedFuture(null));
        }
        return QuorumWrite.start(what, members, members.size(), w, id -> id.equals(v.localId()) || v.isReachable(id),
                v.localId(), new OwnCopyOnce(sender, v.localId()));
    }

    /**
     * The quorum write's sends, none of them a hint. This node's copy is stored once, whether it is asked for as this
     * node's own or as the stand-in of a member that is away (asked for first): a stand-in's answer is that copy's.
     */
    private static final class OwnCopyOnce implements QuorumWrite.Sender {
        private final QuorumWrite.Sender sender;
        private final String localId;
        private CompletableFuture<Ack> own;

        OwnCopyOnce(QuorumWrite.Sender sender, String localId) {
            this.sender = sender;
            this.localId = localId;
        }

        @Override
        public synchronized CompletableFuture<Ack> apply(String target, String hintFor) {
            if (!target.equals(localId)) {
                return sender.apply(target, null);
            }
            if (own == null) {
                own = sender.apply(localId, null);
            }
            return own;
        }
    }
}
