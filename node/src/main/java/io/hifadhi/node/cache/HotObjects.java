package io.hifadhi.node.cache;

import io.hifadhi.api.nativeapi.CacheControl;
import io.hifadhi.api.nativeapi.ClusterAdmin.HotObject;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.LoadDigest;
import io.hifadhi.membership.Member;
import io.hifadhi.node.cache.CacheMessages.CachePut;
import io.hifadhi.node.cache.CacheMessages.CacheReply;
import io.hifadhi.node.cache.CacheMessages.HolderNotice;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.replication.ExtraCopies;
import io.hifadhi.node.replication.Replication;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.transport.Peer;
import io.hifadhi.node.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Hot objects and the chunk cache on the read path of one node.
 * <ul>
 * <li><b>Metering</b>: every client read of a chunked object through this node is offered to a {@link SpaceSaving}
 * sketch (64 counters, decayed every second), so the read rates of the heaviest objects are known in fixed memory.</li>
 * <li><b>Spreading</b>: an object read faster than the hot rate (a quarter of it while this node is loaded) gets
 * {@code extraCopies} copies of each chunk on the chunk's ring neighbours past its replicas (the fallbacks of its
 * preference list, the same nodes whoever spreads), each with a lease this node renews while the object stays above
 * half the hot rate. The holders are announced to every member, which keeps them in a {@link HolderTable} until the
 * lease ends. A holder drops a copy whose lease ran out, and a read-through copy nobody read for the cool-down: the
 * extra copies go when the object cools, even if the node that spread it died.</li>
 * <li><b>Reading</b>: this node's disk first (replica or cache), else the replicas and announced holders, the first
 * one asked chosen by the power of two choices on gossiped load ({@link HolderChoice}); a chunk fetched from a peer
 * for a client, on a node that is no replica of it, stays in the cache (read-through).</li>
 * </ul>
 * Why a holder table fed by direct notices and not gossip: the membership metadata every member gossips is small and
 * sent to all on every change; per-chunk holder lists would bloat it. A notice reaches every member in one round trip,
 * and its lease means a lost notice or a dead spreader leaves no holder listed for longer than a lease.
 */
public final class HotObjects implements ExtraCopies, CacheControl, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HotObjects.class);
    private static final long TICK_MILLIS = 1_000;
    /** Counts decay with a 2 s time constant: a flash crowd shows within a few seconds, one burst fades as fast. */
    private static final double DECAY = Math.exp(-TICK_MILLIS / 2_000.0);
    private static final int SKETCH_COUNTERS = 64;
    private static final int HOT_CANDIDATES = 16;
    /** A huge object spreads its first chunks only: the cache is bounded, and its head is what most readers want. */
    private static final int MAX_CHUNKS_SPREAD = 256;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private record ObjectId(String bucket, String key, VersionStamp version) {
    }

    /** An object this node spreads: its chunks, how many extra copies, until when it counts as hot. */
    private static final class Hot {
        final ObjectId id;
        final List<ChunkRef> chunks;
        int copies;
        long hotUntil;
        long renewedAt;
        final Map<String, List<String>> holders = new ConcurrentHashMap<>();

        Hot(ObjectId id, List<ChunkRef> chunks, int copies) {
            this.id = id;
            this.chunks = chunks.size() > MAX_CHUNKS_SPREAD ? List.copyOf(chunks.subList(0, MAX_CHUNKS_SPREAD)) : chunks;
            this.copies = copies;
        }
    }

    /** Looks up an object's newest live record (as a read would), for explicit cache requests. */
    @FunctionalInterface
    public interface RecordLookup {
        Optional<ObjectRecord> record(String bucket, String key) throws IOException;
    }

    private final ChunkCache cache;
    private final CacheSettings settings;
    private final Replication replication;
    private final Supplier<ClusterView> view;
    private final RecordLookup records;
    private final DoubleSupplier requestRate;
    private final LongSupplier clock;
    private final String localId;
    private final SpaceSaving<ObjectId> sketch = new SpaceSaving<>(SKETCH_COUNTERS);
    /** The chunk lists of the objects the sketch tracks (kept to its keys, so as bounded as it). */
    private final Map<ObjectId, List<ChunkRef>> chunksOf = new ConcurrentHashMap<>();
    private final Map<ObjectId, Hot> hot = new ConcurrentHashMap<>();
    private final HolderTable holders;
    /** Leases of the extra copies this node holds for others: chunk id -> until when. */
    private final Map<String, Long> leases = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    /**
     * Writes read-through copies to the cache off the read path. Two waiting at most (each holds a chunk in memory);
     * past that a copy is not cached: the reader never waits for the cache's disk.
     */
    private final ThreadPoolExecutor filler;
    private final LongAdder pushedChunks = new LongAdder();
    private final LongAdder expiredCopies = new LongAdder();

    public HotObjects(ChunkCache cache, CacheSettings settings, Replication replication, Supplier<ClusterView> view,
                      RecordLookup records, DoubleSupplier requestRate, LongSupplier clock) {
        this.cache = cache;
        this.settings = settings;
        this.replication = replication;
        this.view = view;
        this.records = records;
        this.requestRate = requestRate;
        this.clock = clock;
        this.localId = replication.transport().localId();
        this.holders = new HolderTable(65_536, clock);
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-hot-objects");
            t.setDaemon(true);
            return t;
        });
        this.filler = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(2), r -> {
            Thread t = new Thread(r, "hifadhi-cache-fill");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
    }

    /** Answers the cache messages and starts the once-a-second look at what is hot. */
    public void start() {
        Transport t = replication.transport();
        t.handle(CacheMessages.PUT, CachePut.class, this::onPut);
        t.handle(CacheMessages.HOLDERS, HolderNotice.class, this::onHolders);
        ticker.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    // ---- the read path (ExtraCopies) ----

    @Override
    public Optional<byte[]> cached(ChunkRef ref) {
        return cache.capacity() == 0 ? Optional.empty() : cache.read(ref);
    }

    @Override
    public boolean hasCached(String chunkId) {
        return cache.capacity() > 0 && cache.contains(chunkId);
    }

    @Override
    public void fetchedForClient(ChunkRef ref, byte[] bytes) {
        if (cache.capacity() > 0 && !cache.contains(ref.id())) {
            filler.execute(() -> cache.keepChecked(ref.id(), bytes));
        }
    }

    @Override
    public List<String> readOrder(ClusterView v, List<String> walk, int n, String chunkId) {
        return HolderChoice.order(walk, n, holders.holders(chunkId), id -> !id.equals(localId) && v.isReachable(id),
                id -> load(v, id), ThreadLocalRandom.current());
    }

    /**
     * A member's gossiped load: bytes it sent per second (to clients, and chunks to peers), plus a little per request
     * so that ties between idle nodes break.
     */
    private static double load(ClusterView v, String id) {
        LoadDigest l = v.member(id).map(m -> m.metadata().load()).orElse(LoadDigest.IDLE);
        return l.bytesOutPerSecond() + 1024 * l.requestsPerSecond();
    }

    @Override
    public void objectRead(ObjectRecord record) {
        if (record.chunks().isEmpty()) {
            return;
        }
        ObjectId id = new ObjectId(record.bucket(), record.key(), record.version());
        ObjectId displaced = sketch.offer(id, 1);
        if (displaced != null) {
            chunksOf.remove(displaced);
        }
        chunksOf.putIfAbsent(id, record.chunks());
    }

    // ---- explicit requests (CacheControl) ----

    @Override
    public Optional<CacheOutcome> cache(String bucket, String key, int copies) throws IOException {
        Optional<ObjectRecord> found = records.record(bucket, key);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ObjectRecord record = found.get();
        if (record.chunks().isEmpty()) {
            return Optional.of(new CacheOutcome(0, 0, List.of()));
        }
        ObjectId id = new ObjectId(bucket, key, record.version());
        Hot h = hot.computeIfAbsent(id, k -> new Hot(k, record.chunks(), copies));
        synchronized (h) {
            h.copies = Math.max(h.copies, copies);
            h.hotUntil = Math.max(h.hotUntil, clock.getAsLong() + settings.coolDown().toMillis());
            spread(h);
        }
        Set<String> all = new LinkedHashSet<>();
        int placed = 0;
        for (List<String> held : h.holders.values()) {
            all.addAll(held);
            placed += held.size();
        }
        return Optional.of(new CacheOutcome(record.chunks().size(), placed, new ArrayList<>(all)));
    }

    // ---- the periodic look ----

    void tick() {
        try {
            long now = clock.getAsLong();
            sketch.decay(DECAY);
            chunksOf.keySet().removeIf(id -> sketch.estimate(id) == 0);
            if (settings.hotSpreading()) {
                boolean busy = requestRate.getAsDouble() >= settings.busyRequestsPerSecond();
                for (SpaceSaving.Estimate<ObjectId> e : sketch.top(HOT_CANDIDATES)) {
                    // Offered once per read and decayed once per tick: a steady r reads/s settles at r / (1 - DECAY).
                    double rate = (e.count() - e.error()) * (1 - DECAY) * 1000.0 / TICK_MILLIS;
                    Hot h = hot.get(e.key());
                    double bar = h != null ? settings.hotReadsPerSecond() / 2
                            : busy ? settings.hotReadsPerSecond() / 4 : settings.hotReadsPerSecond();
                    if (rate < bar) {
                        continue;
                    }
                    if (h == null) {
                        List<ChunkRef> chunks = chunksOf.get(e.key());
                        if (chunks == null) {
                            continue;
                        }
                        h = hot.computeIfAbsent(e.key(), k -> new Hot(k, chunks, settings.extraCopies()));
                        LOG.info("{}/{} is hot here ({} reads/s): spreading {} extra copies", e.key().bucket(), e.key().key(),
                                Math.round(rate), h.copies);
                    }
                    synchronized (h) {
                        h.hotUntil = now + settings.coolDown().toMillis();
                    }
                }
            }
            for (Hot h : hot.values()) {
                synchronized (h) {
                    if (now >= h.hotUntil) {
                        hot.remove(h.id);
                        LOG.info("{}/{} cooled down: its extra copies go when their leases end", h.id.bucket(), h.id.key());
                    } else if (h.holders.isEmpty() || now - h.renewedAt >= renewEvery()) {
                        spread(h);
                    }
                }
            }
            expire(now);
        } catch (RuntimeException e) {
            LOG.warn("hot object round failed: {}", e.toString());
        }
    }

    /**
     * Drops the copies whose object cooled: those held for a spreader whose lease ended, and those kept by
     * read-through that nobody read for the cool-down (and no spreader holds a lease on).
     */
    private void expire(long now) {
        leases.forEach((chunkId, until) -> {
            if (until <= now && leases.remove(chunkId, until) && cache.drop(chunkId)) {
                expiredCopies.increment();
            }
        });
        for (String chunkId : cache.idleSince(now - settings.coolDown().toMillis())) {
            if (!leases.containsKey(chunkId) && cache.drop(chunkId)) {
                expiredCopies.increment();
            }
        }
    }

    private long renewEvery() {
        return Math.max(TICK_MILLIS, settings.coolDown().toMillis() / 3);
    }

    /** How long a copy is kept without renewal: two renewals may be missed before it goes. */
    private long lease() {
        return 2 * renewEvery() + TICK_MILLIS;
    }

    /**
     * Puts (or renews) {@code h.copies} extra copies of each chunk on its first reachable fallbacks, then tells every
     * member who holds them. Holders that already have a chunk are only asked, not sent it again.
     */
    private void spread(Hot h) {
        ClusterView v = view.get();
        long lease = lease();
        List<String> ids = new ArrayList<>();
        List<String> lists = new ArrayList<>();
        for (ChunkRef ref : h.chunks) {
            Replication.ChunkPlacement p = replication.chunkPlacement(ref.id());
            List<String> held = new ArrayList<>();
            byte[] bytes = null;
            for (String target : p.fallbacks()) {
                if (held.size() >= h.copies) {
                    break;
                }
                if (!target.equals(localId) && !v.isReachable(target)) {
                    continue;
                }
                try {
                    boolean has = ask(v, target, new CachePut(ref.id(), null, lease));
                    if (!has) {
                        if (bytes == null) {
                            bytes = replication.chunkBytes(ref);
                        }
                        has = ask(v, target, new CachePut(ref.id(), bytes, lease));
                        if (has) {
                            pushedChunks.increment();
                        }
                    }
                    if (has) {
                        held.add(target);
                    }
                } catch (IOException e) {
                    LOG.debug("extra copy of chunk {} on {} failed: {}", ref.id(), target, e.getMessage());
                }
            }
            h.holders.put(ref.id(), held);
            if (!held.isEmpty()) {
                ids.add(ref.id());
                lists.add(String.join(",", held));
            }
        }
        h.renewedAt = clock.getAsLong();
        if (ids.isEmpty()) {
            return;
        }
        HolderNotice notice = new HolderNotice(ids.toArray(String[]::new), lists.toArray(String[]::new), lease);
        onHolders(notice);
        for (Member m : v.reachable()) {
            if (!m.id().equals(localId)) {
                replication.transport().request(new Peer(m.id(), m.clusterAddress()), CacheMessages.HOLDERS, notice,
                        CacheReply.class, REQUEST_TIMEOUT).whenComplete((r, e) -> {
                            if (e != null) {
                                LOG.debug("holder notice to {} failed: {}", m.id(), e.toString());
                            }
                        });
            }
        }
    }

    private boolean ask(ClusterView v, String target, CachePut put) throws IOException {
        Member m = v.member(target).orElseThrow(() -> new IOException("unknown member " + target));
        CompletableFuture<CacheReply> f = replication.transport().request(new Peer(target, m.clusterAddress()),
                CacheMessages.PUT, put, CacheReply.class, REQUEST_TIMEOUT);
        try {
            return f.get(2 * REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).held();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(Transport.unwrap(e).getMessage());
        }
    }

    // ---- handlers ----

    private CacheReply onPut(CachePut put) {
        if (!ChunkCache.isChunkId(put.chunkId()) || put.leaseMillis() <= 0) {
            return new CacheReply(false);
        }
        boolean held = put.bytes() == null ? cache.contains(put.chunkId()) : cache.fill(put.chunkId(), put.bytes());
        if (held) {
            leases.merge(put.chunkId(), clock.getAsLong() + Math.min(put.leaseMillis(), Duration.ofHours(1).toMillis()), Math::max);
        }
        return new CacheReply(held);
    }

    private CacheReply onHolders(HolderNotice notice) {
        long until = clock.getAsLong() + Math.min(notice.ttlMillis(), Duration.ofHours(1).toMillis());
        for (int i = 0; i < notice.chunkIds().length && i < notice.holders().length; i++) {
            if (ChunkCache.isChunkId(notice.chunkIds()[i])) {
                holders.announce(notice.chunkIds()[i], List.of(notice.holders()[i].split(",")), until);
            }
        }
        return new CacheReply(true);
    }

    // ---- figures ----

    /** Objects this node currently spreads. */
    public int hotObjects() {
        return hot.size();
    }

    /** The objects this node currently spreads, with their copies and the nodes holding them, by bucket and key. */
    public List<HotObject> list() {
        List<HotObject> out = new ArrayList<>();
        for (Hot h : hot.values()) {
            TreeSet<String> holding = new TreeSet<>();
            h.holders.values().forEach(holding::addAll);
            out.add(new HotObject(h.id.bucket(), h.id.key(), h.copies,
                    h.chunks.size(), List.copyOf(holding), h.hotUntil));
        }
        out.sort(Comparator.comparing(HotObject::bucket)
                .thenComparing(HotObject::key));
        return out;
    }

    /** Chunk copies this node sent to neighbours (not counting renewals of copies they still held). */
    public long pushedChunks() {
        return pushedChunks.sum();
    }

    /** Copies this node holds for spreaders under a lease not yet ended. */
    public int leasedCopies() {
        return leases.size();
    }

    /** Cached copies this node dropped because their object cooled (lease ended, or unread for the cool-down). */
    public long expiredCopies() {
        return expiredCopies.sum();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        filler.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
            filler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
