package io.hifadhi.node.storage;

import io.hifadhi.node.schema.EntryStore;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

import org.rocksdb.WriteBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Object records in the node database's {@code records} family, keyed {@code bucket 0x00 key} (UTF-8) so a
 * bucket's keys sort together in key order, and the node's chunk inventory in {@code chunk-refs}. Writes go
 * through the WAL with sync=true (unless fsync is disabled), so a record is on disk before {@link #putAll} returns. It
 * never merges: the replica merges through {@link io.hifadhi.node.schema.LocalMerge} ({@link RecordSchema}).
 */
public final class RecordStore implements EntryStore<ObjectRecord> {
    private final RocksDB db;
    private final WriteOptions writeOptions;
    private final ColumnFamilyHandle records;
    /**
     * The chunks this node was given to hold as one of their N replicas (key = the 32-byte SHA-256, value = the
     * length as 4 bytes). It is the node's chunk inventory as it should be, kept apart from the files, so a
     * chunk file lost on disk is noticed and fetched again, and replicas compare inventories (anti-entropy).
     */
    private final ColumnFamilyHandle chunkRefs;
    /** Object records written (a batch counts each), for the write-amplification metric. */
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    private final RecordCodec codec;
    /** Records read, kept decoded: this store is the only writer of its family, so it sees every write to end them. */
    private final KeptEntries<ObjectRecord> kept;

    /** Keeps records read within 1/16 of the heap, at most 64 MiB. */
    public RecordStore(NodeDatabase database, RecordCodec codec) {
        this(database, codec, Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16));
    }

    public RecordStore(NodeDatabase database, RecordCodec codec, long keptBytes) {
        this.db = database.db();
        this.writeOptions = database.writeOptions();
        this.records = database.family(NodeDatabase.Family.RECORDS);
        this.chunkRefs = database.family(NodeDatabase.Family.CHUNK_REFS);
        this.codec = codec;
        this.kept = new KeptEntries<>(4096, keptBytes,
                r -> 256 + (r.inline() == null ? 0 : r.inline().length) + 48L * r.chunks().size());
    }

    public Optional<ObjectRecord> get(String bucket, String key) throws IOException {
        return get(keyOf(bucket, key));
    }

    /** How many object records this node has written since it started (every version, every replica's copy). */
    public long writes() {
        return writes.get();
    }

    /** Deletes records outright (synced): tombstones every replica holds, past the grace; a stand-in's delivered copy. */
    @Override
    public void deleteAll(List<byte[]> keys) throws IOException {
        try (WriteBatch wb = new WriteBatch()) {
            for (byte[] k : keys) {
                wb.delete(records, k);
            }
            db.write(writeOptions, wb);
        } catch (RocksDBException e) {
            throw new IOException("record delete failed: " + e.getMessage(), e);
        } finally {
            keys.forEach(kept::written);
        }
    }

    /** The record stored under a database key ({@link #keyOf}), or empty. */
    @Override
    public Optional<ObjectRecord> get(byte[] dbKey) throws IOException {
        return kept.get(dbKey, () -> {
            try {
                byte[] v = db.get(records, dbKey);
                return v == null ? Optional.empty() : Optional.of(codec.decode(v));
            } catch (RocksDBException e) {
                throw new IOException("record read failed: " + e.getMessage(), e);
            }
        });
    }

    /** Merges nothing: writes every record in one synced batch (the caller decided they win). */
    @Override
    public void putAll(List<ObjectRecord> batch) throws IOException {
        List<byte[]> keys = new ArrayList<>(batch.size());
        try (WriteBatch wb = new WriteBatch()) {
            for (ObjectRecord r : batch) {
                byte[] key = keyOf(r.bucket(), r.key());
                keys.add(key);
                wb.put(records, key, codec.encode(r));
            }
            db.write(writeOptions, wb);
            writes.addAndGet(batch.size());
        } catch (RocksDBException e) {
            throw new IOException("record write failed: " + e.getMessage(), e);
        } finally {
            keys.forEach(kept::written);
        }
    }

    /** Visits every record, tombstones included, in key order (anti-entropy builds its digests from this). */
    @Override
    public void forEach(Consumer<ObjectRecord> visitor) {
        try (RocksIterator it = db.newIterator(records)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                visitor.accept(codec.decode(it.value()));
            }
        }
    }

    /** Whether this node holds no record (tombstones included) and no chunk in its inventory. */
    public boolean isEmpty() {
        try (RocksIterator recs = db.newIterator(records); RocksIterator refs = db.newIterator(chunkRefs)) {
            recs.seekToFirst();
            refs.seekToFirst();
            return !recs.isValid() && !refs.isValid();
        }
    }

    /** Removes chunks from the inventory (their files are the caller's business). */
    public void dropChunkRefs(List<String> ids) throws IOException {
        try (WriteBatch wb = new WriteBatch()) {
            for (String id : ids) {
                wb.delete(chunkRefs, Hex.parse(id));
            }
            db.write(writeOptions, wb);
        } catch (RocksDBException e) {
            throw new IOException("chunk inventory write failed: " + e.getMessage(), e);
        }
    }

    /** Adds chunks to this node's inventory of chunks it holds as a replica (one synced batch). */
    public void addChunkRefs(List<ChunkRef> refs) throws IOException {
        try (WriteBatch wb = new WriteBatch()) {
            for (ChunkRef r : refs) {
                wb.put(chunkRefs, Hex.parse(r.id()), ByteBuffer.allocate(4).putInt(r.length()).array());
            }
            db.write(writeOptions, wb);
        } catch (RocksDBException e) {
            throw new IOException("chunk inventory write failed: " + e.getMessage(), e);
        }
    }

    public Optional<ChunkRef> chunkRef(String id) throws IOException {
        try {
            byte[] v = db.get(chunkRefs, Hex.parse(id));
            return v == null ? Optional.empty() : Optional.of(new ChunkRef(id, ByteBuffer.wrap(v).getInt()));
        } catch (RocksDBException e) {
            throw new IOException("chunk inventory read failed: " + e.getMessage(), e);
        }
    }

    /** Visits the chunk inventory in id order from {@code fromId} (inclusive; null for the start) until the visitor returns false. */
    public void forEachChunkRef(String fromId, Predicate<ChunkRef> visitor) {
        try (RocksIterator it = db.newIterator(chunkRefs)) {
            if (fromId == null) {
                it.seekToFirst();
            } else {
                it.seek(Hex.parse(fromId));
            }
            for (; it.isValid(); it.next()) {
                if (!visitor.test(new ChunkRef(Hex.of(it.key()), ByteBuffer.wrap(it.value()).getInt()))) {
                    return;
                }
            }
        }
    }

    /**
     * Live records of a bucket with keys starting with {@code prefix} and greater than
     * {@code startAfter}, at most {@code limit}; tombstones are skipped.
     */
    public List<ObjectRecord> scan(String bucket, String prefix, String startAfter, int limit) {
        return scan(bucket, prefix, startAfter, limit, false);
    }

    /** As {@link #scan}, but tombstones count and are returned too (replicas merge them by version). */
    public List<ObjectRecord> scanWithTombstones(String bucket, String prefix, String startAfter, int limit) {
        return scan(bucket, prefix, startAfter, limit, true);
    }

    private List<ObjectRecord> scan(String bucket, String prefix, String startAfter, int limit, boolean tombstones) {
        byte[] prefixKey = keyOf(bucket, prefix);
        byte[] start = startAfter != null && startAfter.compareTo(prefix) >= 0 ? keyOf(bucket, startAfter) : prefixKey;
        List<ObjectRecord> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator(records)) {
            for (it.seek(start); it.isValid() && out.size() < limit; it.next()) {
                byte[] k = it.key();
                if (!startsWith(k, prefixKey)) {
                    break;
                }
                if (startAfter != null && Arrays.equals(k, start) && start != prefixKey) {
                    continue;
                }
                ObjectRecord r = codec.decode(it.value());
                if (tombstones || !r.deleted()) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** The database key of a record: {@code bucket 0x00 key} in UTF-8 (also how anti-entropy names a record). */
    public static byte[] keyOf(String bucket, String key) {
        byte[] b = bucket.getBytes(StandardCharsets.UTF_8);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1 + k.length];
        System.arraycopy(b, 0, out, 0, b.length);
        System.arraycopy(k, 0, out, b.length + 1, k.length);
        return out;
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }
}
