package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.Member;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether this node's view of the cluster is whole enough to serve data. A node that restarts, or
 * that was cut off from the others (fewer than a quorum reachable: a partition, or a long pause),
 * sees its peers come back one at a time. Serving in between would read from whichever nodes it
 * sees first — fallbacks or its own stale copy — and hand out old data as current (the partition
 * drill caught the node cut off alone answering stale reads and short listings in the half second
 * after the heal). So the gate stays shut until every member it knows of, and every peer it
 * remembers from before a restart, is reachable again, or for at most {@link #GRACE_MILLIS} after
 * a quorum is back, in case a peer is really gone. A node that loses only some peers and keeps a
 * quorum stays open: that is what sloppy quorums and hinted handoff are for.
 */
final class RejoinGate {
    /** How long a node with a quorum back waits for the rest of its peers before serving with the view it has. */
    static final long GRACE_MILLIS = 10_000;

    private final Supplier<Set<String>> rememberedPeers;
    private final LongSupplier clock;
    private boolean open;
    private String closedBecause;
    /** When a quorum was reachable again while shut; 0 while it is not. */
    private long quorumBackAt;

    /**
     * @param rememberedPeers ids of the peers this node was in a cluster with before it (re)started; empty for a new node
     * @param joining         whether this node was started to join a cluster (--join): until it sits in it, its own
     *                        empty store is not the cluster's
     */
    RejoinGate(Supplier<Set<String>> rememberedPeers, boolean joining, LongSupplier clock) {
        this.rememberedPeers = rememberedPeers;
        this.clock = clock;
        this.open = rememberedPeers.get().isEmpty() && !joining;
        this.closedBecause = rememberedPeers.get().isEmpty() ? "this node is starting and joining its cluster"
                : "this node is starting and rejoining its cluster";
    }

    /**
     * Every change of the view: with fewer than {@code quorum} nodes reachable this node is cut off and shuts;
     * while shut, the grace starts when a quorum is reachable again.
     */
    synchronized void onView(ClusterView v, int quorum) {
        if (v.reachable().size() < quorum) {
            if (open) {
                open = false;
                closedBecause = "this node was cut off from its cluster and is rejoining it";
            }
            quorumBackAt = 0;
            return;
        }
        if (!open && quorumBackAt == 0) {
            quorumBackAt = clock.getAsLong();
        }
        if (!open && missing(v).isEmpty()) {
            open = true;
        }
    }

    /**
     * Passes when open, and while fewer than {@code quorum} nodes are reachable (every operation then fails on its
     * own quorum, with that more precise reason). Opens once the view is whole again, or the grace ran out;
     * otherwise 503 naming who is missing.
     */
    synchronized void check(ClusterView v, int quorum) throws StoreUnavailableException {
        if (open) {
            return;
        }
        onView(v, quorum);
        if (open || quorumBackAt == 0) {
            return;
        }
        if (clock.getAsLong() - quorumBackAt > GRACE_MILLIS) {
            open = true;
            return;
        }
        throw new StoreUnavailableException(closedBecause + " and does not see " + missing(v) + " yet; retry in a few seconds");
    }

    /** Remembered peers not in the view, and members of the view that are not reachable. */
    private Set<String> missing(ClusterView v) {
        Set<String> missing = new TreeSet<>(rememberedPeers.get());
        missing.removeAll(v.members().keySet());
        for (Member m : v.all()) {
            if (!m.isReachable()) {
                missing.add(m.id());
            }
        }
        return missing;
    }

    /** Before replication is attached (nothing is served then): says why, when this node is rejoining or joining. */
    synchronized void checkDetached() throws StoreUnavailableException {
        if (!open) {
            throw new StoreUnavailableException(closedBecause + "; retry in a few seconds");
        }
    }
}
