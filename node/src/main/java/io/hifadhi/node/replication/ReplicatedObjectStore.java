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
import io.hifadhi.node.replication.Messages.Ack;
import io.hifadhi.node.replication.Messages.RecordPut;
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
 * to the N nodes of its preference list ({@link KeyHash#ofChunk}) and waits for W durable acks ({@link ChunkUpload});</li>
 * <li>commit writes the record to the N nodes of {@link KeyHash#ofObject} with W acks — so a record
 * is never written unless every chunk reached W nodes;</li>
 * <li>get reads the record from R replicas, newest stamp wins, stale replicas are repaired in the
 * background ({@link QuorumRead}, {@link ReadRepair}); chunks come from local disk first, else from a holder,
 * failing over on error or a bad hash ({@link ChunkFetcher});</li>
 * <li>list asks every reachable member and merges (newest wins, tombstones hidden).</li>
 * <li>lock (a conditional write's check and commit) takes a lease on the key from its coordinator, the first reachable
 * node of its preference list ({@link ClusterKeyLocks}).</li>
 * </ul>
 */
public final class ReplicatedObjectStore implements ObjectStore, ObjectLocator, ObjectPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedObjectStore.class);

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

    // ---- writes ----

    /**
     * The lease of the key's coordinator ({@link ClusterKeyLocks}) once this node has peers; alone, the caller's own
     * lock is the only one (as for a single-node store), and the coordinator that takes over when a peer arrives waits
     * one lease TTL before it grants ({@link KeyCoordinator}), so the writes of that time cannot overlap.
     */
    @Override
    public KeyLease lock(String bucket, String key) throws IOException {
        Replication c = peers();
        return c == null ? KeyLease.LOCAL : c.keyLocks().lock(bucket, key);
    }

    @Override
    public StagedBody stage(InputStream body) throws IOException {
        Replication c = peers();
        if (c == null) {
            return local.stage(body);
        }
        requireWritable(c, c.placement().view(), "upload");
        return ChunkUpload.stage(c, body);
    }

    @Override
    public PutResult commit(ObjectWrite write, StagedBody body) throws IOException {
        if (!(body instanceof ChunkUpload.Staged staged)) {
            // Staged while this node was alone: it lives on this node only, as before.
            return local.commit(write, body);
        }
        Replication c = cluster;
        if (c == null) {
            throw new StoreUnavailableException("this node left the cluster while the upload was in progress; retry");
        }
        if (LocalObjectStore.stagedLongAgo(staged.stagedAtMillis(), c.gcGraceMillis())) {
            // A slow upload: its first chunks may have sat unreferenced for long; put them again before the record.
            ChunkUpload.keep(c, staged.chunks());
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
        ChunkUpload.keep(c, chunks);
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
            ChunkUpload.keep(c, chunks);
        }
    }

    @Override
    public Optional<List<ChunkRef>> chunksOf(StagedBody body) throws IOException {
        if (!(body instanceof ChunkUpload.Staged staged)) {
            return Optional.empty();
        }
        if (staged.inline() == null || staged.inline().length == 0) {
            return Optional.of(staged.chunks());
        }
        Replication c = cluster;
        if (c == null) {
            throw new StoreUnavailableException("this node left the cluster while the upload was in progress; retry");
        }
        return Optional.of(List.of(ChunkUpload.asChunk(c, staged.inline())));
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
        return QuorumRead.newest(c, bucket, key).filter(r -> r.liveAt(System.currentTimeMillis())).map(r -> new ClusterObject(c, r));
    }

    /** The newest live record of an object (R replicas asked, as for a read), or empty when absent, deleted or expired. */
    public Optional<ObjectRecord> record(String bucket, String key) throws IOException {
        Replication c = peers();
        if (c == null) {
            return local.record(bucket, key);
        }
        return QuorumRead.newest(c, bucket, key).filter(r -> r.liveAt(System.currentTimeMillis()));
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
        Optional<ObjectRecord> current = QuorumRead.newest(c, bucket, key).filter(r -> r.liveAt(System.currentTimeMillis()));
        if (current.isEmpty()) {
            return Optional.empty();
        }
        // The quorum read observed the newest stamp, so now() is newer than the record being replaced.
        ObjectRecord updated = change.apply(current.get(), c.clock().now());
        writeRecord(c, updated);
        return Optional.of(updated);
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


}
