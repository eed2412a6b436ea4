package io.hifadhi.node;

import io.hifadhi.node.layout.Layout;
import io.hifadhi.node.layout.LayoutKeeper;
import io.hifadhi.node.layout.LayoutMember;
import io.hifadhi.node.layout.LayoutRole;
import io.hifadhi.node.replication.TransferRate;

import io.hifadhi.api.ApiContext;
import io.hifadhi.api.ApiServer;
import io.hifadhi.api.ApiSettings;
import io.hifadhi.api.auth.AccessPolicy;
import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.ClientAddress;
import io.hifadhi.api.auth.PresignKey;
import io.hifadhi.api.auth.Presigning;
import io.hifadhi.api.auth.ShardKeyPolicy;
import io.hifadhi.api.s3.S3Backend;
import io.hifadhi.api.s3.S3Settings;
import io.hifadhi.api.nativeapi.ClusterMemberStatus;
import io.hifadhi.membership.LoadDigest;
import io.hifadhi.api.store.ObjectStore;
import io.hifadhi.node.cache.CacheMessages;
import io.hifadhi.node.cache.ChunkCache;
import io.hifadhi.node.cache.HotObjects;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.cluster.Addresses;
import io.hifadhi.node.cluster.KnownPeers;
import io.hifadhi.node.cluster.NodeMembership;
import io.hifadhi.node.transport.ChunkStreamServer;
import io.hifadhi.node.config.Credentials;
import io.hifadhi.node.config.CredentialsBootstrap;
import io.hifadhi.node.config.DataDirectory;
import io.hifadhi.node.config.InstanceIdentity;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.config.NodeStartException;
import io.hifadhi.node.metrics.MeteredObjectStore;
import io.hifadhi.node.metrics.NodeMetrics;
import io.hifadhi.node.storage.ChunkStore;
import io.hifadhi.node.storage.LegacyDatabases;
import io.hifadhi.node.storage.MultipartUploads;
import io.hifadhi.node.storage.NodeDatabase;
import io.hifadhi.node.storage.StoredStampCeiling;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.node.replication.ReplicatedObjectStore;
import io.hifadhi.node.replication.Replication;
import io.hifadhi.node.table.ReplicatedBucketCatalog;
import io.hifadhi.node.table.AccessKeyTable;
import io.hifadhi.node.table.ReplicatedSortedTable;
import io.hifadhi.node.table.ReplicatedTable;
import io.hifadhi.node.table.TableStore;
import io.hifadhi.membership.ClusterSettings;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/**
 * One running node: data directory, local stores, HTTP, and its seat in the cluster. Construct with
 * a {@link NodeConfig}, then {@link #start()}; {@link #close()} stops it. Several nodes can run in
 * one JVM (tests do).
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    static final String CHUNKS_DIR = "chunks";
    /** When the last complete scrub pass ended (epoch millis). */
    static final String SCRUB_FILE = "scrub-last-pass";
    /** The node database: records, chunk inventory, tables and hints, a column family each. */
    static final String DATABASE_DIR = "db";
    /** The chunk cache: copies of chunks this node is no replica of; never touched by repair or GC. */
    static final String CACHE_DIR = "cache";

    private final NodeConfig config;
    private final PrintStream console;
    private final Clock clock;
    private String name;
    private Credentials credentials;
    private DataDirectory dataDirectory;
    private NodeDatabase database;
    private RecordStore records;
    private ApiServer api;
    private ObjectStore store;
    private S3Backend s3;
    private volatile NodeMembership membership;
    private ChunkStore chunks;
    private RecordCodec codec;
    private HybridLogicalClock hlc;
    private ReplicatedObjectStore replicated;
    private KnownPeers knownPeers;
    private volatile Replication replication;
    private ChunkStreamServer chunkStream;
    private TableStore tables;
    private ReplicatedTable bucketTable;
    private ReplicatedTable keyTable;
    private ReplicatedTable uploadTable;
    private ReplicatedTable grantTable;
    private ReplicatedTable layoutTable;
    private Layout layout;
    private LayoutKeeper layoutKeeper;
    private volatile Runnable onDeparted = () -> { };
    private AccessKeyTable keys;
    private ChunkCache cache;
    private volatile HotObjects hotObjects;
    private MultipartUploads uploads;
    private java.util.concurrent.ScheduledExecutorService uploadExpiry;
    private volatile io.hifadhi.node.replication.LifecycleWorker lifecycle;
    private volatile io.hifadhi.node.replication.ChunkScrubber scrubber;

    /** @param console where first-start credentials are printed (stdout for the real process) */
    public Node(NodeConfig config, PrintStream console) {
        this(config, console, Clock.systemUTC());
    }

    Node(NodeConfig config, PrintStream console, Clock clock) {
        this.config = config;
        this.console = console;
        this.clock = clock;
    }

    public synchronized void start() throws NodeStartException {
        if (api != null) {
            throw new IllegalStateException("already started");
        }
        SecureRandom random = new SecureRandom();
        dataDirectory = DataDirectory.prepare(config.dataDir());
        name = InstanceIdentity.resolve(config.name(), dataDirectory, random);
        credentials = CredentialsBootstrap.resolve(config, dataDirectory, random, console);
        // Before anything opens: a certificate that cannot be used stops the start with nothing to undo.
        javax.net.ssl.SSLContext tls = config.tlsCert() == null ? null
                : io.hifadhi.node.config.TlsFiles.load(config.tlsCert(), config.tlsKey());
        long startedAt = clock.millis();
        NodeMetrics metrics = new NodeMetrics(startedAt);
        // What repair costs and does: anti-entropy envelope bytes this node sent, entries it moved, hints it keeps.
        metrics.registry().register("hifadhi_anti_entropy_sent_bytes",
                (com.codahale.metrics.Gauge<Long>) () -> replication == null ? 0L : replication.antiEntropyBytes());
        metrics.registry().register("hifadhi_anti_entropy_repaired_entries",
                (com.codahale.metrics.Gauge<Long>) () -> replication == null ? 0L : replication.antiEntropyRepairs());
        metrics.registry().register("hifadhi_pending_hints", (com.codahale.metrics.Gauge<Long>) this::pendingHints);
        // The move of data after a layout change (join, leave, removal), as this node sees it.
        metrics.registry().register("hifadhi_rebalance_in_progress",
                (com.codahale.metrics.Gauge<Long>) () -> transferStatus() != null && transferStatus().changing() ? 1L : 0L);
        metrics.registry().register("hifadhi_rebalance_bytes_to_receive",
                (com.codahale.metrics.Gauge<Long>) () -> transferStatus() == null ? 0L : transferStatus().bytesToReceive());
        metrics.registry().register("hifadhi_rebalance_bytes_to_hand_over",
                (com.codahale.metrics.Gauge<Long>) () -> transferStatus() == null ? 0L : transferStatus().bytesToHandOver());
        metrics.registry().register("hifadhi_rebalance_received_bytes",
                (com.codahale.metrics.Gauge<Long>) () -> transferStatus() == null ? 0L : transferStatus().bytesReceived());
        metrics.registry().register("hifadhi_rebalance_handed_over_bytes",
                (com.codahale.metrics.Gauge<Long>) () -> transferStatus() == null ? 0L : transferStatus().bytesHandedOver());
        registerCacheMetrics(metrics);
        // Space: what the chunk collector freed on this node, and what it found among the chunks it is primary of.
        metrics.registry().register("hifadhi_gc_collected_chunks",
                (com.codahale.metrics.Gauge<Long>) () -> replication == null ? 0L : replication.collectedChunks());
        metrics.registry().register("hifadhi_gc_collected_bytes",
                (com.codahale.metrics.Gauge<Long>) () -> replication == null ? 0L : replication.collectedBytes());
        metrics.registry().register("hifadhi_gc_live_chunks", (com.codahale.metrics.Gauge<Long>) () -> census().liveChunks());
        metrics.registry().register("hifadhi_gc_live_bytes", (com.codahale.metrics.Gauge<Long>) () -> census().liveBytes());
        metrics.registry().register("hifadhi_gc_pending_chunks", (com.codahale.metrics.Gauge<Long>) () -> census().pendingChunks());
        metrics.registry().register("hifadhi_gc_pending_bytes", (com.codahale.metrics.Gauge<Long>) () -> census().pendingBytes());
        metrics.registry().register("hifadhi_stored_bytes", (com.codahale.metrics.Gauge<Long>) this::payloadBytes);
        // Expiry: what this node's passes deleted (it handles the keys it is primary of) and aborted.
        // Object records this node wrote: a client write is one record version on each of its N replicas.
        metrics.counter("hifadhi_object_record_writes", () -> records == null ? 0L : records.writes());
        metrics.counter("hifadhi_lifecycle_expired", () -> lifecycle == null ? 0L : lifecycle.expiredByRules());
        metrics.counter("hifadhi_expired_files", () -> lifecycle == null ? 0L : lifecycle.expiredFiles());
        metrics.counter("hifadhi_lifecycle_aborted_uploads", () -> lifecycle == null ? 0L : lifecycle.abortedUploads());
        metrics.counter("hifadhi_lifecycle_passes", () -> lifecycle == null ? 0L : lifecycle.passes());
        // Scrub: chunk files re-hashed, found bad (deleted), fetched again from a replica, CRC files written anew.
        metrics.counter("hifadhi_scrub_checked_chunks", () -> scrubber == null ? 0L : scrubber.checkedChunks());
        metrics.counter("hifadhi_scrub_checked_bytes", () -> scrubber == null ? 0L : scrubber.checkedBytes());
        metrics.counter("hifadhi_scrub_corrupt_chunks", () -> scrubber == null ? 0L : scrubber.corruptChunks());
        metrics.counter("hifadhi_scrub_repaired_chunks", () -> scrubber == null ? 0L : scrubber.repairedChunks());
        metrics.counter("hifadhi_scrub_rewritten_checksums", () -> scrubber == null ? 0L : scrubber.rewrittenChecksums());
        metrics.counter("hifadhi_scrub_passes", () -> scrubber == null ? 0L : scrubber.passes());
        try {
            chunks = new ChunkStore(dataDirectory.subdirectory(CHUNKS_DIR), config.fsync());
            cache = new ChunkCache(dataDirectory.subdirectory(CACHE_DIR), config.cache().cacheBytes(), clock::millis);
            codec = new RecordCodec();
            database = NodeDatabase.open(dataDirectory.subdirectory(DATABASE_DIR), config.fsync());
            LegacyDatabases.moveInto(dataDirectory.root(), database);
            records = new RecordStore(database, codec);
            // Its ceiling in the database: stamps after a restart exceed every one before it, whatever the wall clock says.
            hlc = new HybridLogicalClock(name, clock::millis, new StoredStampCeiling(database));
            // The data path, through this node's seat in its cluster (a cluster of one when alone): 503 until it sits in it.
            knownPeers = KnownPeers.load(dataDirectory.root(), name);
            replicated = new ReplicatedObjectStore(knownPeers::ids, !config.join().isEmpty());
            // S3: buckets, keys and multipart upload state in fully replicated tables; parts' bytes and the
            // completed object go through the data path.
            tables = new TableStore(database);
            bucketTable = new ReplicatedTable("buckets", tables, hlc);
            // S3 keys too: this node's bootstrap pair joins the cluster's, so any node's key works on every node.
            keyTable = new ReplicatedTable("access-keys", tables, hlc);
            // Multipart upload state too: a client behind a load balancer sends parts to any node.
            uploadTable = new ReplicatedTable("uploads", tables, hlc);
            // IP grants: per object in the record itself; per bucket prefix in a fully replicated table.
            grantTable = new ReplicatedTable(io.hifadhi.node.grants.ReplicatedGrantStore.TABLE, tables, hlc);
            // Which nodes own a share of the ring: changed only by a join, a leave or a removal, never by a failure.
            layoutTable = new ReplicatedTable(Layout.TABLE, tables, hlc);
            layout = new Layout(layoutTable, clock::millis, config.replication());
            for (ReplicatedTable t : List.of(bucketTable, keyTable, uploadTable, grantTable, layoutTable)) {
                metrics.tableTombstones(t.name(), t::tombstones);
            }
            keys = new AccessKeyTable(keyTable, credentials.shardKey(), clock);
            registerBootstrapKey();
            uploads = new MultipartUploads(new ReplicatedSortedTable(uploadTable), replicated, clock);
            s3 = new S3Backend(new ReplicatedBucketCatalog(bucketTable, clock), uploads,
                    keys, new S3Settings(config.s3Region(), config.s3Domains(), config.maxObjectSize(), config.s3Quotas()), keys, keys);
            store = new MeteredObjectStore(replicated, metrics);
        } catch (IOException e) {
            closeQuietly();
            throw new NodeStartException("cannot open storage in " + dataDirectory.root() + ": " + e.getMessage()
                    + " (is another node using this data directory?)", e);
        }
        // Native access: the SHARD-KEY header, or a presigned link signed with a key derived from the same secret.
        ClientAddress clients = new ClientAddress(config.trustedProxies().stream().map(Cidr::parse).toList());
        Presigning presigning = new Presigning(PresignKey.derive(credentials.shardKey()), clients, this::advertisedHttpAddress);
        io.hifadhi.api.s3.GrantPolicy grantPolicy = new io.hifadhi.api.s3.GrantPolicy(
                new io.hifadhi.node.grants.ReplicatedGrantStore(replicated, grantTable, clock), clients, clock);
        // ... or an access key's SigV4 signature, within the key's permission on the native space (".native").
        AccessPolicy nativeAccess = AccessPolicy.anyOf(new ShardKeyPolicy(credentials.shardKey()), presigning.policy(clock),
                grantPolicy, new io.hifadhi.api.nativeapi.AccessKeyPolicy(new io.hifadhi.api.signature.SigV4Verifier(
                        s3.secrets(), config.s3Region(), clock), s3.permissions()));
        ApiContext context = new ApiContext(name, store, nativeAccess,
                this::clusterMembers, metrics, metrics::prometheusText, clock, clock.instant(), s3, presigning);
        api = new ApiServer(ApiSettings.defaults(config.bindAddress(), config.httpPort())
                .withMaxObjectSize(config.maxObjectSize()).withTls(tls).withLimits(config.clientLimits()), context);
        // Refused connections that linger (read and discard what the client still sends) before their close.
        io.hifadhi.api.LingeringClose lingering = api.lingering();
        metrics.registry().register("hifadhi_http_lingering_connections",
                (com.codahale.metrics.Gauge<Integer>) lingering::lingering);
        metrics.counter("hifadhi_http_lingered_connections", lingering::lingered);
        metrics.counter("hifadhi_http_linger_skipped_connections", lingering::closedAtOnce);
        metrics.counter("hifadhi_http_lingering_discarded_bytes", lingering::discardedBytes);
        api.clients(clients);
        api.locator(replicated);
        api.grants(grantPolicy);
        api.keys(keys);
        api.clusterAdmin(new ClusterAdministration(layout, () -> {
            NodeMembership m = membership;
            return m == null ? null : m.membership().view();
        }, this::transferStatus, this::leave, () -> {
            HotObjects h = hotObjects;
            return h == null ? List.of() : h.list();
        }));
        try {
            api.start();
        } catch (RuntimeException e) {
            closeQuietly();
            throw new NodeStartException("cannot listen on " + config.bindAddress() + ":" + config.httpPort()
                    + " (" + rootMessage(e) + "); choose another --http-port or --bind", e);
        }
        // HTTP first, so the address gossiped to the cluster is the port really bound (tests use port 0).
        String advertiseHost = Addresses.advertiseHost(config.advertiseHost(), config.bindAddress());
        int clusterPort = config.clusterPort() == 0 ? Addresses.freePort(config.bindAddress()) : config.clusterPort();
        try {
            chunkStream = ChunkStreamServer.bind(config.bindAddress(), config.dataPort(),
                    credentials.shardKey().getBytes(StandardCharsets.UTF_8), clock::millis);
        } catch (IOException e) {
            closeQuietly();
            throw new NodeStartException("cannot listen on " + config.bindAddress() + ":" + config.dataPort()
                    + " (" + e.getMessage() + "); choose another --data-port or --bind", e);
        }
        metrics.counter("hifadhi_chunk_stream_sent_bytes", chunkStream::sentBytes);
        metrics.counter("hifadhi_chunk_stream_refused_requests", chunkStream::refused);
        try {
            membership = NodeMembership.start(config, name, credentials.shardKey(), advertiseHost, clusterPort,
                    api.port(), chunkStream.port(), dataDirectory.root(), knownPeers, loadDigest(metrics), this::payloadBytes);
        } catch (NodeStartException e) {
            closeQuietly();
            throw e;
        }
        metrics.membership(membership.membership());
        try {
            replication = Replication.start(membership.membership(), credentials.shardKey().getBytes(StandardCharsets.UTF_8),
                    new ClusterSettings(config.replication(), config.writeQuorum(), config.readQuorum(), config.chunkSize()),
                    chunks, records, codec, hlc, database,
                    concat(ReplicatedTable.MESSAGE_TYPES, CacheMessages.TYPES), layout, new TransferRate(config.transferRate()),
                    config.gcGraceMillis(), config.keyLeaseTtl());
            replicated.attach(replication);
            chunkStream.serve(replication.chunksForPeers());
            HotObjects hot = new HotObjects(cache, config.cache(), replication, membership.membership()::view,
                    replicated::record, metrics::requestRate, clock::millis);
            replication.extraCopies(hot);
            hot.start();
            hotObjects = hot;
            api.cache(hot);
            for (ReplicatedTable t : collectedTables()) {
                t.attach(replication.transport(), membership.membership(), config.writeQuorum(), replication::seated);
                replication.sync(t.keyspace());
                replication.collectTombstones(t.collected());
            }
            // The layout is how a node learns its seat, so it is served from the start; it is never deleted from, so
            // it has no tombstones to collect (and none could come back).
            layoutTable.attach(replication.transport(), membership.membership(), config.writeQuorum(), () -> true);
            replication.sync(layoutTable.keyspace());
            joinLayout();
            // Uploads in progress reference chunks too: only with them known may this node take part in collection.
            replication.startCollector(uploads);
            startUploadExpiry();
            lifecycle = new io.hifadhi.node.replication.LifecycleWorker(replication, records, replicated, uploads, s3.buckets(),
                    config.lifecycle(), clock::millis);
            lifecycle.start();
            scrubber = new io.hifadhi.node.replication.ChunkScrubber(replication, chunks, config.scrub(),
                    dataDirectory.root().resolve(SCRUB_FILE), clock::millis);
            scrubber.start();
        } catch (IOException e) {
            closeQuietly();
            throw new NodeStartException("cannot open the hint store in " + dataDirectory.root() + ": " + e.getMessage(), e);
        }
        LOG.info("node {} up: http {}:{}, cluster {}:{}{}, chunk data port {}, data {}, chunk size {} bytes, fsync {}",
                name, config.bindAddress(), api.port(), advertiseHost, clusterPort,
                config.join().isEmpty() ? " (new cluster)" : " (joined via " + String.join(",", config.join()) + ")",
                chunkStream.port(), dataDirectory.root(), config.chunkSize(), config.fsync());
        if (!config.fsync()) {
            LOG.warn("fsync is off: acknowledged writes can be lost on power failure");
        }
    }

    /**
     * Takes this node's seat in the cluster layout: the layout is pulled from the peers first (a new node must not
     * place data by a layout that lacks them, a node removed while away must learn it before it syncs anything),
     * then the node adds itself if it is new, or forgets its old data and rejoins if it was removed. When no peer
     * answers yet, the layout keeper takes the seat as soon as one does; repair starts only then.
     */
    private void joinLayout() {
        io.hifadhi.membership.MemberMetadata md = membership.membership().localMetadata();
        LayoutMember self = new LayoutMember(name, md.zone(), Math.max(1, md.capacityBytes()), LayoutRole.MEMBER);
        int answered = layout.pullFromReachablePeers();
        Replication r = replication;
        LayoutKeeper keeper = new LayoutKeeper(layout, self, membership.membership()::view, config.deadAfter(),
                new LayoutKeeper.Hooks(r::dropHintsFor, r::holdsNothing, () -> {
                    r.dropLeftoverChunks(chunks);
                    onDeparted.run();
                }, this::forgetRemovedNodeData,
                        r::startRepair, r::writesRoutedBy), clock::millis);
        layoutKeeper = keeper;
        if (answered > 0 || layout.alone(name)) {
            try {
                keeper.seat();
            } catch (IOException e) {
                LOG.info("the cluster layout will list this node once enough peers answer: {}", e.getMessage());
            }
        }
        keeper.start();
    }

    /** The tables whose tombstones are collected: every fully replicated table but the layout. */
    private List<ReplicatedTable> collectedTables() {
        return List.of(bucketTable, keyTable, uploadTable, grantTable);
    }

    /**
     * Forgets what this node held before it was removed while away: its records, chunk inventory and hints, and the
     * entries of the collected tables (which pull the cluster's anew), since the others may have collected the
     * tombstones of what was deleted meanwhile. This node's bootstrap key goes with the access keys: it is added again.
     */
    private void forgetRemovedNodeData() throws IOException {
        LOG.info("forgot {} records of the time before this node was removed", replication.forgetRemovedNodeData());
        for (ReplicatedTable t : collectedTables()) {
            t.forget();
        }
        registerBootstrapKey();
    }

    private void registerBootstrapKey() throws IOException {
        keys.register(credentials.accessKey(), credentials.secretKey(), "bootstrap key of " + name);
    }

    /** Runs a scrub pass now, on the calling thread (at the scrub rate); false when the node is not running. */
    public boolean scrubNow() throws IOException {
        io.hifadhi.node.replication.ChunkScrubber s = scrubber;
        if (s == null) {
            return false;
        }
        s.pass();
        return true;
    }

    /** Run once this node has left the cluster after {@link #leave()} (its data is with the other nodes). */
    public void onDeparted(Runnable action) {
        this.onDeparted = action;
    }

    /** Starts a leave: this node goes out of the ring, hands its data to the other nodes, then departs. */
    public void leave() throws IOException {
        LayoutKeeper k = layoutKeeper;
        if (k == null) {
            throw new io.hifadhi.api.store.StoreUnavailableException("this node is not in a cluster; there is nothing to leave");
        }
        k.leave();
    }

    public Layout layout() {
        return layout;
    }

    /** Where the move of data after a layout change stands on this node; null before it sits in a cluster. */
    public io.hifadhi.api.nativeapi.ClusterAdmin.Rebalance transferStatus() {
        Replication r = replication;
        return r == null ? null : r.transferStatus();
    }

    /**
     * The load this node gossips. Bytes out are what it sends to clients and the chunks it serves to peers: readers
     * elsewhere choose among a chunk's holders by this figure, and serving peers is as much load as serving clients.
     * The chunk bytes are sampled each time the digest is asked for (every 2 s) into a meter for their one-minute rate.
     */
    private java.util.function.Supplier<LoadDigest> loadDigest(NodeMetrics metrics) {
        com.codahale.metrics.Meter toPeers = metrics.registry().meter("hifadhi_chunk_served_to_peers_bytes");
        java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
        return () -> {
            Replication r = replication;
            if (r != null) {
                ChunkStreamServer data = chunkStream;
                long sent = r.chunkBytesServedToPeers() + (data == null ? 0 : data.sentBytes());
                long delta = sent - seen.getAndSet(sent);
                if (delta > 0) {
                    toPeers.mark(delta);
                }
            }
            HotObjects h = hotObjects;
            return new LoadDigest(metrics.requestRate(), metrics.bytesInRate(), metrics.bytesOutRate() + toPeers.getOneMinuteRate(),
                    h == null ? 0 : h.hotObjects());
        };
    }

    private static List<Class<?>> concat(List<Class<?>> a, List<Class<?>> b) {
        List<Class<?>> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * What the chunk cache and hot-object spreading do: chunk bytes this node read from its own disk for any request
     * (the load spreading evens out), cache hits, misses, bytes, evictions, and the objects this node spreads.
     */
    private void registerCacheMetrics(NodeMetrics metrics) {
        metrics.counter("hifadhi_chunk_read_bytes", () -> replication == null ? 0L : replication.chunkReadBytes());
        metrics.counter("hifadhi_chunk_stream_received_bytes", () -> replication == null ? 0L : replication.chunkStreamReceivedBytes());
        metrics.counter("hifadhi_chunk_stream_fallbacks", () -> replication == null ? 0L : replication.chunkStreamFallbacks());
        metrics.counter("hifadhi_chunk_stream_resumes", () -> replication == null ? 0L : replication.chunkStreamResumes());
        metrics.counter("hifadhi_read_ahead_used_chunks", () -> replication == null ? 0L : replication.readAhead().used());
        metrics.counter("hifadhi_read_ahead_refetched_chunks", () -> replication == null ? 0L : replication.readAhead().refetched());
        metrics.counter("hifadhi_read_ahead_declined_chunks", () -> replication == null ? 0L : replication.readAhead().declined());
        metrics.registry().register("hifadhi_read_ahead_bytes",
                (com.codahale.metrics.Gauge<Long>) () -> replication == null ? 0L : replication.readAhead().bytesHeld());
        metrics.counter("hifadhi_cache_hits", () -> cache == null ? 0L : cache.hits());
        metrics.counter("hifadhi_cache_hit_bytes", () -> cache == null ? 0L : cache.hitBytes());
        metrics.counter("hifadhi_cache_misses", () -> cache == null ? 0L : cache.misses());
        metrics.counter("hifadhi_cache_evictions", () -> cache == null ? 0L : cache.evictions());
        metrics.counter("hifadhi_cache_fills", () -> cache == null ? 0L : cache.fills());
        metrics.registry().register("hifadhi_cache_bytes", (com.codahale.metrics.Gauge<Long>) () -> cache == null ? 0L : cache.bytes());
        metrics.registry().register("hifadhi_cache_entries", (com.codahale.metrics.Gauge<Integer>) () -> cache == null ? 0 : cache.entries());
        metrics.registry().register("hifadhi_hot_objects", (com.codahale.metrics.Gauge<Integer>) () -> {
            HotObjects h = hotObjects;
            return h == null ? 0 : h.hotObjects();
        });
        metrics.registry().register("hifadhi_cache_leased_copies", (com.codahale.metrics.Gauge<Integer>) () -> {
            HotObjects h = hotObjects;
            return h == null ? 0 : h.leasedCopies();
        });
        metrics.counter("hifadhi_hot_pushed_chunks", () -> {
            HotObjects h = hotObjects;
            return h == null ? 0L : h.pushedChunks();
        });
        metrics.counter("hifadhi_cache_expired", () -> {
            HotObjects h = hotObjects;
            return h == null ? 0L : h.expiredCopies();
        });
    }

    /** Aborts abandoned multipart uploads ({@code --multipart-expiry}) every tenth of that age, at most every 10 min. */
    private void startUploadExpiry() {
        uploadExpiry = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-upload-expiry");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(500, Math.min(600_000, config.multipartExpiryMillis() / 10));
        uploadExpiry.scheduleWithFixedDelay(() -> {
            try {
                int aborted = uploads.abortInitiatedBefore(clock.instant().minusMillis(config.multipartExpiryMillis()));
                if (aborted > 0) {
                    LOG.info("aborted {} multipart uploads begun more than {} ms ago", aborted, config.multipartExpiryMillis());
                }
            } catch (IOException | RuntimeException e) {
                LOG.info("abandoned multipart uploads not aborted this time: {}", e.toString());
            }
        }, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private Replication.CollectionCensus census() {
        Replication r = replication;
        return r == null ? new Replication.CollectionCensus(0, 0, 0, 0) : r.collectionCensus();
    }

    /**
     * Hifadhi's own payload on disk: chunk files plus the node database (records, tables, hints), not the whole file
     * system. This is the {@code used_bytes} the cluster sees.
     */
    long payloadBytes() {
        ChunkStore c = chunks;
        long total = c == null ? 0 : c.storedBytes();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dataDirectory.resolve(DATABASE_DIR))) {
            total += files.mapToLong(f -> {
                try {
                    return java.nio.file.Files.isRegularFile(f) ? java.nio.file.Files.size(f) : 0;
                } catch (IOException e) {
                    return 0; // a RocksDB file removed by a compaction meanwhile
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            // Not created yet, or a file vanished under the walk: the next reading counts it.
        }
        return total;
    }

    /** host:port where others reach this node's HTTP (for links minted when a request names no usable Host). */
    private String advertisedHttpAddress() {
        String host = Addresses.advertiseHost(config.advertiseHost(), config.bindAddress());
        ApiServer server = api;
        int port = server == null ? config.httpPort() : server.port();
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The members this node knows, itself included; just itself while membership is starting. */
    public List<ClusterMemberStatus> clusterMembers() {
        NodeMembership seat = membership;
        if (seat == null) {
            return List.of(ClusterMemberStatus.standalone(name, null));
        }
        return seat.members();
    }

    /** Leaves the cluster gracefully (peers see LEAVING, then a departure), then stops. */
    public synchronized void leaveAndClose() {
        if (membership != null) {
            membership.leave();
            membership = null;
        }
        closeQuietly();
    }

    public int httpPort() {
        return api.port();
    }

    public String name() {
        return name;
    }

    public Credentials credentials() {
        return credentials;
    }

    public Path dataDir() {
        return dataDirectory.root();
    }

    public ObjectStore store() {
        return store;
    }

    /** The replicated data path's object store (also the locator behind /api/v1/locate). */
    public ReplicatedObjectStore replicatedStore() {
        return replicated;
    }

    /** This node's part in the cluster data path (hints, anti-entropy, chunk collection); null before it started. */
    public Replication replication() {
        return replication;
    }

    /** Hints this node holds for replicas that were down, not yet delivered (0 before the node is in a cluster). */
    public long pendingHints() {
        Replication r = replication;
        return r == null ? 0 : r.pendingHints();
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (uploadExpiry != null) {
            uploadExpiry.shutdownNow();
            uploadExpiry = null;
        }
        if (scrubber != null) {
            scrubber.close();
            scrubber = null;
        }
        if (lifecycle != null) {
            lifecycle.close();
            lifecycle = null;
        }
        if (replicated != null) {
            replicated.detach();
        }
        if (bucketTable != null) {
            bucketTable.detach();
        }
        if (keyTable != null) {
            keyTable.detach();
        }
        if (uploadTable != null) {
            uploadTable.detach();
        }
        if (grantTable != null) {
            grantTable.detach();
        }
        if (layoutKeeper != null) {
            layoutKeeper.close();
            layoutKeeper = null;
        }
        if (layoutTable != null) {
            layoutTable.detach();
        }
        if (hotObjects != null) {
            hotObjects.close();
            hotObjects = null;
        }
        if (chunkStream != null) {
            chunkStream.close();
            chunkStream = null;
        }
        if (replication != null) {
            replication.close();
            replication = null;
        }
        if (membership != null) {
            membership.close();
            membership = null;
        }
        if (api != null) {
            api.close();
            api = null;
        }
        records = null;
        tables = null;
        if (database != null) {
            database.close();
            database = null;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }
}
