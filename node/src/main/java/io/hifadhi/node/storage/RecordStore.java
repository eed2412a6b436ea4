package io.hifadhi.node.storage;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Object records in RocksDB, keyed {@code bucket 0x00 key} (UTF-8) so a bucket's keys sort
 * together in key order. Writes go through the WAL with sync=true (unless fsync is disabled), so a
 * record is on disk before {@link #put} returns.
 */
public final class RecordStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    /** Column families besides the default one (object records): small tables of other services. */
    public static final List<String> TABLES = List.of("uploads");

    private final DBOptions options;
    private final ColumnFamilyOptions familyOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final RecordCodec codec;
    private final List<ColumnFamilyHandle> handles;
    private final Map<String, KeyValueTable> tables = new LinkedHashMap<>();

    private RecordStore(DBOptions options, ColumnFamilyOptions familyOptions, WriteOptions writeOptions, RocksDB db,
                        List<ColumnFamilyHandle> handles, RecordCodec codec) {
        this.options = options;
        this.familyOptions = familyOptions;
        this.writeOptions = writeOptions;
        this.db = db;
        this.handles = handles;
        this.codec = codec;
        for (int i = 0; i < TABLES.size(); i++) {
            tables.put(TABLES.get(i), new KeyValueTable(db, handles.get(i + 1), writeOptions));
        }
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
        for (String t : TABLES) {
            families.add(new ColumnFamilyDescriptor(t.getBytes(StandardCharsets.UTF_8), familyOptions));
        }
        WriteOptions writeOptions = new WriteOptions().setSync(sync).setDisableWAL(false);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(options, dir.toString(), families, handles);
            return new RecordStore(options, familyOptions, writeOptions, db, handles, codec);
        } catch (RocksDBException e) {
            writeOptions.close();
            familyOptions.close();
            options.close();
            throw new IOException("cannot open record database at " + dir + ": " + e.getMessage(), e);
        }
    }

    /** One of {@link #TABLES} (multipart uploads), in the same database and WAL. */
    public KeyValueTable table(String name) {
        KeyValueTable t = tables.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no table " + name);
        }
        return t;
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
        } catch (RocksDBException e) {
            throw new IOException("record write failed: " + e.getMessage(), e);
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

    static byte[] keyOf(String bucket, String key) {
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
