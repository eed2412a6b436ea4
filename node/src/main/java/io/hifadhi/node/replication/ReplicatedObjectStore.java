package io.hifadhi.node.replication;

import io.hifadhi.api.nativeapi.ObjectLocator;
import io.hifadhi.api.store.KeyLease;
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
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ChunkedReadStream;
import io.hifadhi.node.storage.ObjectPublisher;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.node.transport.Transport;
import io.hifadhi.ring.KeyHash;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link ObjectStore} of a node: every operation goes through the placement of the cluster this node sits in,
 * whatever its size. A node alone (just started, or the last member) is a cluster of one: its ring has one member,
 * N, W and R are 1, and each request to a replica is a request to itself, which skips the network: its records are
 * merged, read and scanned in place ({@link Table}), chunks go straight to this node's
 * {@link LocalReplica} through the transport. So a lone node stores its records and chunk inventory
 * exactly as a member of a larger cluster does, and a node that joins it later receives them by the ordinary
 * transfer (anti-entropy) path. Before the node sits in its cluster (while it starts, and once it stops) it serves
 * nothing (503). The path:
 * <ul>
 * <li>stage cuts the body into chunks (one chunk buffered, at most two more in flight), sends each
 * to the N nodes of its preference list ({@link KeyHash#ofChunk}) and waits for W durable acks ({@link ChunkUpload});</li>
 * <li>commit writes the record to the N nodes of {@link KeyHash#ofObject} with W acks — so a record
 * is never written unless every chunk reached W nodes ({@link Replication#objectRecords}, a {@link Table} with
 * {@link ShardedReplication});</li>
 * <li>get reads the record from R replicas, newest stamp wins, stale replicas are repaired in the
 * background (the same table: {@link QuorumRead}, {@link ReadRepair}); chunks come from local disk first, else from a holder,
 * failing over on error or a bad hash ({@link ChunkFetcher});</li>
 * <li>list asks every reachable member and merges (newest wins, tombstones hidden).</li>
 * <li>lock (a conditional write's check and commit) takes a lease on the key from its coordinator, the first reachable
 * node of its preference list ({@link ClusterKeyLocks}).</li>
 * </ul>
 */
public final class ReplicatedObjectStore implements ObjectStore, ObjectLocator, ObjectPublisher {
    /** Bodies up to this size live inside their record (no chunk). */
    public static final int INLINE_MAX = 32 * 1024;

    private final RejoinGate gate;
    private volatile Replication cluster;
    private final MembershipListener viewWatch = this::onMembershipEvent;

    /**
     * @param rememberedPeers ids of the peers this node was in a cluster with (empty for a new node)
     * @param joining         whether the node was started to join a cluster: it serves nothing before it sits in it
     */
    public ReplicatedObjectStore(Supplier<Set<String>> rememberedPeers, boolean joining) {
        this.gate = new RejoinGate(rememberedPeers, joining, System::currentTimeMillis);
    }

    /** Starts serving, through this node's seat in its cluster (of one member, or more). */
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
     * This node's seat in its cluster, alone or not. A node that is rejoining its cluster (after a restart, or after
     * being cut off from it) serves nothing until it sees its peers again ({@link RejoinGate}): its own copy may be
     * stale, and with a partial view it would read from, place and acknowledge on the wrong nodes.
     */
    private Replication cluster() throws StoreUnavailableException {
        Replication c = attached();
        ClusterView v = c.placement().view();
        gate.check(v, quorum(c, v));
        return c;
    }

    /** The seat without the rejoin gate (an operation already under way, a locate); 503 while there is none. */
    private Replication attached() throws StoreUnavailableException {
        Replication c = cluster;
        if (c == null) {
            gate.checkDetached();
            throw new StoreUnavailableException("this node is not in its cluster (it is starting or stopping); retry in a few seconds");
        }
        return c;
    }

    @Override
    public Optional<String> unavailableReason() {
        try {
            Replication c = cluster();
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

    // ---- writes ----

    /**
     * The lease of the key's coordinator ({@link ClusterKeyLocks}) once this node has peers; alone, the caller's own
     * lock is the only one (as for a single-node store), and the coordinator that takes over when a peer arrives waits
     * one lease TTL before it grants ({@link KeyCoordinator}), so the writes of that time cannot overlap.
     */
    @Override
    public KeyLease lock(String bucket, String key) throws IOException {
        Replication c = cluster();
        return c.placement().view().members().size() > 1 ? c.keyLocks().lock(bucket, key) : KeyLease.LOCAL;
    }

    @Override
    public StagedBody stage(InputStream body) throws IOException {
        Replication c = cluster();
        requireWritable(c, c.placement().view(), "upload");
        return ChunkUpload.stage(c, body);
    }

    @Override
    public PutResult commit(ObjectWrite write, StagedBody body) throws IOException {
        ChunkUpload.Staged staged = staged(body);
        Replication c = attached();
        if (ChunkUpload.stagedLongAgo(staged.stagedAtMillis(), c.gcGraceMillis())) {
            // A slow upload: its first chunks may have sat unreferenced for long; put them again before the record.
            ChunkUpload.keep(c, staged.chunks());
        }
        Written w = writeNew(c, write.bucket(), write.key(), stamp -> new ObjectRecord(write.bucket(), write.key(),
                staged.size(), staged.md5Hex(), write.contentType(), write.userMetadata(), stamp, false, staged.inline(),
                staged.chunks(), expiresAtMillis(write), write.grants(), write.tags(), 0, write.checksum(), write.parts(),
                write.acl()));
        return new PutResult(w.record().toInfo(), w.outcome().previousLive());
    }

    private static ChunkUpload.Staged staged(StagedBody body) {
        if (!(body instanceof ChunkUpload.Staged staged)) {
            throw new IllegalArgumentException("body was not staged by this store");
        }
        return staged;
    }

    /** The record field of a write's expiry: 0 for never. */
    private static long expiresAtMillis(ObjectWrite write) {
        return write.expiresAt() == null ? 0 : write.expiresAt().toEpochMilli();
    }

    @Override
    public PutResult publish(ObjectWrite write, long size, String etag, List<ChunkRef> chunks) throws IOException {
        Replication c = cluster();
        ChunkUpload.keep(c, chunks);
        Written w = writeNew(c, write.bucket(), write.key(), stamp -> new ObjectRecord(write.bucket(), write.key(), size,
                etag, write.contentType(), write.userMetadata(), stamp, false, null, chunks, expiresAtMillis(write),
                write.grants(), write.tags(), 0, write.checksum(), write.parts(), write.acl()));
        return new PutResult(w.record().toInfo(), w.outcome().previousLive());
    }

    @Override
    public void keep(List<ChunkRef> chunks) throws IOException {
        ChunkUpload.keep(cluster(), chunks);
    }

    @Override
    public List<ChunkRef> chunksOf(StagedBody body) throws IOException {
        ChunkUpload.Staged staged = staged(body);
        if (staged.inline() == null || staged.inline().length == 0) {
            return staged.chunks();
        }
        return List.of(ChunkUpload.asChunk(attached(), staged.inline()));
    }

    @Override
    public boolean delete(String bucket, String key) throws IOException {
        Replication c = cluster();
        return writeNew(c, bucket, key, stamp -> ObjectRecord.tombstone(bucket, key, stamp)).outcome().previousLive();
    }

    @Override
    public void deleteVersion(String bucket, String key, String version) throws IOException {
        expire(bucket, key, VersionStamp.parse(version));
    }

    private record Written(ObjectRecord record, QuorumWrite.Outcome outcome) {
    }

    /**
     * Writes a new version of a record, stamped now. When no replica took it, each holds a version at least as new:
     * this node's clock is behind the one that stamped that version (its wall clock stepped back, it restarted and
     * has not heard of the key since). The newest version is then read, which moves the clock past it, and the
     * write goes out once more with a newer stamp, so an overwrite always wins over what was there before it.
     */
    private Written writeNew(Replication c, String bucket, String key, Function<VersionStamp, ObjectRecord> version)
            throws IOException {
        ObjectRecord record = version.apply(c.clock().now());
        QuorumWrite.Outcome outcome = writeRecord(c, record);
        if (!outcome.applied()) {
            newest(c, bucket, key);
            record = version.apply(c.clock().now());
            outcome = writeRecord(c, record);
        }
        return new Written(record, outcome);
    }

    private QuorumWrite.Outcome writeRecord(Replication c, ObjectRecord record) throws IOException {
        ClusterView v = c.placement().view();
        requireWritable(c, v, "write of " + record.bucket() + "/" + record.key());
        try {
            return c.objectRecords().insert("record " + record.bucket() + "/" + record.key(), record);
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

    /** The newest of the record's copies a read hears (tombstones included); stale replicas are repaired in the background. */
    private static Optional<ObjectRecord> newest(Replication c, String bucket, String key) throws IOException {
        return c.objectRecords().get(bucket + "/" + key, RecordStore.keyOf(bucket, key), KeyHash.ofObject(bucket, key));
    }

    @Override
    public Optional<StoredObject> get(String bucket, String key) throws IOException {
        Replication c = cluster();
        return newest(c, bucket, key).filter(r -> r.liveAt(System.currentTimeMillis())).map(r -> new ClusterObject(c, r));
    }

    /** The newest live record of an object (R replicas asked, as for a read), or empty when absent, deleted or expired. */
    public Optional<ObjectRecord> record(String bucket, String key) throws IOException {
        return newest(cluster(), bucket, key).filter(r -> r.liveAt(System.currentTimeMillis()));
    }

    /**
     * Deletes exactly this version of an object, through the replicated write path (a tombstone to its N replicas,
     * W acks): its expiry or a lifecycle rule came. A newer version of the key, if any, is left alone
     * ({@link ObjectRecord#expiryTombstone}); its chunks are then the collector's.
     */
    public void expire(String bucket, String key, VersionStamp version) throws IOException {
        writeRecord(cluster(), ObjectRecord.expiryTombstone(bucket, key, version));
    }

    /**
     * Changes the grants and S3 ACL of the live object as a new version of its record: the newest record is read
     * from R replicas, rewritten with the changed grants and ACL under a newer HLC stamp and written to its N
     * replicas with W acks, like any write, so every replica converges on it (LWW). A PUT that lands
     * between the read and the write competes with it by stamp like any two concurrent writes.
     * Returns the new record, or empty when there is no live object.
     */
    public Optional<ObjectRecord> updateAccess(String bucket, String key,
                                               java.util.function.UnaryOperator<io.hifadhi.api.auth.ObjectAccess> change)
            throws IOException {
        return restate(cluster(), bucket, key, (r, stamp) -> {
            io.hifadhi.api.auth.ObjectAccess changed = change.apply(new io.hifadhi.api.auth.ObjectAccess(r.grants(), r.acl()));
            return r.withAccess(changed.grants(), changed.acl(), stamp);
        });
    }

    /** Replaces the object's S3 tags the way {@link #updateAccess} changes its grants. */
    @Override
    public Optional<ObjectInfo> retag(String bucket, String key, Map<String, String> tags) throws IOException {
        return restate(cluster(), bucket, key, (r, stamp) -> r.withTags(tags, stamp)).map(ObjectRecord::toInfo);
    }

    private Optional<ObjectRecord> restate(Replication c, String bucket, String key,
                                           java.util.function.BiFunction<ObjectRecord, io.hifadhi.node.clock.VersionStamp,
                                                   ObjectRecord> change) throws IOException {
        Optional<ObjectRecord> current = newest(c, bucket, key).filter(r -> r.liveAt(System.currentTimeMillis()));
        if (current.isEmpty()) {
            return Optional.empty();
        }
        // The quorum read observed the newest stamp, so now() is newer than the record being replaced.
        return Optional.of(writeNew(c, bucket, key, stamp -> change.apply(current.get(), stamp)).record());
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
        return ClusterListing.list(cluster(), bucket, prefix, startAfter, maxKeys);
    }

    @Override
    public Optional<ObjectLocation> locate(String bucket, String key) throws IOException {
        return ClusterLocate.locate(attached(), bucket, key);
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


}
