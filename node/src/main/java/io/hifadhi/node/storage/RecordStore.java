package io.hifadhi.node.storage;

import io.hifadhi.node.clock.VersionStamp;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

import org.rocksdb.WriteBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Object records in RocksDB, keyed {@code bucket 0x00 key} (UTF-8) so a bucket's keys sort
 * together in key order. Writes go through the WAL with sync=true (unless fsync is disabled), so a
 * record is on disk before {@link #put} returns.
 */
public final class RecordStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    /**
     * The chunks this node was given to hold as one of their N replicas (key = the 32-byte SHA-256, value = the
     * length as 4 bytes). It is the node's chunk inventory as it should be, kept apart from the files, so a
     * chunk file lost on disk is noticed and fetched again, and replicas compare inventories (anti-entropy).
     */
    static final String CHUNK_REFS = "chunk-refs";
    /** Families older releases created that nothing uses any more: dropped when found (multipart state moved to tables/). */
    private static final List<String> RETIRED = List.of("uploads");

    private final DBOptions options;
    private final ColumnFamilyOptions familyOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    /** Object records written (a batch counts each), for the write-amplification metric. */
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
    private final RecordCodec codec;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle chunkRefs;

    private RecordStore(DBOptions options, ColumnFamilyOptions familyOptions, WriteOptions writeOptions, RocksDB db,
                        List<ColumnFamilyHandle> handles, RecordCodec codec) {
        this.options = options;
        this.familyOptions = familyOptions;
        this.writeOptions = writeOptions;
        this.db = db;
        this.handles = handles;
        this.codec = codec;
        this.chunkRefs = handles.get(1);
    }

    public static RecordStore open(Path dir, boolean sync, RecordCodec codec) throws IOException {
        DBOptions options = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setKeepLogFileNum(2)
                .setParanoidChecks(true);
        ColumnFamilyOptions familyOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> families = new ArrayList<>();
        families.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
        families.add(new ColumnFamilyDescriptor(CHUNK_REFS.getBytes(StandardCharsets.UTF_8), familyOptions));
        WriteOptions writeOptions = new WriteOptions().setSync(sync).setDisableWAL(false);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (org.rocksdb.Options probe = new org.rocksdb.Options()) {
            // RocksDB opens only with every family it holds named: add the retired ones found, then drop them.
            List<byte[]> present = java.nio.file.Files.exists(dir.resolve("CURRENT"))
                    ? RocksDB.listColumnFamilies(probe, dir.toString()) : List.of();
            List<String> retired = new ArrayList<>();
            for (byte[] name : present) {
                String n = new String(name, StandardCharsets.UTF_8);
                if (RETIRED.contains(n)) {
                    retired.add(n);
                    families.add(new ColumnFamilyDescriptor(name, familyOptions));
                }
            }
            RocksDB db = RocksDB.open(options, dir.toString(), families, handles);
            while (handles.size() > 2) {
                ColumnFamilyHandle old = handles.remove(handles.size() - 1);
                db.dropColumnFamily(old);
                old.close();
            }
            if (!retired.isEmpty()) {
                org.slf4j.LoggerFactory.getLogger(RecordStore.class).info("dropped unused column families {} from {}", retired, dir);
            }
            return new RecordStore(options, familyOptions, writeOptions, db, handles, codec);
        } catch (RocksDBException e) {
            writeOptions.close();
            familyOptions.close();
            options.close();
            throw new IOException("cannot open record database at " + dir + ": " + e.getMessage(), e);
        }
    }

    public Optional<ObjectRecord> get(String bucket, String key) throws IOException {
        try {
            byte[] v = db.get(keyOf(bucket, key));
            return v == null ? Optional.empty() : Optional.of(codec.decode(v));
        } catch (RocksDBException e) {
            throw new IOException("record read failed: " + e.getMessage(), e);
        }
    }

    public void put(ObjectRecord record) throws IOException {
        try {
            db.put(writeOptions, keyOf(record.bucket(), record.key()), codec.encode(record));
            writes.incrementAndGet();
        } catch (RocksDBException e) {
            throw new IOException("record write failed: " + e.getMessage(), e);
        }
    }

    /** How many object records this node has written since it started (every version, every replica's copy). */
    public long writes() {
        return writes.get();
    }

    /** Deletes records outright (synced): tombstones every replica holds, past the grace; a stand-in's delivered copy. */
    public void deleteAll(List<byte[]> keys) throws IOException {
        try (WriteBatch wb = new WriteBatch()) {
            for (byte[] k : keys) {
                wb.delete(k);
            }
            db.write(writeOptions, wb);
        } catch (RocksDBException e) {
            throw new IOException("record delete failed: " + e.getMessage(), e);
        }
    }

    /** The record stored under a database key ({@link #keyOf}), or empty. */
    public Optional<ObjectRecord> get(byte[] dbKey) throws IOException {
        try {
            byte[] v = db.get(dbKey);
            return v == null ? Optional.empty() : Optional.of(codec.decode(v));
        } catch (RocksDBException e) {
            throw new IOException("record read failed: " + e.getMessage(), e);
        }
    }

    /** Merges nothing: writes every record in one synced batch (the caller decided they win). */
    public void putAll(List<ObjectRecord> batch) throws IOException {
        try (WriteBatch wb = new WriteBatch()) {
            for (ObjectRecord r : batch) {
                wb.put(keyOf(r.bucket(), r.key()), codec.encode(r));
            }
            db.write(writeOptions, wb);
            writes.addAndGet(batch.size());
        } catch (RocksDBException e) {
            throw new IOException("record write failed: " + e.getMessage(), e);
        }
    }

    /** Visits every record, tombstones included, in key order (anti-entropy builds its digests from this). */
    public void forEach(Consumer<ObjectRecord> visitor) {
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                visitor.accept(codec.decode(it.value()));
            }
        }
    }

    /** Whether this node holds no record (tombstones included) and no chunk in its inventory. */
    public boolean isEmpty() {
        try (RocksIterator records = db.newIterator(); RocksIterator refs = db.newIterator(chunkRefs)) {
            records.seekToFirst();
            refs.seekToFirst();
            return !records.isValid() && !refs.isValid();
        }
    }

    /**
     * Drops the record of {@code bucket/key} if it is still the version {@code version} (a newer one that arrived
     * meanwhile stays): this node handed it over to the owners of a ring it is no longer in.
     * Returns whether it was dropped. The caller holds the record's replica lock.
     */
    public boolean dropIfVersion(String bucket, String key, VersionStamp version) throws IOException {
        Optional<ObjectRecord> held = get(bucket, key);
        if (held.isEmpty() || !held.get().version().equals(version)) {
            return false;
        }
        try {
            db.delete(writeOptions, keyOf(bucket, key));
            return true;
        } catch (RocksDBException e) {
            throw new IOException("record delete failed: " + e.getMessage(), e);
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
        try (RocksIterator it = db.newIterator()) {
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

    @Override
    public void close() {
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        writeOptions.close();
        familyOptions.close();
        options.close();
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
