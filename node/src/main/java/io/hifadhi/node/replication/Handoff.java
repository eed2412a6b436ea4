package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.replication.Messages.ChunkHas;
import io.hifadhi.node.replication.Messages.ChunkHave;
import io.hifadhi.node.replication.Messages.ChunkPut;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ChunkStore;
import io.hifadhi.node.schema.LastWriterWins;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.ring.KeyHash;
import io.hifadhi.ring.Ring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands over what this node holds but no longer owns, once a layout change is done (the newest ring is the only
 * live one): for each such record and inventory chunk it asks the owners whether they hold it (a record at least as
 * new), sends it to those that do not, and drops its own copy only when W owners hold it. Nothing is dropped on the
 * word of the layout alone, so an owner that missed a transfer still gets the data from here. A leaving node is
 * drained by exactly this.
 */
final class Handoff {
    private static final Logger LOG = LoggerFactory.getLogger(Handoff.class);
    private static final HexFormat HEX = HexFormat.of();
    private static final int RECORDS_PER_PASS = 512;
    private static final int CHUNKS_PER_PASS = 1_024;
    private static final long PUSH_BYTES_PER_PASS = 64L << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Replication c;
    private final Table.ReadableReplicas<ObjectRecord> recordReplicas;
    private final RecordStore records;
    private final ChunkStore chunks;
    private final TransferRate rate;
    private final AtomicLong bytesPushed = new AtomicLong();
    private volatile long entriesLeft;
    private volatile long bytesLeft;

    Handoff(Replication c, Table.ReadableReplicas<ObjectRecord> recordReplicas, RecordStore records, ChunkStore chunks,
            TransferRate rate) {
        this.c = c;
        this.recordReplicas = recordReplicas;
        this.records = records;
        this.chunks = chunks;
        this.rate = rate;
    }

    long bytesPushed() {
        return bytesPushed.get();
    }

    long entriesLeft() {
        return entriesLeft;
    }

    long bytesLeft() {
        return bytesLeft;
    }

    /** One pass over the newest ring {@code ring} (no layout change under way); returns whether work was left for the next. */
    boolean pass(ClusterView v, Ring ring) throws InterruptedException {
        String me = c.localId();
        int[] scratch = new int[c.placement().n(ring)];
        List<ObjectRecord> foreignRecords = new ArrayList<>();
        long[] counts = new long[2];
        records.forEach(r -> {
            if (!c.placement().replicates(ring, KeyHash.ofObject(r.bucket(), r.key()), me, scratch)) {
                counts[0]++;
                if (foreignRecords.size() < RECORDS_PER_PASS) {
                    foreignRecords.add(r);
                }
            }
        });
        List<ChunkRef> foreignChunks = new ArrayList<>();
        records.forEachChunkRef(null, ref -> {
            if (!c.placement().replicates(ring, KeyHash.ofChunk(HEX.parseHex(ref.id())), me, scratch)) {
                counts[0]++;
                counts[1] += ref.length();
                if (foreignChunks.size() < CHUNKS_PER_PASS) {
                    foreignChunks.add(ref);
                }
            }
            return true;
        });
        entriesLeft = counts[0];
        bytesLeft = counts[1];
        if (counts[0] == 0) {
            return false;
        }
        int droppedRecords = handOverRecords(v, ring, foreignRecords);
        int droppedChunks = handOverChunks(v, ring, foreignChunks);
        if (droppedRecords + droppedChunks > 0) {
            LOG.info("handed over {} records and {} chunks to their owners; {} entries left to hand over",
                    droppedRecords, droppedChunks, Math.max(0, counts[0] - droppedRecords - droppedChunks));
        }
        return counts[0] > droppedRecords + droppedChunks;
    }

    private int handOverRecords(ClusterView v, Ring ring, List<ObjectRecord> foreign) {
        int w = c.placement().w(ring);
        int dropped = 0;
        for (ObjectRecord mine : foreign) {
            List<String> owners = c.placement().walk(ring, KeyHash.ofObject(mine.bucket(), mine.key())).subList(0, c.placement().n(ring));
            byte[] key = RecordStore.keyOf(mine.bucket(), mine.key());
            Map<String, CompletableFuture<ObjectRecord>> asked = new HashMap<>();
            for (String owner : owners) {
                if (v.isReachable(owner)) {
                    asked.put(owner, recordReplicas.get(v, owner, key));
                }
            }
            int holding = 0;
            byte[] encoded = null;
            List<CompletableFuture<Ack>> pushes = new ArrayList<>();
            for (Map.Entry<String, CompletableFuture<ObjectRecord>> e : asked.entrySet()) {
                ObjectRecord theirs;
                try {
                    theirs = e.getValue().join();
                } catch (RuntimeException failed) {
                    continue;
                }
                if (theirs != null && !LastWriterWins.replaces(mine, theirs)) {
                    holding++;
                } else {
                    // Encoded once for all the owners that lack it.
                    encoded = encoded == null ? c.codec().encode(mine) : encoded;
                    byte[] bytes = encoded;
                    pushes.add(recordReplicas.put(v, e.getKey(), mine, () -> bytes, null));
                }
            }
            for (CompletableFuture<Ack> p : pushes) {
                try {
                    p.join();
                    holding++;
                } catch (RuntimeException failed) {
                    LOG.debug("hand-over of {}/{} failed: {}", mine.bucket(), mine.key(), failed.toString());
                }
            }
            if (holding >= w) {
                try {
                    dropped += c.replica().dropHandedOver(mine) ? 1 : 0;
                } catch (IOException e) {
                    LOG.warn("could not drop handed-over record {}/{}: {}", mine.bucket(), mine.key(), e.toString());
                }
            }
        }
        return dropped;
    }

    private int handOverChunks(ClusterView v, Ring ring, List<ChunkRef> foreign) throws InterruptedException {
        if (foreign.isEmpty()) {
            return 0;
        }
        int n = c.placement().n(ring);
        int w = c.placement().w(ring);
        Map<String, List<String>> ownersOf = new HashMap<>();
        Map<String, List<String>> askedOf = new HashMap<>();
        for (ChunkRef ref : foreign) {
            List<String> owners = c.placement().walk(ring, KeyHash.ofChunk(HEX.parseHex(ref.id()))).subList(0, n);
            ownersOf.put(ref.id(), owners);
            for (String owner : owners) {
                if (v.isReachable(owner)) {
                    askedOf.computeIfAbsent(owner, k -> new ArrayList<>()).add(ref.id());
                }
            }
        }
        Map<String, java.util.Set<String>> holders = new HashMap<>();
        for (Map.Entry<String, List<String>> e : askedOf.entrySet()) {
            try {
                String[] ids = e.getValue().toArray(String[]::new);
                boolean[] held = ReplicatedObjectStore.await(c.request(v, e.getKey(), Messages.CHUNK_HAS, new ChunkHas(ids),
                        ChunkHave.class, TIMEOUT)).held();
                for (int i = 0; i < ids.length; i++) {
                    if (held[i]) {
                        holders.computeIfAbsent(ids[i], k -> new java.util.HashSet<>()).add(e.getKey());
                    }
                }
            } catch (IOException | RuntimeException failed) {
                LOG.debug("hand-over: {} did not say which chunks it holds: {}", e.getKey(), failed.toString());
            }
        }
        List<String> drop = new ArrayList<>();
        long pushed = 0;
        for (ChunkRef ref : foreign) {
            java.util.Set<String> have = holders.getOrDefault(ref.id(), java.util.Set.of());
            int holding = have.size();
            if (holding < w && pushed < PUSH_BYTES_PER_PASS) {
                Optional<byte[]> bytes = c.replica().readVerified(ref.id(), ref.length());
                if (bytes.isEmpty()) {
                    // This copy is gone or bad: nothing to hand over; the owners repair from elsewhere.
                    drop.add(ref.id());
                    continue;
                }
                for (String owner : ownersOf.get(ref.id())) {
                    if (have.contains(owner) || !v.isReachable(owner)) {
                        continue;
                    }
                    rate.acquire(ref.length());
                    try {
                        ReplicatedObjectStore.await(c.request(v, owner, Messages.CHUNK_PUT, new ChunkPut(ref.id(), bytes.get(), null),
                                Ack.class, Replication.CHUNK_TIMEOUT));
                        holding++;
                        pushed += ref.length();
                        bytesPushed.addAndGet(ref.length());
                    } catch (IOException | RuntimeException failed) {
                        LOG.debug("hand-over of chunk {} to {} failed: {}", ref.id(), owner, failed.toString());
                    }
                }
            }
            if (holding >= w) {
                drop.add(ref.id());
            }
        }
        if (drop.isEmpty()) {
            return 0;
        }
        try {
            records.dropChunkRefs(drop);
            for (String id : drop) {
                chunks.delete(id);
            }
        } catch (IOException e) {
            LOG.warn("could not drop handed-over chunks: {}", e.toString());
            return 0;
        }
        return drop.size();
    }
}
