package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.Member;
import io.hifadhi.node.replication.Messages.GcCollect;
import io.hifadhi.node.replication.Messages.GcCollected;
import io.hifadhi.node.replication.Messages.GcPrepare;
import io.hifadhi.node.replication.Messages.GcPrepared;
import io.hifadhi.node.replication.Messages.GcReferenced;
import io.hifadhi.node.replication.Messages.GcRefs;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ChunkReferences;
import io.hifadhi.node.storage.ChunkStore;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.node.transport.Transport;
import io.hifadhi.ring.KeyHash;
import io.hifadhi.ring.Ring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Chunk garbage collection: mark and sweep with a cluster-wide mark, run by each chunk's primary (the first of its
 * ring replicas). Chunks are shared by content and their records live elsewhere (placed by object key), so only
 * the whole cluster can say a chunk is garbage. One round over a batch of chunks:
 * <ol>
 * <li><b>prepare</b>: every member answers its wall clock {@code p} (nothing else);</li>
 * <li><b>mark</b>: every member says which of the chunks its records (live versions), its hints (chunks and
 * records it holds for others) or its uploads in progress (multipart parts) reference; each asked only after
 * every member answered the prepare;</li>
 * <li><b>sweep</b>: every member deletes those no member referenced, each under the chunk's lock and only if its
 * copy was last put more than the grace ago ({@link ChunkStore#deleteIfIdle}), no hint of its own names it, and
 * its own clock says less than half the grace passed since its {@code p}.</li>
 * </ol>
 * Every member must answer, or nothing is collected (a member that is away may hold the only live reference).
 * Each round ends with the {@link TombstoneCollector}'s step, under the same rule.
 *
 * <p><b>Why a PUT racing the collector never loses its data</b> (the write barrier): a new reference to a chunk
 * (a record, a part) is made only after the chunk was put, or touched, on a node holding it, at most a quarter of
 * the grace before the reference lands (uploads that took longer touch their chunks again:
 * {@code ChunkUpload.stagedLongAgo}; parts and multipart completions always touch). Take a member M whose copy
 * was put at {@code t} for a reference that the mark did not see. The reference landed after the mark asked its
 * holder, so after every prepare; if {@code t > p_M}, M's copy is younger than {@code p_M}, which is younger than
 * the grace at sweep time; if {@code t < p_M}, then {@code p_M - t} is under the quarter grace and M sweeps within
 * half the grace of {@code p_M}: again the copy was put less than the grace ago. Either way M keeps it. The checks
 * run under the chunk's lock, so a put cannot slip between the check and the delete; times are in the file's
 * modification time, fsynced with the touch, so they survive restarts. A member that was away and missed deletes
 * catches up because collection is decided anew each round from what every member holds then.
 *
 * <p>Costs: each batch of {@link #BATCH} candidate chunks makes every member scan its records, hints and upload
 * parts once (fine for hundreds of thousands of records; an incremental reference count would scale further).
 */
final class ChunkCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkCollector.class);
    private static final HexFormat HEX = HexFormat.of();
    /** Chunk ids per message: 4096 x 64 hex characters stays far below the smallest message bound (64 KiB + 1 MiB). */
    static final int BATCH = 4096;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Replication c;
    private final RecordStore records;
    private final ChunkStore chunks;
    private final HintStore hints;
    private final RecordCodec codec;
    private final long graceMillis;
    private final TombstoneCollector tombstones;
    private final ScheduledExecutorService loop;
    private final AtomicLong collectedChunks = new AtomicLong();
    private final AtomicLong collectedBytes = new AtomicLong();
    private volatile ChunkReferences uploads;
    private volatile Replication.CollectionCensus census = new Replication.CollectionCensus(0, 0, 0, 0);
    private volatile boolean closed;
    private long lastSkipLog;

    ChunkCollector(Replication c, RecordStore records, ChunkStore chunks, HintStore hints, RecordCodec codec, long graceMillis,
                   TombstoneCollector tombstones) {
        this.c = c;
        this.records = records;
        this.chunks = chunks;
        this.hints = hints;
        this.codec = codec;
        this.graceMillis = graceMillis;
        this.tombstones = tombstones;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-chunk-collector");
            t.setDaemon(true);
            return t;
        });
    }

    void register(Transport transport) {
        transport.handle(Messages.GC_PREPARE, GcPrepare.class, q -> new GcPrepared(System.currentTimeMillis()));
        transport.handle(Messages.GC_REFS, GcRefs.class, this::referenced);
        transport.handle(Messages.GC_COLLECT, GcCollect.class, this::collect);
    }

    /**
     * Starts collecting, now that every source of references is known. Until then this node answers no mark
     * question, so no other node collects either (it cannot know what this node's uploads reference).
     */
    void start(ChunkReferences uploadReferences) {
        this.uploads = uploadReferences;
        schedule();
    }

    /** Between rounds: a quarter of the grace, within 200 ms .. 1 min. */
    long roundPauseMillis() {
        return Math.max(200, Math.min(60_000, graceMillis / 4));
    }

    long collectedChunks() {
        return collectedChunks.get();
    }

    long collectedBytes() {
        return collectedBytes.get();
    }

    Replication.CollectionCensus census() {
        return census;
    }

    private void schedule() {
        if (closed) {
            return;
        }
        try {
            loop.schedule(() -> {
                try {
                    round();
                } catch (RuntimeException e) {
                    LOG.warn("chunk collection round failed: {}", e.toString());
                } finally {
                    schedule();
                }
            }, roundPauseMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("chunk collector stopped");
        }
    }

    /** One pass over the chunks this node is primary of; returns whether it ran (every member was reachable). */
    boolean round() {
        ClusterView v = c.placement().view();
        List<String> members = new ArrayList<>();
        for (Member m : v.all()) {
            if (!m.id().equals(c.localId()) && !m.isReachable()) {
                long now = System.currentTimeMillis();
                if (now - lastSkipLog > 60_000) {
                    lastSkipLog = now;
                    LOG.info("chunk collection waits: {} is not reachable and may hold references", m.id());
                }
                return false;
            }
            members.add(m.id());
        }
        // A member the view forgot (away longer than membership remembers) may still hold references and records
        // whose tombstones must outlive its absence: only its removal from the layout ends that.
        for (io.hifadhi.node.layout.LayoutMember m : c.placement().layout().members().values()) {
            if (m.role() != io.hifadhi.node.layout.LayoutRole.REMOVED && !members.contains(m.id())) {
                long now = System.currentTimeMillis();
                if (now - lastSkipLog > 60_000) {
                    lastSkipLog = now;
                    LOG.info("chunk collection waits: {} is in the cluster layout but not seen; it may hold references", m.id());
                }
                return false;
            }
        }
        Ring ring = c.placement().ring(v);
        int n = c.placement().n(ring);
        int[] idx = new int[n];
        long[] tally = new long[4];
        Map<String, Integer> batch = new LinkedHashMap<>();
        try {
            // The inventory (chunks this node holds as a replica, or knows its peers do) in id order, then chunk files
            // that are not in it (a single node's, copies a stand-in held): whatever this node is primary of.
            String[] cursor = {null};
            boolean more = true;
            while (more && !closed) {
                batch.clear();
                more = false;
                String[] next = {null};
                records.forEachChunkRef(cursor[0], ref -> {
                    if (batch.size() == BATCH) {
                        next[0] = ref.id();
                        return false;
                    }
                    if (primary(ring, n, idx, ref.id())) {
                        batch.put(ref.id(), ref.length());
                    }
                    return true;
                });
                if (next[0] != null) {
                    cursor[0] = next[0];
                    more = true;
                }
                sweep(v, members, batch, tally, false);
            }
            // Then this node's chunk files that are in no inventory entry, whoever is primary: a single node's, a
            // stand-in's copies, copies put again while a round collected them elsewhere (the round dropped their entry).
            batch.clear();
            chunks.forEachFile(ref -> {
                try {
                    if (!closed && records.chunkRef(ref.id()).isEmpty()) {
                        batch.put(ref.id(), ref.length());
                        if (batch.size() == BATCH) {
                            sweep(v, members, batch, tally, true);
                            batch.clear();
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            sweep(v, members, batch, tally, true);
        } catch (IOException | UncheckedIOException e) {
            LOG.info("chunk collection round stopped: {}", Transport.unwrap(e).toString());
            return false;
        }
        census = new Replication.CollectionCensus(tally[0], tally[1], tally[2], tally[3]);
        try {
            tombstones.round(v, members);
        } catch (IOException | RuntimeException e) {
            LOG.info("tombstone collection stopped: {}", Transport.unwrap(e).toString());
        }
        return true;
    }

    private boolean primary(Ring ring, int n, int[] idx, String id) {
        int count = ring.preferenceIndexes(KeyHash.ofChunk(HEX.parseHex(id)), n, 0, idx);
        return count > 0 && ring.member(idx[0]).id().equals(c.localId());
    }

    private boolean replica(Ring ring, int n, int[] idx, String id) {
        int count = ring.preferenceIndexes(KeyHash.ofChunk(HEX.parseHex(id)), n, 0, idx);
        for (int i = 0; i < count; i++) {
            if (ring.member(idx[i]).id().equals(c.localId())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Prepare, mark and sweep one batch; adds live and pending chunks and bytes to {@code tally}. For files found
     * outside the inventory ({@code orphans}), those still referenced go back into the inventory where this
     * node is one of their ring replicas, so the chunk keeper and anti-entropy look after them again.
     */
    private void sweep(ClusterView v, List<String> members, Map<String, Integer> batch, long[] tally, boolean orphans)
            throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        String[] ids = batch.keySet().toArray(String[]::new);
        Map<String, Long> preparedAt = new HashMap<>();
        for (String m : members) {
            preparedAt.put(m, ReplicatedObjectStore.await(c.request(v, m, Messages.GC_PREPARE, new GcPrepare(), GcPrepared.class,
                    TIMEOUT)).wallMillis());
        }
        // Only now, with every prepare answered, may anyone be asked for references (see the class comment).
        boolean[] referenced = new boolean[ids.length];
        for (String m : members) {
            boolean[] theirs = ReplicatedObjectStore.await(c.request(v, m, Messages.GC_REFS, new GcRefs(ids), GcReferenced.class,
                    TIMEOUT)).referenced();
            for (int i = 0; i < ids.length; i++) {
                referenced[i] |= theirs[i];
            }
        }
        List<String> garbage = new ArrayList<>();
        List<ChunkRef> reindex = new ArrayList<>();
        Ring ring = c.placement().ring(v);
        int n = c.placement().n(ring);
        int[] idx = new int[n];
        for (int i = 0; i < ids.length; i++) {
            if (referenced[i]) {
                tally[0]++;
                tally[1] += batch.get(ids[i]);
                if (orphans && replica(ring, n, idx, ids[i])) {
                    reindex.add(new ChunkRef(ids[i], batch.get(ids[i])));
                }
            } else {
                garbage.add(ids[i]);
            }
        }
        records.addChunkRefs(reindex);
        if (garbage.isEmpty()) {
            return;
        }
        String[] collect = garbage.toArray(String[]::new);
        int freed = 0;
        long freedBytes = 0;
        for (String m : members) {
            try {
                GcCollected done = ReplicatedObjectStore.await(c.request(v, m, Messages.GC_COLLECT,
                        new GcCollect(collect, preparedAt.get(m)), GcCollected.class, TIMEOUT));
                freed += done.chunks();
                freedBytes += done.bytes();
            } catch (IOException | RuntimeException e) {
                // Nothing lost: that member keeps its copies until a later round.
                LOG.info("chunk collection on {} failed: {}", m, Transport.unwrap(e).toString());
            }
        }
        for (String id : collect) {
            // Unreferenced but still here: put within the grace (or named by a hint), so collected in a later round.
            if (chunks.lastPut(id).isPresent()) {
                tally[2]++;
                tally[3] += batch.get(id);
            }
        }
        if (freed > 0) {
            LOG.info("collected {} unreferenced chunk copies ({} bytes) on {} nodes", freed, freedBytes, members.size());
        }
    }

    /** Mark: which of the asked chunks anything on this node references. */
    private GcReferenced referenced(GcRefs q) {
        ChunkReferences parts = uploads;
        if (parts == null) {
            throw new IllegalStateException("this node is still starting; it cannot yet tell which chunks its uploads reference");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < q.chunkIds().length; i++) {
            index.put(q.chunkIds()[i], i);
        }
        boolean[] out = new boolean[q.chunkIds().length];
        Consumer<ChunkRef> mark = ref -> {
            Integer i = index.get(ref.id());
            if (i != null) {
                out[i] = true;
            }
        };
        records.forEach(r -> {
            if (!r.deleted()) {
                r.chunks().forEach(mark);
            }
        });
        hints.forEach(h -> {
            if (h.kind() == HintStore.Kind.CHUNK) {
                Integer i = index.get(hintedChunk(h));
                if (i != null) {
                    out[i] = true;
                }
            } else {
                ObjectRecord r = codec.decode(h.payload());
                if (!r.deleted()) {
                    r.chunks().forEach(mark);
                }
            }
        });
        parts.forEachChunk(mark);
        return new GcReferenced(out);
    }

    /** Sweep on this node: see the class comment for each condition. */
    private GcCollected collect(GcCollect q) throws IOException {
        long now = System.currentTimeMillis();
        if (now - q.preparedAt() > graceMillis / 2 || q.preparedAt() > now) {
            LOG.info("chunk collection of {} chunks refused: its round began {} ms ago, more than half the grace ({} ms)",
                    q.chunkIds().length, now - q.preparedAt(), graceMillis);
            return new GcCollected(0, 0, q.chunkIds().length);
        }
        Set<String> hinted = new HashSet<>();
        hints.forEach(h -> {
            if (h.kind() == HintStore.Kind.CHUNK) {
                hinted.add(hintedChunk(h));
            }
        });
        int deleted = 0;
        int kept = 0;
        long bytes = 0;
        for (String id : q.chunkIds()) {
            if (hinted.contains(id)) {
                kept++;
                continue;
            }
            long freed = chunks.deleteIfIdle(id, now - graceMillis);
            if (freed < 0) {
                kept++;
            } else if (freed > 0) {
                deleted++;
                bytes += freed;
            }
        }
        // Every inventory forgets them, kept copies included: an entry left on one node would come back to the others
        // by anti-entropy and their chunk keepers would fetch the garbage back, round after round. A copy kept because
        // it was put within the grace is looked at again as a file outside the inventory (see round()).
        records.dropChunkRefs(List.of(q.chunkIds()));
        collectedChunks.addAndGet(deleted);
        collectedBytes.addAndGet(bytes);
        return new GcCollected(deleted, bytes, kept);
    }

    private static String hintedChunk(HintStore.Hint h) {
        String text = new String(h.payload(), StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        return colon < 0 ? text : text.substring(0, colon);
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
