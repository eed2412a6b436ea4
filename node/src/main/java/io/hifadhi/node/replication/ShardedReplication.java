package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.ring.Ring;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sharded replication strategy of object records and chunks: an entry lives on the N replicas of its ring position
 * ({@link Placement}). A write goes to its replica set in every live ring (one ring unless a layout change is under
 * way) with the sloppy quorum in each; a read asks the read ring's replicas (and while the layout changes, the newest
 * ring's owners too) and needs R of them. It tracks the writes it placed: the failure detector's suspicions reach
 * them ({@link #suspect}), and the layout learns when every write runs by the newest ring ({@link #writesRoutedBy}).
 */
final class ShardedReplication implements TableReplication {
    private final Placement placement;
    private final String localId;
    /** Quorum writes with sends still under way, told of suspicions so they can send stand-ins early. */
    private final Set<QuorumWrite> writesInFlight = ConcurrentHashMap.newKeySet();
    /** Writes under way, each with the members (sorted by id) of the newest ring it was placed by. */
    private final Map<Object, List<io.hifadhi.ring.Member>> inFlight = new ConcurrentHashMap<>();

    ShardedReplication(Placement placement, String localId) {
        this.placement = placement;
        this.localId = localId;
    }

    @Override
    public Reads reads(String what, ClusterView v, long position) throws StoreUnavailableException {
        int n = placement.n(v);
        int r = placement.r(v);
        List<String> walk = placement.walk(v, position);
        // The read ring's replicas, and while a layout change is under way the newest ring's too: a node whose layout
        // lags a moment behind the others must still find records already handed over to their new owners.
        List<String> replicas = new ArrayList<>(walk.subList(0, n));
        List<String> newOwners = placement.newOwners(v, position);
        for (String owner : newOwners) {
            if (!replicas.contains(owner)) {
                replicas.add(owner);
            }
        }
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < walk.size() && (i < n || targets.size() < r); i++) {
            // Replicas first; a node past the replica set may hold the record as a hint for a down replica.
            String id = walk.get(i);
            if (id.equals(localId) || v.isReachable(id)) {
                targets.add(id);
            }
        }
        if (targets.size() < r) {
            throw new StoreUnavailableException("cannot read " + what + ": only " + targets.size()
                    + " nodes that may hold its record are reachable and a read needs " + r + " (read quorum). Retry when nodes are back.");
        }
        // The read ring's quorum, and while a layout change is under way a quorum of the newest ring's owners too: a
        // coordinator that already saw the change complete writes to the newest ring only, so a quorum of it must be
        // heard, not just given a moment (the freshness wait of QuorumRead) to answer.
        List<Quorum> quorums = new ArrayList<>();
        quorums.add(new Quorum(targets, r));
        // Empty unless a layout change is under way (this runs on every read).
        List<String> reachableNewOwners = newOwners.isEmpty() ? List.of()
                : newOwners.stream().filter(id -> id.equals(localId) || v.isReachable(id)).toList();
        if (!newOwners.isEmpty()) {
            int rNew = placement.r(placement.ring(v));
            if (reachableNewOwners.size() < rNew) {
                throw new StoreUnavailableException("cannot read " + what + " while the cluster changes shape: only "
                        + reachableNewOwners.size() + " of its new owners are reachable and a read needs " + rNew
                        + " (read quorum). Retry when nodes are back.");
            }
            quorums.add(new Quorum(reachableNewOwners, rNew));
        }
        for (String id : reachableNewOwners) {
            if (!targets.contains(id)) {
                targets.add(id);
            }
        }
        if (targets.remove(localId)) {
            // Last, as it is read on the caller's thread: the requests to the others are under way meanwhile.
            targets.add(localId);
        }
        return new Reads(targets, replicas, quorums);
    }

    /**
     * Writes the entry at ring {@code position} to its replica set in every live ring of view {@code v} (one ring
     * unless a layout change is under way), with the sloppy quorum in each; a node that is a replica in several rings
     * gets the write once. A replica suspected while the write runs gets its stand-in at once, and its own answer
     * still counts when it comes.
     */
    @Override
    public QuorumWrite.Pending write(String what, ClusterView v, long position, QuorumWrite.Sender sender) {
        // Registered before the rings are chosen: a write still choosing them may pick an older ring.
        Object token = new Object();
        inFlight.put(token, List.of());
        List<Ring> rings = placement.rings(v);
        inFlight.put(token, rings.get(0).members());
        QuorumWrite.Pending p;
        try {
            p = write(what, v, rings, position, sender);
        } catch (RuntimeException e) {
            inFlight.remove(token);
            throw e;
        }
        p.settled().whenComplete((ignored, error) -> inFlight.remove(token));
        return p;
    }

    /**
     * Whether every write this node has in flight was placed with {@code ring} as the newest ring: then the node
     * publishes that it routes by it (its routing ack; see {@link io.hifadhi.node.layout.ClusterLayout#routedByAll}).
     */
    boolean writesRoutedBy(List<io.hifadhi.ring.Member> ring) {
        // Both lists are sorted by id (Ring.members, ClusterLayout.owners): no copy per write, a list compare here.
        return inFlight.values().stream().allMatch(ring::equals);
    }

    /**
     * The failure detector suspects {@code node}: each write still waiting for its copy sends that copy's stand-in now.
     * In-flight requests to it are not failed: a suspicion may be false, and a slow answer still counts.
     */
    void suspect(String node) {
        for (QuorumWrite q : writesInFlight) {
            q.suspect(node);
        }
    }

    private QuorumWrite.Pending write(String what, ClusterView v, List<Ring> rings, long position, QuorumWrite.Sender sender) {
        List<List<String>> walks = placement.writeWalks(rings, position);
        if (rings.size() == 1) {
            return write(what, v, rings.get(0), walks.get(0), sender);
        }
        Map<String, CompletableFuture<Ack>> sent = new ConcurrentHashMap<>();
        QuorumWrite.Sender once = (target, hintFor) -> sent.computeIfAbsent(target + "\u0000" + hintFor,
                k -> sender.apply(target, hintFor));
        List<QuorumWrite.Pending> each = new ArrayList<>();
        for (int i = 0; i < rings.size(); i++) {
            each.add(write(what, v, rings.get(i), walks.get(i), once));
        }
        CompletableFuture<QuorumWrite.Outcome> quorum = CompletableFuture.allOf(
                each.stream().map(QuorumWrite.Pending::quorum).toArray(CompletableFuture[]::new)).thenApply(ignored -> {
                    Set<String> holders = new HashSet<>();
                    boolean previousLive = false;
                    boolean applied = false;
                    for (QuorumWrite.Pending p : each) {
                        holders.addAll(p.quorum().join().holders());
                        previousLive |= p.quorum().join().previousLive();
                        applied |= p.quorum().join().applied();
                    }
                    return new QuorumWrite.Outcome(holders, previousLive, applied);
                });
        CompletableFuture<Void> settled = CompletableFuture.allOf(
                each.stream().map(QuorumWrite.Pending::settled).toArray(CompletableFuture[]::new));
        return new QuorumWrite.Pending(quorum, settled);
    }

    private QuorumWrite.Pending write(String what, ClusterView v, Ring ring, List<String> walk, QuorumWrite.Sender sender) {
        QuorumWrite q = QuorumWrite.begin(what, walk, placement.n(ring), placement.w(ring), v::isReachable, localId, sender);
        QuorumWrite.Pending p = q.pending();
        if (!p.settled().isDone()) {
            writesInFlight.add(q);
            p.settled().whenComplete((o, e) -> writesInFlight.remove(q));
        }
        return p;
    }
}
