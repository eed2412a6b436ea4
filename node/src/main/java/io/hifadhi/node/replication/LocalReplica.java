package io.hifadhi.node.replication;

import io.hifadhi.api.store.CorruptDataException;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.replication.Messages.ChunkData;
import io.hifadhi.node.replication.Messages.ChunkGet;
import io.hifadhi.node.replication.Messages.ChunkHas;
import io.hifadhi.node.replication.Messages.ChunkHave;
import io.hifadhi.node.replication.Messages.ChunkPut;
import io.hifadhi.node.replication.Messages.RecordBatch;
import io.hifadhi.node.replication.Messages.RecordGet;
import io.hifadhi.node.replication.Messages.RecordPut;
import io.hifadhi.node.replication.Messages.RecordReply;
import io.hifadhi.node.replication.Messages.RecordScan;
import io.hifadhi.node.schema.LocalMerge;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ChunkStore;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.storage.RecordSchema;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.node.transport.ChunkStreamServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node as a replica: answers the replication messages against its own chunk store, record
 * store and hint store. Every acknowledged write is durable (fsynced chunk file, synced WAL).
 */
final class LocalReplica {
    private static final Logger LOG = LoggerFactory.getLogger(LocalReplica.class);
    private static final HexFormat HEX = HexFormat.of();

    private final String localId;
    private final ChunkStore chunks;
    private final RecordStore records;
    private final RecordCodec codec;
    private final HintStore hints;
    private final HybridLogicalClock clock;
    private final LocalMerge<ObjectRecord> local;
    private final LongAdder chunkReadBytes = new LongAdder();
    private volatile ExtraCopies extraCopies = ExtraCopies.NONE;

    LocalReplica(String localId, ChunkStore chunks, RecordStore records, RecordCodec codec, HintStore hints,
                 HybridLogicalClock clock) {
        this.localId = localId;
        this.chunks = chunks;
        this.records = records;
        this.codec = codec;
        this.hints = hints;
        this.clock = clock;
        this.local = new LocalMerge<>(new RecordSchema(codec), records);
    }

    Ack putChunk(ChunkPut put) throws IOException {
        return putChunk(new ChunkRef(put.chunkId(), put.bytes().length), put.bytes(), put.hintFor(), false);
    }

    /** This node's own copy of a chunk it cut from an upload and named itself: written without hashing it again. */
    Ack putOwnChunk(ChunkRef ref, byte[] bytes) throws IOException {
        return putChunk(ref, bytes, null, true);
    }

    private Ack putChunk(ChunkRef ref, byte[] bytes, String hintFor, boolean named) throws IOException {
        // A good copy that is already here is touched (put again): a new reference to it is coming, so the collector
        // must keep it. If the collector deleted it between the check and the touch, it is written anew.
        if (!(holdsGood(ref) && chunks.touch(ref))) {
            // The writer hashes as it writes and files the chunk under the hash of what arrived; a damaged
            // transfer therefore lands under another (correct) name and is refused here, never acknowledged.
            ChunkRef written;
            try (ChunkStore.ChunkWriter writer = named ? chunks.newWriter(ref) : chunks.newWriter()) {
                writer.write(bytes, 0, bytes.length);
                written = writer.finish();
            }
            if (!written.id().equals(ref.id())) {
                throw new IOException("chunk " + ref.id() + " arrived damaged (SHA-256 mismatch); not acknowledged");
            }
        }
        if (hintFor != null && !hintFor.equals(localId)) {
            hints.add(hintFor, HintStore.Kind.CHUNK, (ref.id() + ":" + ref.length()).getBytes(StandardCharsets.UTF_8));
        } else if (records.chunkRef(ref.id()).isEmpty()) {
            // A replica's copy: it joins the inventory anti-entropy compares and the chunk keeper checks on disk.
            records.addChunkRefs(List.of(ref));
        }
        return new Ack(true, false);
    }

    private boolean holdsGood(ChunkRef ref) {
        if (!chunks.contains(ref.id())) {
            return false;
        }
        try {
            chunks.verify(ref);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The collector's write barrier on this node: marks the chunks held here as put now. */
    ChunkHave touch(Messages.ChunkTouch touch) throws IOException {
        boolean[] held = new boolean[touch.chunkIds().length];
        for (int i = 0; i < held.length; i++) {
            held[i] = chunks.touch(new ChunkRef(touch.chunkIds()[i], touch.lengths()[i]));
        }
        return new ChunkHave(held);
    }

    ChunkData getChunk(ChunkGet get) {
        return ChunkData.of(readForRequest(new ChunkRef(get.chunkId(), get.length())).orElse(null));
    }

    /**
     * For a peer's fetch over the chunk data port: the replica's file as it is with its block CRCs (the receiver checks
     * them), else the copy read with checks (its CRC file was missing or damaged, and is mended by that read) or the
     * cached one; counted as read. Empty when this node holds no good copy.
     */
    Optional<ChunkStreamServer.Outgoing> openForPeer(String id, int length) throws IOException {
        ChunkRef ref = new ChunkRef(id, length);
        Optional<ChunkStore.ChunkFile> file = chunks.openForTransfer(ref);
        if (file.isPresent()) {
            chunkReadBytes.add(length);
            ChunkStore.ChunkFile f = file.get();
            return Optional.of(ChunkStreamServer.Outgoing.ofFile(f.channel(), length, f.blockSize(), f.blockCrcs()));
        }
        return readForRequest(ref).map(ChunkStreamServer.Outgoing::ofBytes);
    }

    /** For a request (a client's read through this node, or a peer's): the replica copy, else the cached one; counted. */
    Optional<byte[]> readForRequest(ChunkRef ref) {
        Optional<byte[]> bytes = readVerified(ref.id(), ref.length());
        if (bytes.isEmpty()) {
            bytes = extraCopies.cached(ref);
        }
        bytes.ifPresent(b -> chunkReadBytes.add(b.length));
        return bytes;
    }

    /** Counts a chunk served to a client from this node's own file. */
    void countRead(ChunkRef ref) {
        chunkReadBytes.add(ref.length());
    }

    ChunkStore chunks() {
        return chunks;
    }

    /** Chunk bytes this node read from its own disk (replica copies and cache) for requests since it started. */
    long chunkReadBytes() {
        return chunkReadBytes.sum();
    }

    void extraCopies(ExtraCopies extraCopies) {
        this.extraCopies = extraCopies;
    }

    /**
     * The chunk's bytes if this node holds a copy that passes its CRC32C checks (the receiver of a copy checks its
     * SHA-256). A copy that fails is judged by SHA-256 and, when bad, deleted by the chunk store: the caller fetches
     * from a replica and this node's copy is written anew.
     */
    Optional<byte[]> readVerified(String id, int length) {
        ChunkRef ref = new ChunkRef(id, length);
        if (!chunks.contains(id)) {
            return Optional.empty();
        }
        try {
            return Optional.of(chunks.readVerified(ref));
        } catch (CorruptDataException e) {
            LOG.warn("chunk {} on this node not served: {}", id, e.getMessage());
        } catch (IOException e) {
            LOG.warn("chunk {} unreadable: {}", id, e.toString());
        }
        return Optional.empty();
    }

    ChunkHave has(ChunkHas has) {
        boolean[] held = new boolean[has.chunkIds().length];
        for (int i = 0; i < held.length; i++) {
            held[i] = chunks.contains(has.chunkIds()[i]);
        }
        return new ChunkHave(held);
    }

    Ack putRecord(RecordPut put) throws IOException {
        ObjectRecord incoming = codec.decode(put.record());
        clock.observe(incoming.version());
        Ack ack = merge(incoming);
        if (put.hintFor() != null && !put.hintFor().equals(localId)) {
            hints.add(put.hintFor(), HintStore.Kind.RECORD, put.record());
        }
        return ack;
    }

    /** Stores {@code incoming} if it wins over the version held (last writer wins); durable on return. */
    Ack merge(ObjectRecord incoming) throws IOException {
        LocalMerge.Merged<ObjectRecord> merged = local.merge(incoming);
        return new Ack(merged.stored(), merged.previous() != null && !merged.previous().deleted());
    }

    /** This node's copy of the records, changed only by merging (writes, repairs, anti-entropy, hand-overs). */
    LocalMerge<ObjectRecord> records() {
        return local;
    }

    /** Drops {@code handedOver} unless a newer version arrived since it was handed to its owners. */
    boolean dropHandedOver(ObjectRecord handedOver) throws IOException {
        return local.dropIf(RecordStore.keyOf(handedOver.bucket(), handedOver.key()), r -> r.version().equals(handedOver.version()));
    }

    RecordReply getRecord(RecordGet get) throws IOException {
        ObjectRecord held = record(get.bucket(), get.key());
        return new RecordReply(held == null ? null : codec.encode(held));
    }

    /** The record this node holds of an object, a tombstone included; null for none. */
    ObjectRecord record(String bucket, String key) throws IOException {
        return records.get(bucket, key).orElse(null);
    }

    /** A page of a listing scan: records in key order (tombstones included), and whether more follow. */
    record Page(List<ObjectRecord> records, boolean truncated) {
    }

    RecordBatch scan(RecordScan scan) {
        Page page = scanRecords(scan);
        byte[][] out = new byte[page.records().size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = codec.encode(page.records().get(i));
        }
        return new RecordBatch(out, page.truncated());
    }

    Page scanRecords(RecordScan scan) {
        int limit = Math.max(1, Math.min(scan.limit(), 10_000));
        List<ObjectRecord> found = records.scanWithTombstones(scan.bucket(), scan.prefix(), scan.startAfter(), limit + 1);
        boolean truncated = found.size() > limit;
        return new Page(truncated ? found.subList(0, limit) : found, truncated);
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
