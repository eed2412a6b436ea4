package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.replication.Messages.ChunkPut;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ChunkStore;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.ring.KeyHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Keeps the chunk files of this node's chunk inventory on disk: each pass stats the files of up to
 * {@link #CHECKS_PER_PASS} inventory entries (resuming where the last pass stopped) for which this node is
 * one of the N replicas, and fetches a missing or truncated one from another holder (at most
 * {@link #BYTES_PER_PASS} per pass). Entries reach the inventory when a replica's copy is written and from
 * peers by anti-entropy; the first pass after a start also adds every chunk file found on disk, so a data
 * directory of an earlier release (which had no inventory) gets one.
 */
final class ChunkKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkKeeper.class);
    private static final HexFormat HEX = HexFormat.of();
    static final int CHECKS_PER_PASS = 50_000;
    static final long BYTES_PER_PASS = 64L << 20;

    private final Replication c;
    private final RecordStore records;
    private final ChunkStore chunks;
    private final TransferRate rate;
    private final java.util.concurrent.atomic.AtomicLong bytesRestored = new java.util.concurrent.atomic.AtomicLong();
    private String cursor;
    /**
     * Anti-entropy round in which the sweep under way started, and in which the last complete sweep did: one after
     * which every owned chunk of the inventory it walked was on disk, found there or restored by it.
     */
    private long sweepStartedRound = -1;
    private boolean sweepComplete;
    private volatile long completeSweepStartedRound = -1;
    private volatile long missingChunks;
    private volatile long missingBytes;
    private long sweepMissing;
    private long sweepMissingBytes;
    private boolean indexed;
    private long lastFailureLog;

    ChunkKeeper(Replication c, RecordStore records, ChunkStore chunks, TransferRate rate) {
        this.c = c;
        this.records = records;
        this.chunks = chunks;
        this.rate = rate;
    }

    /**
     * The round in which the last complete sweep of the whole inventory started: every owned chunk it walked was on
     * disk or restored by it. Chunks that were missing count as long as they were restored: under writes, inventory
     * entries pulled by anti-entropy often arrive before the chunk's own copy, and demanding a sweep that finds
     * nothing missing would keep a layout change from ever being confirmed while clients write.
     */
    long completeSweepStartedRound() {
        return completeSweepStartedRound;
    }

    /** Owned chunks found missing by the last complete sweep (or the one under way, if it found more). */
    long missingChunks() {
        return missingChunks;
    }

    long missingBytes() {
        return missingBytes;
    }

    long bytesRestored() {
        return bytesRestored.get();
    }

    /** One pass in anti-entropy round {@code round}; returns whether work was left for the next. */
    boolean pass(ClusterView v, long round) throws InterruptedException {
        if (!indexed) {
            indexFiles();
            indexed = true;
        }
        if (cursor == null) {
            sweepStartedRound = round;
            sweepComplete = true;
            sweepMissing = 0;
            sweepMissingBytes = 0;
        }
        io.hifadhi.ring.Ring ring = c.placement().ring(v);
        int n = c.placement().n(ring);
        int[] idx = new int[n];
        List<ChunkRef> missing = new ArrayList<>();
        int[] checked = {0};
        String[] next = {null};
        records.forEachChunkRef(cursor, ref -> {
            if (checked[0]++ >= CHECKS_PER_PASS) {
                next[0] = ref.id();
                return false;
            }
            if (c.placement().replicates(ring, KeyHash.ofChunk(HEX.parseHex(ref.id())), c.localId(), idx) && !chunks.holdsFile(ref)) {
                missing.add(ref);
            }
            return true;
        });
        cursor = next[0];
        sweepMissing += missing.size();
        for (ChunkRef ref : missing) {
            sweepMissingBytes += ref.length();
        }
        missingChunks = Math.max(missingChunks, sweepMissing);
        missingBytes = Math.max(missingBytes, sweepMissingBytes);
        boolean sweepEnded = cursor == null;
        if (sweepEnded) {
            missingChunks = sweepMissing;
            missingBytes = sweepMissingBytes;
        }
        long bytes = 0;
        int restored = 0;
        List<String> failed = new ArrayList<>();
        for (ChunkRef ref : missing) {
            if (bytes >= BYTES_PER_PASS) {
                LOG.info("chunk keeper restored {} chunks ({} bytes) this pass; the rest next pass", restored, bytes);
                sweepComplete = false;
                return true;
            }
            try {
                List<String> walk = c.placement().walk(v, KeyHash.ofChunk(HEX.parseHex(ref.id())));
                rate.acquire(ref.length());
                byte[] good = c.chunkFetcher().fromPeers(v, walk, ref);
                c.replica().putChunk(new ChunkPut(ref.id(), good, null));
                bytes += good.length;
                bytesRestored.addAndGet(good.length);
                missingBytes = Math.max(0, missingBytes - good.length);
                missingChunks = Math.max(0, missingChunks - 1);
                restored++;
            } catch (IOException | RuntimeException e) {
                failed.add(ref.id() + " (" + e.getMessage() + ")");
            }
        }
        sweepComplete &= failed.isEmpty();
        if (sweepEnded && sweepComplete) {
            completeSweepStartedRound = sweepStartedRound;
        }
        long now = System.currentTimeMillis();
        // A chunk no reachable node can serve is retried every pass; say so at most once a minute.
        if (restored > 0 || (!failed.isEmpty() && now - lastFailureLog > 60_000)) {
            if (!failed.isEmpty()) {
                lastFailureLog = now;
            }
            LOG.info("chunk keeper restored {} missing chunks ({} bytes){}", restored, bytes,
                    failed.isEmpty() ? "" : "; could not yet restore " + failed.size() + ", first: " + failed.get(0));
        }
        return cursor != null;
    }

    private void indexFiles() {
        List<ChunkRef> batch = new ArrayList<>();
        int[] added = {0};
        try {
            chunks.forEachFile(ref -> {
                try {
                    if (records.chunkRef(ref.id()).isEmpty()) {
                        batch.add(ref);
                        if (batch.size() >= 1024) {
                            records.addChunkRefs(batch);
                            added[0] += batch.size();
                            batch.clear();
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            records.addChunkRefs(batch);
            added[0] += batch.size();
            if (added[0] > 0) {
                LOG.info("chunk inventory: added {} chunk files found on disk", added[0]);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("chunk inventory: could not index the chunk files: {}", e.toString());
        }
    }
}
