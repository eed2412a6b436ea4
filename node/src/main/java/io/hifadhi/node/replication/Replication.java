package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterSettings;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.Member;
import io.hifadhi.membership.Membership;
import io.hifadhi.membership.MembershipEvent;
import io.hifadhi.membership.MembershipListener;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.layout.Layout;
import io.hifadhi.node.replication.Messages.ChunkGet;
import io.hifadhi.node.replication.Messages.ChunkHas;
import io.hifadhi.node.replication.Messages.ChunkPut;
import io.hifadhi.node.replication.Messages.RecordGet;
import io.hifadhi.node.replication.Messages.RecordPut;
import io.hifadhi.node.replication.Messages.RecordScan;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ChunkReferences;
import io.hifadhi.node.storage.ChunkStore;
import io.hifadhi.node.storage.NodeDatabase;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.node.transport.ChunkStreamClient;
import io.hifadhi.node.transport.ChunkStreamServer;
import io.hifadhi.node.transport.Peer;
import io.hifadhi.node.transport.Transport;
import io.hifadhi.node.transport.WireCodec;
import io.hifadhi.ring.KeyHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This node's part in the replicated data path once it sits in a cluster: the authenticated
 * transport with the replica handlers, the placement (ring + effective N/W/R) and the sharded replication strategy
 * over it that places every record and chunk write ({@link ShardedReplication}), the object records as a
 * {@link Table}, the hint store and hinted handoff (delivered when a target becomes reachable or joins, and every few
 * seconds).
 */
public final class Replication implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replication.class);
    static final Duration CHUNK_TIMEOUT = Duration.ofSeconds(15);
    static final Duration RECORD_TIMEOUT = Duration.ofSeconds(5);
    private static final long HANDOFF_EVERY_MILLIS = 2_000;
    /** The object records' name as a keyspace of anti-entropy and as a table of the tombstone collector. */
    private static final String RECORDS = "records";

    private final Membership membership;
    private final Transport transport;
    private final Placement placement;
    private final LocalReplica replica;
    private final HintStore hints;
    private final RecordCodec codec;
    private final HybridLogicalClock clock;
    private final int chunkSize;
    private final ScheduledExecutorService handoff;
    private final MembershipListener listener;
    /** Where records and chunks live; one instance for both, so it knows every write in flight. */
    private final ShardedReplication sharded;
    private final Table.ReadableReplicas<ObjectRecord> recordReplicas;
    private final Table<ObjectRecord> objectRecords;
    /** Nodes that left a read unanswered: reads stop waiting for them, and ask them for chunks last. */
    private final SilentReplicas silent = new SilentReplicas(
            TimeUnit.MILLISECONDS.toNanos(QuorumRead.FRESHNESS_WAIT_MILLIS), System::nanoTime);
    private final ChunkFetcher chunkFetcher;
    private final ChunkStreamClient chunkStream;
    private volatile ExtraCopies extraCopies = ExtraCopies.NONE;
    private AntiEntropy antiEntropy;
    private volatile boolean repairing;
    private final RecordStore records;
    private ChunkCollector collector;
    private TombstoneCollector tombstones;
    private final long gcGraceMillis;
    private KeyCoordinator keyCoordinator;
    private ClusterKeyLocks keyLocks;

    private Replication(Membership membership, Transport transport, Placement placement, LocalReplica replica,
                        HintStore hints, RecordCodec codec, HybridLogicalClock clock, int chunkSize, RecordStore records,
                        long gcGraceMillis, ChunkStreamClient chunkStream) {
        this.chunkStream = chunkStream;
        this.records = records;
        this.membership = membership;
        this.transport = transport;
        this.placement = placement;
        this.replica = replica;
        this.hints = hints;
        this.codec = codec;
        this.clock = clock;
        this.chunkSize = chunkSize;
        this.gcGraceMillis = gcGraceMillis;
        this.handoff = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-hinted-handoff");
            t.setDaemon(true);
            return t;
        });
        this.listener = this::onMembershipEvent;
        this.chunkFetcher = new ChunkFetcher(this);
        this.sharded = new ShardedReplication(placement, transport.localId());
        this.recordReplicas = new RecordReplicas(this);
        this.objectRecords = new Table<>(RECORDS, replica.records(), sharded, recordReplicas, silent, placement::view,
                clock, transport.callbacks());
    }

    /** Whether no reachable member serves chunks at {@code dataAddress}: the failure detector lost that holder. */
    private static boolean lostHolder(ClusterView v, String dataAddress) {
        return v.reachable().stream().noneMatch(m -> dataAddress.equals(m.metadata().dataAddress()));
    }

    /**
     * Keeps its hints in the node database, registers the handlers and starts hinted handoff.
     *
     * @param otherMessageTypes messages of other services on the same transport (replicated tables), appended
     *                          to the codec's registrations in this order
     * @param gcGraceMillis     {@code --gc-grace}: how long a chunk stays after it was last put and while unreferenced
     * @param keyLeaseTtl       how long a conditional write's lease on its key runs ({@link ClusterKeyLocks})
     */
    public static Replication start(Membership membership, byte[] clusterSecret, ClusterSettings settings,
                                    ChunkStore chunks, RecordStore records, RecordCodec codec, HybridLogicalClock clock,
                                    NodeDatabase database, List<Class<?>> otherMessageTypes, Layout layout,
                                    TransferRate transferRate, long gcGraceMillis, Duration keyLeaseTtl) throws IOException {
        HintStore hints = new HintStore(database);
        String localId = membership.localId();
        List<Class<?>> types = new java.util.ArrayList<>(Messages.TYPES);
        types.addAll(otherMessageTypes);
        Transport transport = new Transport(membership.messaging(), localId, clusterSecret,
                new WireCodec(types), settings.chunkSize() + (1 << 20),
                address -> membership.view().memberAtClusterAddress(address).map(Member::id), System::currentTimeMillis);
        LocalReplica replica = new LocalReplica(localId, chunks, records, codec, hints, clock);
        transport.handle(Messages.CHUNK_PUT, ChunkPut.class, replica::putChunk);
        transport.handle(Messages.CHUNK_GET, ChunkGet.class, replica::getChunk);
        transport.handle(Messages.CHUNK_HAS, ChunkHas.class, replica::has);
        transport.handle(Messages.RECORD_PUT, RecordPut.class, replica::putRecord);
        transport.handle(Messages.RECORD_GET, RecordGet.class, replica::getRecord);
        transport.handle(Messages.RECORD_SCAN, RecordScan.class, replica::scan);
        transport.handle(Messages.CHUNK_TOUCH, Messages.ChunkTouch.class, replica::touch);
        Replication r = new Replication(membership, transport, new Placement(membership::view, layout::current, settings), replica,
                hints, codec, clock, settings.chunkSize(), records, gcGraceMillis,
                new ChunkStreamClient(localId, clusterSecret, System::currentTimeMillis, CHUNK_TIMEOUT,
                        address -> lostHolder(membership.view(), address)));
        r.tombstones = new TombstoneCollector(r, gcGraceMillis);
        r.tombstones.add(new CollectedTable<>(RECORDS, replica.records(), () -> hints.recordKeys(codec)));
        r.tombstones.register(transport);
        r.collector = new ChunkCollector(r, records, chunks, hints, codec, gcGraceMillis, r.tombstones);
        r.collector.register(transport);
        r.antiEntropy = new AntiEntropy(r, List.of(new VersionedKeyspace<>(RECORDS, false, replica.records(), clock, () -> true),
                        new ChunkInventoryKeyspace(records)),
                new ChunkKeeper(r, records, chunks, transferRate), new Handoff(r, r.recordReplicas, records, chunks, transferRate), layout);
        r.antiEntropy.register(transport);
        r.keyCoordinator = new KeyCoordinator(r.placement, localId, keyLeaseTtl, System::nanoTime);
        r.keyLocks = new ClusterKeyLocks(localId, new KeyLeases(keyLeaseTtl, System::nanoTime), r.keyCoordinator,
                (node, type, message) -> r.request(r.placement.view(), node, type, message, Object.class,
                        ClusterKeyLocks.ASK_TIMEOUT), ClusterKeyLocks.WAIT);
        r.keyLocks.register(transport);
        membership.addListener(r.listener);
        return r;
    }

    /**
     * Starts what pushes this node's data to others: anti-entropy rounds and hinted handoff. Called once the node
     * knows its seat in the cluster layout: a node started with a stale copy of the layout (one removed while away)
     * must not sync by it, nor deliver hints, before it has learnt where it stands and forgotten what it must.
     */
    public void startRepair() {
        if (repairing) {
            return;
        }
        repairing = true;
        antiEntropy.start();
        handoff.scheduleWithFixedDelay(this::deliverHints, HANDOFF_EVERY_MILLIS, HANDOFF_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        handoff.execute(this::deliverHints);
    }

    /**
     * Forgets the records, chunk inventory and hints of a node that was removed from the cluster while it was away.
     * The cluster re-created every copy it held when it removed it; what it still holds may be versions the others
     * deleted since and have already collected the tombstones of, so pushing them would bring deleted objects back.
     * Chunk files stay: they are content-addressed (never wrong), and the collector drops the unreferenced ones.
     *
     * @return how many records were forgotten
     */
    public long forgetRemovedNodeData() throws IOException {
        long[] forgotten = {0};
        List<byte[]> batch = new java.util.ArrayList<>();
        try {
            // One pass: the iterator reads a snapshot, so deleting batches behind it is safe.
            records.forEach(r -> {
                batch.add(RecordStore.keyOf(r.bucket(), r.key()));
                if (batch.size() == 4_096) {
                    deleteRecords(batch, forgotten);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        deleteRecords(batch, forgotten);
        List<String> refs = new java.util.ArrayList<>();
        do {
            refs.clear();
            records.forEachChunkRef(null, ref -> refs.add(ref.id()) && refs.size() < 4_096);
            records.dropChunkRefs(refs);
        } while (!refs.isEmpty());
        for (String target : hints.targets()) {
            hints.dropFor(target);
        }
        return forgotten[0];
    }

    private void deleteRecords(List<byte[]> batch, long[] count) {
        try {
            records.deleteAll(batch);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        count[0] += batch.size();
        batch.clear();
    }

    String localId() {
        return transport.localId();
    }

    Membership membership() {
        return membership;
    }

    /** The authenticated transport, shared with the replicated tables. */
    public Transport transport() {
        return transport;
    }

    Placement placement() {
        return placement;
    }

    LocalReplica replica() {
        return replica;
    }

    RecordCodec codec() {
        return codec;
    }

    HybridLogicalClock clock() {
        return clock;
    }

    int chunkSize() {
        return chunkSize;
    }

    /** The cluster-wide locks of conditional writes. */
    ClusterKeyLocks keyLocks() {
        return keyLocks;
    }

    /**
     * Whether this node knows its seat in the cluster layout, and has forgotten what it held if it was removed while
     * away: only then does it sync with others (and answer for a table whose tombstones are collected, whose old
     * entries could otherwise come back from it).
     */
    public boolean seated() {
        return repairing;
    }

    /** Drops the tombstones of a table (a fully replicated one) under the same rule as the object records'. */
    public void collectTombstones(CollectedTable<?> table) {
        tombstones.add(table);
    }

    /** Keeps a keyspace (a fully replicated table) in sync by the same Merkle anti-entropy as the object records. */
    public void sync(SyncedKeyspace keyspace) {
        antiEntropy.add(keyspace);
    }

    long gcGraceMillis() {
        return gcGraceMillis;
    }

    /**
     * Starts chunk garbage collection once the references outside the record store (uploads in progress) can be
     * read; until then this node answers no collection question, so no node collects.
     */
    public void startCollector(ChunkReferences uploads) {
        collector.start(uploads);
    }

    /** Chunk copies and bytes the collector deleted on this node since it started. */
    public long collectedChunks() {
        return collector.collectedChunks();
    }

    public long collectedBytes() {
        return collector.collectedBytes();
    }

    /**
     * What the last complete collection round found among the chunks this node is primary of: live (referenced)
     * chunks and bytes, and pending ones (unreferenced, kept until their grace has passed).
     */
    public record CollectionCensus(long liveChunks, long liveBytes, long pendingChunks, long pendingBytes) {
    }

    public CollectionCensus collectionCensus() {
        return collector.census();
    }

    ChunkFetcher chunkFetcher() {
        return chunkFetcher;
    }

    /** Fetches chunks from peers' chunk data ports. */
    ChunkStreamClient chunkStream() {
        return chunkStream;
    }

    /** What this node's chunk data port serves: its replica copies as they are on disk, else its checked or cached copies. */
    public ChunkStreamServer.Chunks chunksForPeers() {
        return replica::openForPeer;
    }

    /** Chunk bytes received from peers' data ports, and fetches that fell back to the cluster port. */
    public long chunkStreamReceivedBytes() {
        return chunkStream.receivedBytes();
    }

    public long chunkStreamFallbacks() {
        return chunkFetcher.streamFallbacks();
    }

    /** Streamed chunks whose holder failed part way and that went on from the same byte from another source. */
    public long chunkStreamResumes() {
        return chunkFetcher.streamResumes();
    }

    /** Plugs the chunk cache and hot-object spreading into the read path ({@link ExtraCopies#NONE} until then). */
    public void extraCopies(ExtraCopies extras) {
        this.extraCopies = extras;
        replica.extraCopies(extras);
    }

    ExtraCopies extraCopies() {
        return extraCopies;
    }

    SilentReplicas silent() {
        return silent;
    }

    public ReadAheadCounts readAhead() {
        return chunkFetcher.aheadCounts();
    }

    /** Chunk bytes this node read from its own disk (replica copies and cache) for clients' and peers' reads. */
    public long chunkReadBytes() {
        return replica.chunkReadBytes();
    }

    /** Envelope bytes of chunk fetches this node answered for peers (and asked of them) since it started. */
    public long chunkBytesServedToPeers() {
        return transport.bytesSent(Messages.CHUNK_GET);
    }

    /** The chunk's preference list in the current view: its N replicas, then the fallbacks (cache neighbours). */
    public ChunkPlacement chunkPlacement(String chunkId) {
        ClusterView v = placement.view();
        List<String> walk = placement.walk(v, KeyHash.ofChunk(HexFormat.of().parseHex(chunkId)));
        int n = placement.n(v);
        return new ChunkPlacement(v, walk.subList(0, n), walk.subList(n, walk.size()));
    }

    /** @param replicas the N nodes the ring assigns the chunk to; @param fallbacks every other member, in ring order */
    public record ChunkPlacement(ClusterView view, List<String> replicas, List<String> fallbacks) {
        public ChunkPlacement {
            replicas = List.copyOf(replicas);
            fallbacks = List.copyOf(fallbacks);
        }
    }

    /** A chunk's verified bytes for spreading it: this node's copy, else a holder's (as a read would get them). */
    public byte[] chunkBytes(ChunkRef ref) throws IOException {
        return chunkFetcher.fetch(ref);
    }

    /** Envelope bytes this node sent (requests and replies) for anti-entropy since it started. */
    public long antiEntropyBytes() {
        return transport.bytesSent(Messages.SYNC);
    }

    /** Entries anti-entropy pulled from or pushed to peers since this node started. */
    public long antiEntropyRepairs() {
        return antiEntropy.repairedEntries();
    }

    /** Drops the hints kept for a node removed from the cluster: it will never take them. */
    public void dropHintsFor(String nodeId) {
        try {
            int dropped = hints.dropFor(nodeId);
            if (dropped > 0) {
                LOG.info("dropped {} hints for {}, which was removed from the cluster", dropped, nodeId);
            }
        } catch (IOException e) {
            LOG.warn("could not drop the hints for removed node {}: {}", nodeId, e.toString());
        }
    }

    /** Whether this node holds no object record and no chunk as a replica (a leaving node is drained then). */
    public boolean holdsNothing() {
        // Hints too: a stand-in's copy may be one of a write's quorum, so a leaver delivers them before it goes.
        return !holdsData() && !holdsHints();
    }

    /** Whether this node holds an object record (a tombstone included) or a chunk in its inventory. */
    boolean holdsData() {
        return !records.isEmpty();
    }

    /** Whether this node keeps hints for other nodes that it has not delivered yet. */
    boolean holdsHints() {
        return !hints.isEmpty();
    }

    /**
     * Deletes the chunk files a drained node still has outside its inventory: stand-in copies whose hints were all
     * delivered (their targets hold them). Only after {@link #holdsNothing}.
     */
    public void dropLeftoverChunks(ChunkStore chunks) {
        if (!holdsNothing()) {
            return;
        }
        try {
            java.util.List<String> ids = new java.util.ArrayList<>();
            chunks.forEachFile(ref -> ids.add(ref.id()));
            for (String id : ids) {
                chunks.delete(id);
            }
            if (!ids.isEmpty()) {
                LOG.info("deleted {} stand-in chunk copies whose hints were delivered", ids.size());
            }
        } catch (IOException e) {
            LOG.warn("could not delete the stand-in chunk copies left after the leave: {}", e.toString());
        }
    }

    /** Where the move of data after a layout change stands, as this node sees it. */
    public io.hifadhi.api.nativeapi.ClusterAdmin.Rebalance transferStatus() {
        return antiEntropy.transferStatus();
    }

    /** Hints waiting for delivery (tests and logs). */
    public long pendingHints() {
        return hints.count();
    }

    <R> CompletableFuture<R> request(ClusterView v, String target, String type, Object message, Class<R> reply, Duration timeout) {
        Peer peer;
        try {
            peer = Placement.peer(v, target);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return transport.request(peer, type, message, reply, timeout);
    }

    /**
     * Sends a chunk this node cut from an upload (and named by the SHA-256 of {@code bytes}) to {@code target}, as a
     * replica's own copy or as a stand-in's for {@code hintFor}. This node's own copy is written by its workers as a
     * request to itself would be, but without hashing the bytes again: they never left this process.
     */
    CompletableFuture<Ack> putChunk(ClusterView v, String target, ChunkRef ref, byte[] bytes, String hintFor) {
        if (hintFor == null && target.equals(localId())) {
            return transport.onWorkers(Messages.CHUNK_PUT, () -> replica.putOwnChunk(ref, bytes));
        }
        return request(v, target, Messages.CHUNK_PUT, new ChunkPut(ref.id(), bytes, hintFor), Ack.class, CHUNK_TIMEOUT);
    }

    /** A page of {@code target}'s records (tombstones included) for a listing; this node's own scan in place. */
    CompletableFuture<LocalReplica.Page> scanRecords(ClusterView v, String target, RecordScan scan) {
        if (target.equals(localId())) {
            try {
                return CompletableFuture.completedFuture(replica.scanRecords(scan));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return request(v, target, Messages.RECORD_SCAN, scan, Messages.RecordBatch.class, RECORD_TIMEOUT)
                .thenApply(batch -> new LocalReplica.Page(java.util.Arrays.stream(batch.records()).map(codec::decode).toList(),
                        batch.truncated()));
    }

    /** How records and chunks are placed: their writes, and the nodes their reads ask. */
    ShardedReplication sharded() {
        return sharded;
    }

    /** The object records as a table: sharded over the ring, each record on the N replicas of its object's position. */
    Table<ObjectRecord> objectRecords() {
        return objectRecords;
    }

    /** How another node's copy of a record is read and written, for what works on records outside the table's quorums. */
    Table.ReadableReplicas<ObjectRecord> recordReplicas() {
        return recordReplicas;
    }

    /**
     * Whether every write this node has in flight was placed with {@code ring} as the newest ring: then the node
     * publishes that it routes by it (its routing ack; see {@link io.hifadhi.node.layout.ClusterLayout#routedByAll}).
     */
    public boolean writesRoutedBy(List<io.hifadhi.ring.Member> ring) {
        return sharded.writesRoutedBy(ring);
    }

    private void onMembershipEvent(MembershipEvent event) {
        // Every view is noted, a brief one too: a node that was some key's coordinator even for a moment may have granted.
        keyCoordinator.observe();
        if (event.type() == MembershipEvent.Type.UNREACHABLE || event.type() == MembershipEvent.Type.LEFT) {
            sharded.suspect(event.member().id());
        }
        if (event.type() == MembershipEvent.Type.REACHABLE || event.type() == MembershipEvent.Type.JOINED) {
            try {
                handoff.execute(this::deliverHints);
            } catch (RuntimeException e) {
                LOG.debug("handoff not scheduled: {}", e.toString());
            }
        }
    }

    /** Delivers every hint whose target is reachable; a failure leaves the rest for the next round. */
    void deliverHints() {
        if (!repairing) {
            return;
        }
        try {
            ClusterView v = placement.view();
            for (String target : hints.targets()) {
                if (target.equals(localId()) || !v.isReachable(target)) {
                    continue;
                }
                deliverTo(v, target);
            }
        } catch (RuntimeException e) {
            LOG.warn("hinted handoff round failed: {}", e.toString());
        }
    }

    private void deliverTo(ClusterView v, String target) {
        int delivered = 0;
        while (true) {
            List<HintStore.Hint> batch = hints.forTarget(target, 64);
            if (batch.isEmpty()) {
                break;
            }
            for (HintStore.Hint hint : batch) {
                try {
                    if (hint.kind() == HintStore.Kind.CHUNK) {
                        String text = new String(hint.payload(), StandardCharsets.UTF_8);
                        int colon = text.indexOf(':');
                        String id = text.substring(0, colon);
                        int length = Integer.parseInt(text.substring(colon + 1));
                        Optional<byte[]> bytes = replica.readVerified(id, length);
                        if (bytes.isEmpty()) {
                            LOG.warn("hint for {}: chunk {} is no longer good on this node; dropped (anti-entropy must repair it)", target, id);
                        } else {
                            request(v, target, Messages.CHUNK_PUT, new ChunkPut(id, bytes.get(), null), Ack.class, CHUNK_TIMEOUT).join();
                        }
                    } else {
                        request(v, target, Messages.RECORD_PUT, new RecordPut(hint.payload(), null), Ack.class, RECORD_TIMEOUT).join();
                        forgetStandInCopy(v, codec.decode(hint.payload()));
                    }
                    hints.remove(hint);
                    delivered++;
                } catch (IOException | RuntimeException e) {
                    LOG.info("hinted handoff to {} paused after {} hints: {}", target, delivered, Transport.unwrap(e).toString());
                    return;
                }
            }
        }
        if (delivered > 0) {
            LOG.info("hinted handoff delivered {} hints to {}", delivered, target);
        }
    }

    /**
     * A stand-in forgets its own copy of a record once the hint carrying it was delivered, unless it owns the key in
     * a live ring: the copy is not a replica's (anti-entropy never updates it), so kept it would go stale and keep
     * its chunks referenced after a delete (and show in listings once the tombstone is collected).
     */
    private void forgetStandInCopy(ClusterView v, io.hifadhi.node.storage.ObjectRecord delivered) throws IOException {
        long position = io.hifadhi.ring.KeyHash.ofObject(delivered.bucket(), delivered.key());
        for (io.hifadhi.ring.Ring ring : placement.rings(v)) {
            if (placement.replicates(ring, position, localId(), new int[placement.n(ring)])) {
                return;
            }
        }
        replica.dropHandedOver(delivered);
    }

    @Override
    public void close() {
        membership.removeListener(listener);
        antiEntropy.close();
        collector.close();
        handoff.shutdownNow();
        try {
            handoff.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        chunkStream.close();
        transport.close();
    }
}
