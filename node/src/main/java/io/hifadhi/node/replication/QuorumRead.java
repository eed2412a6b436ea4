package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.schema.LastWriterWins;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.transport.Transport;
import io.hifadhi.ring.KeyHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reading an object's record from its replicas: R of them must answer (and while the layout changes, R of the newest
 * ring's owners too), the others are given a moment more, the newest stamp wins, and replicas found stale are
 * repaired in the background ({@link ReadRepair} decides which).
 */
final class QuorumRead {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumRead.class);
    /** After R replicas answered a read, how long the others may still answer and be heard. */
    private static final long FRESHNESS_WAIT_MILLIS = 100;

    private QuorumRead() {
    }

    /** Newest of R replicas' records (tombstones included); repairs stale replicas in the background. */
    static Optional<ObjectRecord> newest(Replication c, String bucket, String key) throws IOException {
        ClusterView v = c.placement().view();
        int n = c.placement().n(v);
        int r = c.placement().r(v);
        long position = KeyHash.ofObject(bucket, key);
        List<String> walk = c.placement().walk(v, position);
        // The read ring's replicas, and while a layout change is under way the newest ring's too: a node whose layout
        // lags a moment behind the others must still find records already handed over to their new owners.
        List<String> replicas = new ArrayList<>(walk.subList(0, n));
        List<String> newOwners = c.placement().newOwners(v, position);
        for (String owner : newOwners) {
            if (!replicas.contains(owner)) {
                replicas.add(owner);
            }
        }
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < walk.size() && (i < n || targets.size() < r); i++) {
            // Replicas first; a node past the replica set may hold the record as a hint for a down replica.
            String id = walk.get(i);
            if (id.equals(c.localId()) || v.isReachable(id)) {
                targets.add(id);
            }
        }
        if (targets.size() < r) {
            throw new StoreUnavailableException("cannot read " + bucket + "/" + key + ": only " + targets.size()
                    + " nodes that may hold its record are reachable and a read needs " + r + " (read quorum). Retry when nodes are back.");
        }
        // The read ring's quorum, and while a layout change is under way a quorum of the newest ring's owners too: a
        // coordinator that already saw the change complete writes to the newest ring only, so a quorum of it must be
        // heard, not just given a moment (FRESHNESS_WAIT_MILLIS) to answer.
        List<QuorumGroup> groups = new ArrayList<>();
        groups.add(new QuorumGroup(List.copyOf(targets), r));
        // Empty unless a layout change is under way (this runs on every read).
        List<String> reachableNewOwners = newOwners.isEmpty() ? List.of()
                : newOwners.stream().filter(id -> id.equals(c.localId()) || v.isReachable(id)).toList();
        if (!newOwners.isEmpty()) {
            int rNew = c.placement().r(c.placement().ring(v));
            if (reachableNewOwners.size() < rNew) {
                throw new StoreUnavailableException("cannot read " + bucket + "/" + key + " while the cluster changes shape: only "
                        + reachableNewOwners.size() + " of its new owners are reachable and a read needs " + rNew
                        + " (read quorum). Retry when nodes are back.");
            }
            groups.add(new QuorumGroup(reachableNewOwners, rNew));
        }
        for (String id : reachableNewOwners) {
            if (!targets.contains(id)) {
                targets.add(id);
            }
        }
        Map<String, CompletableFuture<ObjectRecord>> replies = new LinkedHashMap<>();
        for (String id : targets) {
            if (!id.equals(c.localId())) {
                replies.put(id, c.getRecord(v, id, bucket, key));
            }
        }
        if (targets.contains(c.localId())) {
            // Last, as it is read on this thread: the requests to the others are under way meanwhile.
            replies.put(c.localId(), c.getRecord(v, c.localId(), bucket, key));
        }
        CompletableFuture<ObjectRecord> own = replies.get(c.localId());
        if (replies.size() == 1 && own != null && own.isDone() && !own.isCompletedExceptionally()) {
            // This node is every target (a ring of one member, or the only holder reachable), so its answer, read on
            // this thread, meets every quorum group: nothing to wait for, compare or repair.
            return Optional.ofNullable(observed(c, own.join()));
        }
        CompletableFuture<Void> quorum = new CompletableFuture<>();
        java.util.Set<String> answered = new java.util.HashSet<>();
        java.util.Set<String> failed = new java.util.HashSet<>();
        for (Map.Entry<String, CompletableFuture<ObjectRecord>> e : replies.entrySet()) {
            e.getValue().whenComplete((reply, error) -> {
                synchronized (answered) {
                    (error == null ? answered : failed).add(e.getKey());
                    if (groups.stream().allMatch(g -> g.met(answered))) {
                        quorum.complete(null);
                    } else if (error != null) {
                        groups.stream().filter(g -> g.lost(failed)).findFirst().ifPresent(g -> quorum.completeExceptionally(
                                new StoreUnavailableException("cannot read " + bucket + "/" + key + ": fewer than " + g.needed()
                                        + " of " + g.members() + " answered (read quorum): " + Transport.unwrap(error).getMessage())));
                    }
                }
            });
        }
        ReplicatedObjectStore.await(quorum);
        CompletableFuture<Void> all = CompletableFuture.allOf(replies.values().toArray(CompletableFuture[]::new));
        // R is the least that must answer, not all that is worth hearing: the first R may be two replicas that were
        // down and still wait for their hints while the third holds the newest copy (sloppy quorums do not
        // intersect). So give the rest a moment; only a replica that hangs costs this much.
        try {
            all.get(FRESHNESS_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // The replies that are in are enough: R of them answered.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for replicas");
        }
        ObjectRecord newest = null;
        for (CompletableFuture<ObjectRecord> f : replies.values()) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                newest = LastWriterWins.newer(newest, f.join());
            }
        }
        observed(c, newest);
        if (replies.size() > 1) {
            // One answer has nothing to be compared with (a ring of one member, or the only replica reachable).
            all.whenCompleteAsync((ignored, e) -> repair(c, v, replicas, replies), c.transport().callbacks());
        }
        return Optional.ofNullable(newest);
    }

    /** The clock moves past what a read saw, as past anything else this node heard of. */
    private static ObjectRecord observed(Replication c, ObjectRecord newest) {
        if (newest != null) {
            c.clock().observe(newest.version());
        }
        return newest;
    }

    /** Replicas of which at least {@code needed} must answer a read. */
    private record QuorumGroup(List<String> members, int needed) {
        boolean met(java.util.Set<String> answered) {
            int heard = 0;
            for (String id : members) {
                heard += answered.contains(id) ? 1 : 0;
            }
            return heard >= needed;
        }

        boolean lost(java.util.Set<String> failed) {
            return members.stream().filter(failed::contains).count() > members.size() - needed;
        }
    }

    /** Once every replica answered or failed: sends the newest record to the replicas that answered with an older one. */
    private static void repair(Replication c, ClusterView v, List<String> replicas, Map<String, CompletableFuture<ObjectRecord>> replies) {
        Map<String, ObjectRecord> seen = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<ObjectRecord>> e : replies.entrySet()) {
            if (!e.getValue().isCompletedExceptionally()) {
                seen.put(e.getKey(), e.getValue().join());
            }
        }
        ReadRepair.Plan plan = ReadRepair.plan(replicas, seen);
        if (plan.stale().isEmpty()) {
            return;
        }
        ObjectRecord newest = plan.newest();
        java.util.function.Supplier<byte[]> encoded = c.encoder(newest);
        for (String replica : plan.stale()) {
            LOG.debug("read repair: {} gets {}/{} {}", replica, newest.bucket(), newest.key(), newest.version());
            c.putRecord(v, replica, newest, encoded, null).whenComplete((ack, error) -> {
                if (error != null) {
                    LOG.debug("read repair of {} failed: {}", replica, error.toString());
                }
            });
        }
    }
}
