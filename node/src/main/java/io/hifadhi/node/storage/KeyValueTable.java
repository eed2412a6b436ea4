package io.hifadhi.node.storage;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * One column family of the node's RocksDB as a sorted byte map. Writes use the store's write
 * options (synced WAL unless fsync is off), so a put is durable when it returns.
 */
public final class KeyValueTable implements SortedTable {
    private final RocksDB db;
    private final ColumnFamilyHandle family;
    private final WriteOptions writeOptions;

    KeyValueTable(RocksDB db, ColumnFamilyHandle family, WriteOptions writeOptions) {
        this.db = db;
        this.family = family;
        this.writeOptions = writeOptions;
    }

    @Override
    public Optional<byte[]> get(byte[] key) throws IOException {
        try {
            return Optional.ofNullable(db.get(family, key));
        } catch (RocksDBException e) {
            throw new IOException("table read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void put(byte[] key, byte[] value) throws IOException {
        try {
            db.put(family, writeOptions, key, value);
        } catch (RocksDBException e) {
            throw new IOException("table write failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(byte[] key) throws IOException {
        try {
            db.delete(family, writeOptions, key);
        } catch (RocksDBException e) {
            throw new IOException("table delete failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void scan(byte[] prefix, byte[] from, BiPredicate<byte[], byte[]> visitor) {
        try (RocksIterator it = db.newIterator(family)) {
            for (it.seek(from == null ? prefix : from); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (k.length < prefix.length || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                    return;
                }
                if (!visitor.test(k, it.value())) {
                    return;
                }
            }
        }
    }

    /** Atomic: one RocksDB write batch. */
    @Override
    public void write(Map<byte[], byte[]> changes) throws IOException {
        try (org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch()) {
            for (Map.Entry<byte[], byte[]> c : changes.entrySet()) {
                if (c.getValue() == null) {
                    batch.delete(family, c.getKey());
                } else {
                    batch.put(family, c.getKey(), c.getValue());
                }
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new IOException("table batch write failed: " + e.getMessage(), e);
        }
    }
}
