package io.hifadhi.node.replication;

import io.hifadhi.api.nativeapi.ObjectLocator;
import io.hifadhi.api.store.ListPage;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.ObjectStore;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;
import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.api.store.StoredObject;
import io.hifadhi.api.store.WriteOutcomeUnknownException;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.MembershipEvent;
import io.hifadhi.membership.MembershipListener;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.replication.Messages.Ack;
import io.hifadhi.node.replication.Messages.ChunkPut;
import io.hifadhi.node.replication.Messages.RecordGet;
import io.hifadhi.node.replication.Messages.RecordPut;
import io.hifadhi.node.replication.Messages.RecordReply;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ChunkedReadStream;
import io.hifadhi.node.storage.LocalObjectStore;
import io.hifadhi.node.storage.ObjectPublisher;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.transport.Transport;
import io.hifadhi.ring.KeyHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The {@link ObjectStore} of a node in a cluster. Alone (no cluster yet, or a cluster of one) it
 * is exactly the {@link LocalObjectStore}: no extra copies, no waiting. With peers:
 * <ul>
 * <li>stage cuts the body into chunks (one chunk buffered, at most two more in flight), sends each
 * to the N nodes of its preference list ({@link KeyHash#ofChunk}) and waits for W durable acks;</li>
 * <li>commit writes the record to the N nodes of {@link KeyHash#ofObject} with W acks — so a record
 * is never written unless every chunk reached W nodes;</li>
 * <li>get reads the record from R replicas, newest stamp wins, stale replicas are repaired in the
 * background; chunks come from local disk first, else from a holder, failing over on error or a bad hash;</li>
 * <li>list asks every reachable member and merges (newest wins, tombstones hidden).</li>
 * </ul>
 */
public final class ReplicatedObjectStore implements ObjectStore, ObjectLocator, ObjectPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedObjectStore.class);
    private static final HexFormat HEX = HexFormat.of();
    /** Chunks whose W acks are awaited before the next is read. */
    private static final int CHUNKS_IN_FLIGHT = 2;
    /**
     * Chunks whose sends have not all finished (a slow replica past the quorum still holds their bytes in
     * flight). Bounding them bounds an upload's memory whatever the replicas' speed.
     */
    private static final int CHUNKS_UNSETTLED = 3;
    /** After R replicas answered a read, how long the others may still answer and be heard. */
    private static final long FRESHNESS_WAIT_MILLIS = 100;

    private final LocalObjectStore local;
    private final RejoinGate gate;
    private volatile Replication cluster;
    private final MembershipListener viewWatch = this::onMembershipEvent;

    /**
     * @param rememberedPeers ids of the peers this node was in a cluster with (empty for a new node)
     * @param joining         whether the node was started to join a cluster: it serves nothing before it sits in it
     */
    public ReplicatedObjectStore(LocalObjectStore local, Supplier<Set<String>> rememberedPeers, boolean joining) {
        this.local = local;
        this.gate = new RejoinGate(rememberedPeers, joining, System::currentTimeMillis);
    }

    /** Switches to the replicated path once this node sits in a cluster. */
    public void attach(Replication replication) {
        this.cluster = replication;
        replication.membership().addListener(viewWatch);
        // The peers may all have been seen before this listener was there, and no event may follow: judge the view
        // now, or the rejoin gate stays shut until some request happens to look at it.
        ClusterView v = replication.placement().view();
        gate.onView(v, quorum(replication, v));
    }

    public void detach() {
        Replication c = cluster;
        this.cluster = null;
        if (c != null) {
            c.membership().removeListener(viewWatch);
        }
    }

    private void onMembershipEvent(MembershipEvent event) {
        Replication c = cluster;
        if (c != null) {
            gate.onView(event.view(), quorum(c, event.view()));
        }
    }

    /** Fewer reachable nodes than a read needs: cut off (with R=1 a lone node still serves, as configured). */
    private static int quorum(Replication c, ClusterView v) {
        return c.placement().servingQuorum(v);
    }

    /**
     * The cluster part when there are peers; null when this node is alone (then the local store
     * serves). A node that is rejoining its cluster (after a restart, or after being cut off from it)
     * serves nothing until it sees its peers again ({@link RejoinGate}): its own copy may be stale,
     * and with a partial view it would read from, place and acknowledge on the wrong nodes.
     */
    private Replication peers() throws StoreUnavailableException {
        Replication c = cluster;
        if (c == null) {
            gate.checkDetached();
            return null;
        }
        ClusterView v = c.placement().view();
        gate.check(v, quorum(c, v));
        return v.members().size() > 1 ? c : null;
    }

    @Override
    public Optional<String> unavailableReason() {
        try {
            Replication c = peers();
            if (c == null) {
                return Optional.empty();
            }
            ClusterView v = c.placement().view();
            int reachable = v.reachable().size();
            int r = c.placement().r(v);
            int w = c.placement().w(v);
            if (reachable < Math.max(r, w)) {
                return Optional.of(reachable + " of " + v.members().size() + " nodes are reachable; a read needs " + r
                        + " (read quorum) and a write " + w + " (write quorum)");
            }
            return Optional.empty();
        } catch (StoreUnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * A body staged across the cluster: inline bytes or chunks that reached W replicas each.
     *
     * @param stagedAtMillis when staging began (the chunk collector's write barrier, see {@link #commit})
     */
    record ClusterStaged(long size, String md5Hex, byte[] inline, List<ChunkRef> chunks, long stagedAtMillis) implements StagedBody {
        ClusterStaged {
            chunks = List.copyOf(chunks);
        }
    }

    // ---- writes ----

    @Override
    public StagedBody stage(InputStream body) throws IOException {
        Replication c = peers();
        if (c == null) {
            return local.stage(body);
        }
        ClusterView v = c.placement().view();
        requireWritable(c, v, "upload");
        long stagedAt = System.currentTimeMillis();
        MessageDigest md5 = digest("MD5");
        byte[] head = body.readNBytes(LocalObjectStore.INLINE_MAX + 1);
        md5.update(head);
        if (head.length <= LocalObjectStore.INLINE_MAX) {
            return new ClusterStaged(head.length, HEX.formatHex(md5.digest()), head, List.of(), stagedAt);
        }
        int chunkSize = c.chunkSize();
        List<ChunkRef> refs = new ArrayList<>();
        Deque<CompletableFuture<?>> inFlight = new ArrayDeque<>();
        Deque<CompletableFuture<Void>> unsettled = new ArrayDeque<>();
        long size = 0;
        byte[] buffer = new byte[chunkSize];
        System.arraycopy(head, 0, buffer, 0, head.length);
        int filled = head.length;
        try {
            while (true) {
                int n = body.readNBytes(buffer, filled, chunkSize - filled);
                md5.update(buffer, filled, n);
                filled += n;
                if (filled == 0) {
                    break;
                }
                byte[] bytes = filled == chunkSize ? buffer : Arrays.copyOf(buffer, filled);
                byte[] sha = digest("SHA-256").digest(bytes);
                ChunkRef ref = new ChunkRef(HEX.formatHex(sha), bytes.length);
                refs.add(ref);
                size += bytes.length;
                QuorumWrite.Pending pending = replicateChunk(c, ref, sha, bytes);
                inFlight.add(pending.quorum());
                unsettled.add(pending.settled());
                while (inFlight.size() >= CHUNKS_IN_FLIGHT) {
                    await(inFlight.removeFirst());
                }
                while (!unsettled.isEmpty() && (unsettled.peekFirst().isDone() || unsettled.size() > CHUNKS_UNSETTLED)) {
                    await(unsettled.removeFirst());
                }
                boolean last = filled < chunkSize;
                buffer = new byte[chunkSize];
                filled = 0;
                if (last) {
                    break;
                }
            }
            while (!inFlight.isEmpty()) {
                await(inFlight.removeFirst());
            }
        } finally {
            inFlight.forEach(f -> f.cancel(false));
        }
        return new ClusterStaged(size, HEX.formatHex(md5.digest()), null, refs, stagedAt);
    }

    private QuorumWrite.Pending replicateChunk(Replication c, ChunkRef ref, byte[] sha, byte[] bytes) {
        ClusterView v = c.placement().view();
        return c.write("chunk " + ref.id(), v, KeyHash.ofChunk(sha), (target, hintFor) -> c.request(v, target, Messages.CHUNK_PUT,
                        new ChunkPut(ref.id(), bytes, hintFor), Ack.class, Replication.CHUNK_TIMEOUT));
    }

    @Override
    public PutResult commit(ObjectWrite write, StagedBody body) throws IOException {
        if (!(body instanceof ClusterStaged staged)) {
            // Staged while this node was alone: it lives on this node only, as before.
            return local.commit(write, body);
        }
        Replication c = cluster;
        if (c == null) {
            throw new StoreUnavailableException("this node left the cluster while the upload was in progress; retry");
        }
        if (LocalObjectStore.stagedLongAgo(staged.stagedAtMillis(), c.gcGraceMillis())) {
            // A slow upload: its first chunks may have sat unreferenced for long; put them again before the record.
            keep(c, staged.chunks());
        }
        ObjectRecord record = new ObjectRecord(write.bucket(), write.key(), staged.size(), staged.md5Hex(),
                write.contentType(), write.userMetadata(), c.clock().now(), false, staged.inline(), staged.chunks(),
                LocalObjectStore.expiresAtMillis(write), write.grants(), write.tags(), 0, write.checksum(), write.parts());
        QuorumWrite.Outcome outcome = writeRecord(c, record);
        return new PutResult(record.toInfo(), outcome.previousLive());
    }

    @Override
    public PutResult publish(ObjectWrite write, long size, String etag, List<ChunkRef> chunks) throws IOException {
        Replication c = peers();
        if (c == null) {
            return local.publish(write, size, etag, chunks);
        }
        keep(c, chunks);
        ObjectRecord record = new ObjectRecord(write.bucket(), write.key(), size, etag, write.contentType(),
                write.userMetadata(), c.clock().now(), false, null, chunks, LocalObjectStore.expiresAtMillis(write),
                write.grants(), write.tags(), 0, write.checksum(), write.parts());
        return new PutResult(record.toInfo(), writeRecord(c, record).previousLive());
    }

    @Override
    public void keep(List<ChunkRef> chunks) throws IOException {
        Replication c = peers();
        if (c == null) {
            local.keep(chunks);
        } else {
            keep(c, chunks);
        }
    }

    /**
     * The collector's write barrier: touches each chunk on the first N reachable nodes of its preference list (the
     * holders, or their stand-ins) and requires at least one of them to hold it. Touching one holder suffices for
     * safety (that copy outlives the new reference's arrival, see {@link ChunkCollector}); repair copies it back to
     * the others.
     */
    private void keep(Replication c, List<ChunkRef> chunks) throws IOException {
        ClusterView v = c.placement().view();
        int n = c.placement().n(v);
        Map<String, List<ChunkRef>> byNode = new LinkedHashMap<>();
        Map<String, Integer> holders = new LinkedHashMap<>();
        for (ChunkRef ref : chunks) {
            if (holders.putIfAbsent(ref.id(), 0) != null) {
                continue;
            }
            int asked = 0;
            for (String id : c.placement().walk(v, KeyHash.ofChunk(HEX.parseHex(ref.id())))) {
                if (asked == n) {
                    break;
                }
                if (id.equals(c.localId()) || v.isReachable(id)) {
                    byNode.computeIfAbsent(id, x -> new ArrayList<>()).add(ref);
                    asked++;
                }
            }
        }
        Map<String, CompletableFuture<Messages.ChunkHave>> answers = new LinkedHashMap<>();
        byNode.forEach((node, refs) -> answers.put(node, c.request(v, node, Messages.CHUNK_TOUCH,
                new Messages.ChunkTouch(refs.stream().map(ChunkRef::id).toArray(String[]::new),
                        refs.stream().mapToInt(ChunkRef::length).toArray()), Messages.ChunkHave.class, Replication.CHUNK_TIMEOUT)));
        for (Map.Entry<String, CompletableFuture<Messages.ChunkHave>> e : answers.entrySet()) {
            try {
                boolean[] held = await(e.getValue()).held();
                List<ChunkRef> refs = byNode.get(e.getKey());
                for (int i = 0; i < held.length; i++) {
                    if (held[i]) {
                        holders.merge(refs.get(i).id(), 1, Integer::sum);
                    }
                }
            } catch (IOException | RuntimeException ex) {
                LOG.debug("touch of chunks on {} failed: {}", e.getKey(), ex.toString());
            }
        }
        for (Map.Entry<String, Integer> h : holders.entrySet()) {
            if (h.getValue() == 0) {
                throw new StoreUnavailableException("chunk " + h.getKey() + " of this upload is held by none of the reachable"
                        + " nodes that should hold it (collected after sitting unreferenced for longer than the grace period,"
                        + " or its holders are down); upload it again");
            }
        }
    }

    @Override
    public Optional<List<ChunkRef>> chunksOf(StagedBody body) throws IOException {
        if (!(body instanceof ClusterStaged staged)) {
            return Optional.empty();
        }
        if (staged.inline() == null || staged.inline().length == 0) {
            return Optional.of(staged.chunks());
        }
        Replication c = cluster;
        if (c == null) {
            throw new StoreUnavailableException("this node left the cluster while the upload was in progress; retry");
        }
        byte[] sha = digest("SHA-256").digest(staged.inline());
        ChunkRef ref = new ChunkRef(HEX.formatHex(sha), staged.inline().length);
        await(replicateChunk(c, ref, sha, staged.inline()).quorum());
        return Optional.of(List.of(ref));
    }

    @Override
    public boolean delete(String bucket, String key) throws IOException {
        Replication c = peers();
        if (c == null) {
            return local.delete(bucket, key);
        }
        return writeRecord(c, ObjectRecord.tombstone(bucket, key, c.clock().now())).previousLive();
    }

    @Override
    public void deleteVersion(String bucket, String key, String version) throws IOException {
        expire(bucket, key, VersionStamp.parse(version));
    }

    private QuorumWrite.Outcome writeRecord(Replication c, ObjectRecord record) throws IOException {
        ClusterView v = c.placement().view();
        requireWritable(c, v, "write of " + record.bucket() + "/" + record.key());
        byte[] encoded = c.codec().encode(record);
        try {
            return await(c.write("record " + record.bucket() + "/" + record.key(), v, KeyHash.ofObject(record.bucket(), record.key()),
                    (target, hintFor) -> c.request(v, target, Messages.RECORD_PUT, new RecordPut(encoded, hintFor), Ack.class,
                            Replication.RECORD_TIMEOUT)).quorum());
        } catch (StoreUnavailableException e) {
            // The record went out: copies that were stored stay (undoing them would need the version they replaced), and
            // hints and repair carry them to the other replicas later. So say so rather than claim nothing happened.
            throw new WriteOutcomeUnknownException(e.getMessage() + " The replicas that stored it keep their copy and pass it on"
                    + " when the others are back, so this write may still take effect: retry it to settle the outcome.");
        }
    }

    private static void requireWritable(Replication c, ClusterView v, String what) throws StoreUnavailableException {
        int reachable = v.reachable().size();
        int w = c.placement().w(v);
        if (reachable < w) {
            throw new StoreUnavailableException("cannot accept the " + what + ": " + reachable + " of " + v.members().size()
                    + " nodes are reachable and a write needs " + w + " replicas (write quorum). Retry when nodes are back.");
        }
    }

    // ---- reads ----

    @Override
    public Optional<StoredObject> get(String bucket, String key) throws IOException {
        Replication c = peers();
        if (c == null) {
            return local.get(bucket, key);
        }
        return readRecord(c, bucket, key).filter(r -> r.liveAt(System.currentTimeMillis())).map(r -> new ClusterObject(c, r));
    }

    /** The newest live record of an object (R replicas asked, as for a read), or empty when absent, deleted or expired. */
    public Optional<ObjectRecord> record(String bucket, String key) throws IOException {
        Replication c = peers();
        if (c == null) {
            return local.record(bucket, key);
        }
        return readRecord(c, bucket, key).filter(r -> r.liveAt(System.currentTimeMillis()));
    }

    /**
     * Deletes exactly this version of an object, through the replicated write path (a tombstone to its N replicas,
     * W acks): its expiry or a lifecycle rule came. A newer version of the key, if any, is left alone
     * ({@link ObjectRecord#expiryTombstone}); its chunks are then the collector's.
     */
    public void expire(String bucket, String key, VersionStamp version) throws IOException {
        Replication c = peers();
        if (c == null) {
            local.expire(bucket, key, version);
            return;
        }
        writeRecord(c, ObjectRecord.expiryTombstone(bucket, key, version));
    }

    /**
     * Changes the grants of the live object as a new version of its record: the newest record is read
     * from R replicas, rewritten with the changed grants under a newer HLC stamp and written to its N
     * replicas with W acks, like any write, so every replica converges on it (LWW). A PUT that lands
     * between the read and the write competes with it by stamp like any two concurrent writes.
     * Returns the new record, or empty when there is no live object.
     */
    public Optional<ObjectRecord> updateGrants(String bucket, String key,
                                               java.util.function.UnaryOperator<List<io.hifadhi.api.auth.Grant>> change)
            throws IOException {
        Replication c = peers();
        if (c == null) {
            return local.updateGrants(bucket, key, change);
        }
        return restate(c, bucket, key, (r, stamp) -> r.withGrants(change.apply(r.grants()), stamp));
    }

    /** Replaces the object's S3 tags the way {@link #updateGrants} changes its grants. */
    @Override
    public Optional<ObjectInfo> retag(String bucket, String key, Map<String, String> tags) throws IOException {
        Replication c = peers();
        if (c == null) {
            return local.retag(bucket, key, tags);
        }
        return restate(c, bucket, key, (r, stamp) -> r.withTags(tags, stamp)).map(ObjectRecord::toInfo);
    }

    private Optional<ObjectRecord> restate(Replication c, String bucket, String key,
                                           java.util.function.BiFunction<ObjectRecord, io.hifadhi.node.clock.VersionStamp,
                                                   ObjectRecord> change) throws IOException {
        Optional<ObjectRecord> current = readRecord(c, bucket, key).filter(r -> r.liveAt(System.currentTimeMillis()));
        if (current.isEmpty()) {
            return Optional.empty();
        }
        // readRecord observed the newest stamp, so now() is newer than the record being replaced.
        ObjectRecord updated = change.apply(current.get(), c.clock().now());
        writeRecord(c, updated);
        return Optional.of(updated);
    }

    /** Newest of R replicas' records (tombstones included); repairs stale replicas in the background. */
    private Optional<ObjectRecord> readRecord(Replication c, String bucket, String key) throws IOException {
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
        List<String> reachableNewOwners = newOwners.stream().filter(id -> id.equals(c.localId()) || v.isReachable(id)).toList();
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
        Map<String, CompletableFuture<RecordReply>> replies = new LinkedHashMap<>();
        for (String id : targets) {
            replies.put(id, c.request(v, id, Messages.RECORD_GET, new RecordGet(bucket, key), RecordReply.class,
                    Replication.RECORD_TIMEOUT));
        }
        CompletableFuture<Void> quorum = new CompletableFuture<>();
        java.util.Set<String> answered = new java.util.HashSet<>();
        java.util.Set<String> failed = new java.util.HashSet<>();
        for (Map.Entry<String, CompletableFuture<RecordReply>> e : replies.entrySet()) {
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
        await(quorum);
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
        for (CompletableFuture<RecordReply> f : replies.values()) {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                newest = newer(newest, decode(c, f.join()));
            }
        }
        if (newest != null) {
            c.clock().observe(newest.version());
        }
        all.whenCompleteAsync((ignored, e) -> readRepair(c, v, replicas, replies), c.transport().callbacks());
        return Optional.ofNullable(newest);
    }

    /** Replicas of which at least {@code needed} must answer a read. */
    private record QuorumGroup(List<String> members, int needed) {
        boolean met(java.util.Set<String> answered) {
            return members.stream().filter(answered::contains).count() >= needed;
        }

        boolean lost(java.util.Set<String> failed) {
            return members.stream().filter(failed::contains).count() > members.size() - needed;
        }
    }

    private void readRepair(Replication c, ClusterView v, List<String> replicas, Map<String, CompletableFuture<RecordReply>> replies) {
        ObjectRecord newest = null;
        Map<String, ObjectRecord> seen = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<RecordReply>> e : replies.entrySet()) {
            if (!e.getValue().isCompletedExceptionally()) {
                ObjectRecord rec = decode(c, e.getValue().join());
                seen.put(e.getKey(), rec);
                newest = newer(newest, rec);
            }
        }
        if (newest == null) {
            return;
        }
        byte[] encoded = c.codec().encode(newest);
        for (Map.Entry<String, ObjectRecord> e : seen.entrySet()) {
            ObjectRecord held = e.getValue();
            if (replicas.contains(e.getKey()) && (held == null || newest.version().isNewerThan(held.version()))) {
                LOG.debug("read repair: {} gets {}/{} {}", e.getKey(), newest.bucket(), newest.key(), newest.version());
                c.request(v, e.getKey(), Messages.RECORD_PUT, new RecordPut(encoded, null), Ack.class, Replication.RECORD_TIMEOUT)
                        .whenComplete((ack, error) -> {
                            if (error != null) {
                                LOG.debug("read repair of {} failed: {}", e.getKey(), error.toString());
                            }
                        });
            }
        }
    }

    static ObjectRecord decode(Replication c, RecordReply reply) {
        return reply.record() == null ? null : c.codec().decode(reply.record());
    }

    static ObjectRecord newer(ObjectRecord a, ObjectRecord b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.version().isNewerThan(a.version()) ? b : a;
    }

    private final class ClusterObject implements StoredObject {
        private final Replication c;
        private final ObjectRecord record;

        ClusterObject(Replication c, ObjectRecord record) {
            this.c = c;
            this.record = record;
        }

        @Override
        public ObjectInfo info() {
            return record.toInfo();
        }

        @Override
        public InputStream open(long offset, long length) throws IOException {
            InputStream inline = record.openInline(offset, length);
            if (inline != null) {
                return inline;
            }
            c.extraCopies().objectRead(record);
            return new ChunkedReadStream(c.replica().chunks(), record.chunks(), offset, length, c.chunkFetcher());
        }
    }

    // ---- listing and locate ----

    @Override
    public ListPage list(String bucket, String prefix, String startAfter, int maxKeys) throws IOException {
        Replication c = peers();
        if (c == null) {
            return local.list(bucket, prefix, startAfter, maxKeys);
        }
        return ClusterListing.list(c, bucket, prefix, startAfter, maxKeys);
    }

    @Override
    public Optional<ObjectLocation> locate(String bucket, String key) throws IOException {
        Replication c = cluster;
        if (c == null) {
            Optional<StoredObject> o = local.get(bucket, key);
            return o.map(obj -> new ObjectLocation(bucket, key, obj.info().size(), obj.info().version(),
                    List.of("local"), List.of("local"), false, List.of()));
        }
        return ClusterLocate.locate(c, bucket, key);
    }

    // ---- helpers ----

    static <T> T await(CompletableFuture<T> f) throws IOException {
        try {
            return f.get(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for replicas");
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("replicas did not answer in time");
        } catch (ExecutionException e) {
            Throwable cause = Transport.unwrap(e);
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(cause.getMessage()), cause);
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
