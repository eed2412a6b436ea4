package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.ring.Ring;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Which node decides a key's conditional writes, its coordinator: the first reachable node of the key's preference
 * list (the replicas of the read ring, then the other members), as this node sees the cluster. Each node judges by
 * its own view, so during a change two nodes may name different coordinators for a while.
 *
 * <p>It also remembers how the cluster looked over the last lease TTL (every placement since this node started, up
 * to one TTL back), because a node that has just become a key's coordinator cannot know the leases its predecessor
 * granted, and those run for up to one TTL: it may grant only for keys it has coordinated for a whole TTL, counting
 * from its own start. Times count as not coordinating when it saw no other member (alone, a store serializes
 * conditional writes with its own lock only, see {@code ObjectStore#lock}) or reached no majority of the members
 * (then the others, no longer reaching it, may have moved its keys to one of theirs); in such times it grants nothing.
 * Nodes that reach a majority each but not each other (an asymmetric partition) can still both decide for a key:
 * see {@link ClusterKeyLocks}.
 */
final class KeyCoordinator implements ClusterKeyLocks.Coordination {
    /** How the cluster looked from some moment on: what decides every key's coordinator. */
    private record Placed(Ring read, Ring newest, Set<String> reachable, int members, long sinceNanos) {
        boolean samePlacement(Placed o) {
            return read.members().equals(o.read.members()) && newest.members().equals(o.newest.members())
                    && reachable.equals(o.reachable) && members == o.members;
        }

        boolean alone() {
            return members <= 1;
        }

        /** This node and the nodes it reaches are more than half the members (it counts itself reachable). */
        boolean majority() {
            return 2 * reachable.size() > members;
        }
    }

    private final Placement placement;
    private final String localId;
    private final long ttlNanos;
    private final LongSupplier nanos;
    private final long startedNanos;
    /** Oldest first; the oldest may have begun more than a TTL ago, every later one within it. */
    private final ArrayDeque<Placed> history = new ArrayDeque<>();

    KeyCoordinator(Placement placement, String localId, Duration ttl, LongSupplier nanos) {
        this.placement = placement;
        this.localId = localId;
        this.ttlNanos = ttl.toNanos();
        this.nanos = nanos;
        this.startedNanos = nanos.getAsLong();
        observe();
    }

    /**
     * Notes how the cluster looks now. Called on every membership event and on every lookup, so a change of the layout
     * (which has no event here) is noted at the latest when a key is next looked up: later than it happened, which
     * only makes the wait after it longer.
     */
    void observe() {
        current();
    }

    @Override
    public String coordinatorOf(long position) {
        return coordinator(current(), position);
    }

    @Override
    public synchronized ClusterKeyLocks.Refusal refusal(long position) {
        Placed now = current();
        String coordinator = coordinator(now, position);
        if (now.alone()) {
            return new ClusterKeyLocks.Refusal("node " + localId + " sees no other member of the cluster and grants no"
                    + " lease until it does", 500);
        }
        if (!now.majority()) {
            return new ClusterKeyLocks.Refusal("node " + localId + " reaches only " + now.reachable().size() + " of "
                    + now.members() + " members, no majority, and the others may have taken over its keys; it grants no"
                    + " lease until it reaches a majority", 500);
        }
        if (!coordinator.equals(localId)) {
            return new ClusterKeyLocks.Refusal("node " + localId + " does not decide for this key in its view of the"
                    + " cluster (" + coordinator + " does); the nodes' views differ for a moment", 50);
        }
        long coordinatingSince = startedNanos;
        List<Placed> seats = new ArrayList<>(history);
        for (int i = seats.size() - 1; i >= 0; i--) {
            Placed p = seats.get(i);
            if (!decided(p, position)) {
                coordinatingSince = seats.get(i + 1).sinceNanos();
                break;
            }
        }
        long waited = nanos.getAsLong() - coordinatingSince;
        if (waited >= ttlNanos) {
            return null;
        }
        long left = (ttlNanos - waited) / 1_000_000 + 1;
        return new ClusterKeyLocks.Refusal("node " + localId + " began deciding for this key " + waited / 1_000_000
                + " ms ago (it started, or the cluster's members or layout changed) and grants no lease until one lease"
                + " TTL (" + ttlNanos / 1_000_000_000 + " s) has passed, since leases of the node that decided before may"
                + " still run; " + left + " ms to go", left);
    }

    private synchronized Placed current() {
        long now = nanos.getAsLong();
        ClusterView v = placement.view();
        Set<String> reachable = new HashSet<>();
        v.reachable().forEach(m -> reachable.add(m.id()));
        reachable.add(localId); // a node always reaches itself, whatever its view says of it
        Placed seen = new Placed(placement.readRing(v), placement.ring(v), Set.copyOf(reachable), v.members().size(), now);
        Placed last = history.peekLast();
        if (last != null && last.samePlacement(seen)) {
            return last;
        }
        history.addLast(seen);
        // Forget what ended more than a TTL ago: the oldest kept placement is the one that was current a TTL back.
        while (history.size() > 1) {
            Iterator<Placed> it = history.iterator();
            it.next();
            if (now - it.next().sinceNanos() < ttlNanos) {
                break;
            }
            history.removeFirst();
        }
        return seen;
    }

    /**
     * Whether this node alone decided for the key while {@code p} held: it was the first reachable node of the key's
     * list, with peers (alone its writes took no lease) and with a majority (in a minority the others, seeing it
     * gone, may have moved the key to one of theirs).
     */
    private boolean decided(Placed p, long position) {
        return !p.alone() && p.majority() && coordinator(p, position).equals(localId);
    }

    private String coordinator(Placed p, long position) {
        List<String> walk = placement.walk(p.read(), p.newest(), position);
        for (String id : walk) {
            if (id.equals(localId) || p.reachable().contains(id)) {
                return id;
            }
        }
        // Nobody on the key's list is reachable: the first is asked and does not answer, and the write is refused.
        return walk.isEmpty() ? localId : walk.get(0);
    }
}
