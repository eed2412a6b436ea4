package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.node.schema.LastWriterWins;
import io.hifadhi.node.schema.Versioned;
import io.hifadhi.node.transport.Transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reading an entry of a {@link Table} from the nodes its replication strategy names ({@link TableReplication#reads}):
 * each quorum group's answers must be heard (R of the replicas, and while the layout changes R of the newest ring's
 * owners too), the others are given a moment more (unless {@link SilentReplicas} finds them hung), the newest stamp
 * wins, and once every node answered the plan of what to repair ({@link ReadRepair}) is handed to the table in the
 * background. A read whose only target is this node (full replication, a ring of one member) never comes here:
 * {@link Table#get} reads it in place.
 */
final class QuorumRead {
    /** After R replicas answered a read, how long the others may still answer and be heard. */
    static final long FRESHNESS_WAIT_MILLIS = 100;

    private QuorumRead() {
    }

    /**
     * Newest of the answers (tombstones included; null when no node holds the entry).
     *
     * @param ask    asks one target for its copy (null for none); this node's own is read on the calling thread
     * @param silent told of every request and answer; the replicas it finds silent get no freshness wait
     * @param repair given, on {@code background} once every target answered or failed, which replicas are stale
     */
    static <V extends Versioned> V newest(String what, TableReplication.Reads reads,
                                          Function<String, CompletableFuture<V>> ask, SilentReplicas silent,
                                          Executor background, Consumer<ReadRepair.Plan<V>> repair) throws IOException {
        // The targets come this node last: the requests to the others are under way while it reads its own.
        Map<String, CompletableFuture<V>> replies = new LinkedHashMap<>();
        for (String id : reads.targets()) {
            silent.asked(id);
            CompletableFuture<V> reply = ask.apply(id);
            reply.whenComplete((r, e) -> {
                if (e == null || !Transport.isTimeout(e)) {
                    silent.answered(id);
                }
            });
            replies.put(id, reply);
        }
        CompletableFuture<Void> quorum = new CompletableFuture<>();
        Set<String> answered = new HashSet<>();
        Set<String> failed = new HashSet<>();
        for (Map.Entry<String, CompletableFuture<V>> e : replies.entrySet()) {
            e.getValue().whenComplete((reply, error) -> {
                synchronized (answered) {
                    (error == null ? answered : failed).add(e.getKey());
                    if (reads.quorums().stream().allMatch(g -> g.met(answered))) {
                        quorum.complete(null);
                    } else if (error != null) {
                        reads.quorums().stream().filter(g -> g.lost(failed)).findFirst().ifPresent(g -> quorum.completeExceptionally(
                                new StoreUnavailableException("cannot read " + what + ": fewer than " + g.needed()
                                        + " of " + g.members() + " answered (read quorum): " + Transport.unwrap(error).getMessage())));
                    }
                }
            });
        }
        ReplicatedObjectStore.await(quorum);
        CompletableFuture<Void> all = CompletableFuture.allOf(replies.values().toArray(CompletableFuture[]::new));
        // R is the least that must answer, not all that is worth hearing: the first R may be two replicas that were
        // down and still wait for their hints while the third holds the newest copy (sloppy quorums do not
        // intersect). So give the rest a moment; only a replica that hangs costs this much, and once it has left a
        // read unanswered for as long, it costs no more reads anything until it answers again.
        CompletableFuture<?>[] heard = replies.entrySet().stream()
                .filter(e -> !e.getValue().isDone() && !silent.silent(e.getKey()))
                .map(Map.Entry::getValue).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(heard).get(FRESHNESS_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // The replies that are in are enough: R of them answered.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for replicas");
        }
        V newest = null;
        for (CompletableFuture<V> f : replies.values()) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                newest = LastWriterWins.newer(newest, f.join());
            }
        }
        if (replies.size() > 1) {
            // One answer has nothing to be compared with (a ring of one member, or the only replica reachable).
            all.whenCompleteAsync((ignored, e) -> {
                ReadRepair.Plan<V> plan = ReadRepair.plan(reads.replicas(), answers(replies));
                if (!plan.stale().isEmpty()) {
                    repair.accept(plan);
                }
            }, background);
        }
        return newest;
    }

    /** What each node that answered holds (null for nothing), once every reply is in. */
    private static <V> Map<String, V> answers(Map<String, CompletableFuture<V>> replies) {
        Map<String, V> seen = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<V>> e : replies.entrySet()) {
            if (!e.getValue().isCompletedExceptionally()) {
                seen.put(e.getKey(), e.getValue().join());
            }
        }
        return seen;
    }
}
