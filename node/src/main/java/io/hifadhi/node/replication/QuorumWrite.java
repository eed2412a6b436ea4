package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * One write to a replica set with a sloppy quorum. Each of the N replicas gets the write; a replica
 * that is unreachable (or whose write fails) is stood in for by the next reachable node after the
 * replica set, which keeps a durable hint naming it. When no such node is left, this (coordinating)
 * node keeps the hint itself. Completes when W distinct nodes acknowledged a durable copy and every
 * hint is written; fails with {@link StoreUnavailableException} once that can no longer happen. Public only for its
 * {@link Outcome}, which {@link Table#insert} returns; the write itself is started by the strategies of this package.
 */
public final class QuorumWrite {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumWrite.class);

    /**
     * @param previousLive whether any acknowledging replica held a live version before
     * @param applied      whether any replica stored the write (false: each that answered held a version at least as new)
     */
    public record Outcome(Set<String> holders, boolean previousLive, boolean applied) {
    }

    /** Sends the write to {@code target}; {@code hintFor} is null for a replica's own copy. */
    interface Sender extends BiFunction<String, String, CompletableFuture<Ack>> {
    }

    private final String what;
    private final List<String> walk;
    private final int n;
    private final int w;
    private final Predicate<String> reachable;
    private final String localId;
    private final Sender sender;
    private final CompletableFuture<Outcome> result = new CompletableFuture<>();
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private final Set<String> used = new HashSet<>();
    private final Set<String> acked = new HashSet<>();
    /** Replicas whose stand-in was sent early because the failure detector suspected them mid-write. */
    private final Set<String> hedged = new HashSet<>();
    /** Targets of replica copies (not hints) still awaiting an answer, with the replica each stands for. */
    private final java.util.Map<String, String> awaiting = new java.util.HashMap<>();
    private int nextFallback;
    private int outstanding;
    /** Hints still being written, by the replica they stand for. */
    private final java.util.Map<String, Integer> outstandingHints = new java.util.HashMap<>();
    private boolean previousLive;
    private boolean applied;
    /** While the first sends go out, a reply that completes at once must not judge the outcome early. */
    private boolean starting = true;
    private final java.util.Map<String, String> failures = new java.util.TreeMap<>();

    private QuorumWrite(String what, List<String> walk, int n, int w, Predicate<String> reachable, String localId, Sender sender) {
        this.what = what;
        this.walk = walk;
        this.n = n;
        this.w = w;
        this.reachable = reachable;
        this.localId = localId;
        this.sender = sender;
        this.nextFallback = n;
    }

    /**
     * @param quorum  completes with the outcome once W nodes stored the write and every hint is written; fails with
     *                {@link StoreUnavailableException} once that can no longer happen
     * @param settled completes when every send, stand-ins included, has finished (acknowledged or failed), except a
     *                suspected replica's own copy once its stand-in went out: until
     *                then the write's bytes may still be held for a slow replica
     */
    record Pending(CompletableFuture<Outcome> quorum, CompletableFuture<Void> settled) {
    }

    static Pending start(String what, List<String> walk, int n, int w, Predicate<String> reachable,
                         String localId, Sender sender) {
        return begin(what, walk, n, w, reachable, localId, sender).pending();
    }

    /** Starts the write and returns it, so that suspicions arriving while it runs can reach {@link #suspect}. */
    static QuorumWrite begin(String what, List<String> walk, int n, int w, Predicate<String> reachable,
                             String localId, Sender sender) {
        QuorumWrite q = new QuorumWrite(what, walk, n, w, reachable, localId, sender);
        synchronized (q) {
            for (int i = 0; i < Math.min(n, walk.size()); i++) {
                q.used.add(walk.get(i));
            }
            boolean localReplica = false;
            for (int i = 0; i < Math.min(n, walk.size()); i++) {
                String replica = walk.get(i);
                if (replica.equals(localId)) {
                    localReplica = true;
                } else if (reachable.test(replica)) {
                    q.send(replica, null, replica);
                } else {
                    q.standIn(replica);
                }
            }
            if (localReplica) {
                // Last: this node's own copy may be stored on this thread, while the others' are under way.
                q.send(localId, null, localId);
            }
            q.starting = false;
            q.check();
        }
        return q;
    }

    Pending pending() {
        return new Pending(result, settled);
    }

    /** Called with the lock held. */
    private void send(String target, String hintFor, String replica) {
        outstanding++;
        if (hintFor != null) {
            outstandingHints.merge(hintFor, 1, Integer::sum);
        } else {
            awaiting.put(target, replica);
        }
        CompletableFuture<Ack> f;
        try {
            f = sender.apply(target, hintFor);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((ack, error) -> {
            synchronized (this) {
                outstanding--;
                if (hintFor != null) {
                    outstandingHints.computeIfPresent(hintFor, (k, c) -> c == 1 ? null : c - 1);
                } else {
                    awaiting.remove(target);
                }
                if (error == null) {
                    acked.add(target);
                    previousLive |= ack.previousLive();
                    applied |= ack.applied();
                } else {
                    String reason = String.valueOf(io.hifadhi.node.transport.Transport.unwrap(error).getMessage());
                    failures.put(target, reason);
                    LOG.info("{}: write to {} failed: {}", what, target, reason);
                    // A replica whose stand-in already went out on suspicion gets no second one; a failed stand-in does.
                    boolean stoodInAlready = hintFor == null && hedged.contains(replica);
                    if ((!target.equals(localId) || hintFor == null) && !stoodInAlready) {
                        standIn(replica);
                    }
                }
                check();
            }
        });
    }

    /**
     * The failure detector suspects {@code node}. A copy it has not acknowledged yet is not given up: it runs to its
     * own timeout and counts if it lands (a suspicion can be false, and failing a write the replica would have
     * stored is worse than a spare copy). Its stand-in goes out now, so the quorum need not wait for that timeout.
     */
    synchronized void suspect(String node) {
        String replica = awaiting.get(node);
        // Also after the quorum: the suspect's copy still needs a stand-in (a hint) for the write to reach N nodes.
        if (replica == null || node.equals(localId) || !hedged.add(replica)) {
            return;
        }
        LOG.info("{}: {} is suspected before it answered; sending its stand-in now, its own answer still counts", what, node);
        standIn(replica);
    }

    /** Finds a stand-in for {@code replica}; called with the lock held. */
    private void standIn(String replica) {
        while (nextFallback < walk.size()) {
            String candidate = walk.get(nextFallback++);
            if (!used.contains(candidate) && reachable.test(candidate)) {
                used.add(candidate);
                send(candidate, replica, replica);
                return;
            }
        }
        if (!replica.equals(localId)) {
            // No node left outside the replica set: this node keeps the hint (and a copy to deliver).
            send(localId, replica, localId);
        }
    }

    private void check() {
        if (starting) {
            return;
        }
        // A suspect's own copy, stood in for already, does not hold the write back: its send runs to its timeout,
        // but only the few sends under way when the suspicion came can be waiting on it, so memory stays bounded.
        long onSuspects = awaiting.values().stream().filter(hedged::contains).count();
        if (outstanding - onSuspects == 0) {
            settled.complete(null);
        }
        if (result.isDone()) {
            return;
        }
        // A hint still in flight holds the answer back, unless its replica stored the write itself after all.
        boolean hintsDone = acked.containsAll(outstandingHints.keySet());
        if (acked.size() >= w && hintsDone) {
            result.complete(new Outcome(Set.copyOf(acked), previousLive, applied));
        } else if (outstanding == 0) {
            result.completeExceptionally(new StoreUnavailableException(what + ": only " + acked.size()
                    + " of the " + w + " replicas this write needs (write quorum) could store it"
                    + " (replication " + n + "). Too few nodes are reachable: retry when they are back."
                    + (failures.isEmpty() ? "" : " Failures: " + failures)));
        }
    }
}
