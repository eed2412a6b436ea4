package io.hifadhi.node.table;

import io.hifadhi.node.schema.EntryStore;
import io.hifadhi.node.schema.TableSchema;
import io.hifadhi.node.storage.KeptEntries;
import io.hifadhi.node.storage.NodeDatabase;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The entries of every small replicated table on this node, in the node database's {@code tables} family (synced
 * WAL): key = table 0x00 key, value as {@link TableEntrySchema} encodes it. Each table is an {@link EntryStore} over
 * its key range; merging is the engine's ({@link io.hifadhi.node.schema.LocalMerge}).
 * Every signed request reads its access key and its bucket from here, so each table keeps the entries it read
 * ({@link KeptEntries}: this store is the only writer of the family, and ends them as it writes).
 */
public final class TableStore {
    /** Bytes of entries kept per table; tables are small, but lookups of absent keys need not be. */
    private static final long KEPT_BYTES = 4L << 20;

    private final RocksDB db;
    private final WriteOptions writeOptions;
    private final ColumnFamilyHandle tables;

    public TableStore(NodeDatabase database) {
        this.db = database.db();
        this.writeOptions = database.writeOptions();
        this.tables = database.family(NodeDatabase.Family.TABLES);
    }

    /** One store per table: the entries it keeps are ended by its own writes only. */
    private final Map<String, Range> ranges = new ConcurrentHashMap<>();

    /** The entries of one table, keyed by their own key (without the table's prefix). */
    EntryStore<TableEntry> table(String table, TableSchema<TableEntry> schema) {
        return ranges.computeIfAbsent(table, t -> new Range(t, schema));
    }

    private final class Range implements EntryStore<TableEntry> {
        private final byte[] prefix;
        private final TableSchema<TableEntry> schema;
        private final KeptEntries<TableEntry> kept = new KeptEntries<>(256, KEPT_BYTES, e -> e.key().length() + e.value().length);

        Range(String table, TableSchema<TableEntry> schema) {
            this.prefix = (table + "\0").getBytes(StandardCharsets.UTF_8);
            this.schema = schema;
        }

        @Override
        public Optional<TableEntry> get(byte[] key) throws IOException {
            return kept.get(key, () -> {
                try {
                    byte[] v = db.get(tables, dbKey(key));
                    return v == null ? Optional.empty() : Optional.of(schema.decode(key, v));
                } catch (RocksDBException e) {
                    throw new IOException("table read failed: " + e.getMessage(), e);
                }
            });
        }

        @Override
        public void putAll(List<TableEntry> entries) throws IOException {
            try (WriteBatch batch = new WriteBatch()) {
                for (TableEntry e : entries) {
                    batch.put(tables, dbKey(schema.key(e)), schema.encode(e));
                }
                db.write(writeOptions, batch);
            } catch (RocksDBException e) {
                throw new IOException("table write failed: " + e.getMessage(), e);
            } finally {
                entries.forEach(e -> kept.written(schema.key(e)));
            }
        }

        @Override
        public void deleteAll(List<byte[]> keys) throws IOException {
            try (WriteBatch batch = new WriteBatch()) {
                for (byte[] k : keys) {
                    batch.delete(tables, dbKey(k));
                }
                db.write(writeOptions, batch);
            } catch (RocksDBException e) {
                throw new IOException("table delete failed: " + e.getMessage(), e);
            } finally {
                keys.forEach(kept::written);
            }
        }

        /** Tables are small: a whole scan is cheap. */
        @Override
        public void forEach(Consumer<TableEntry> visitor) {
            try (RocksIterator it = db.newIterator(tables)) {
                for (it.seek(prefix); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    if (k.length < prefix.length || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                        break;
                    }
                    visitor.accept(schema.decode(Arrays.copyOfRange(k, prefix.length, k.length), it.value()));
                }
            }
        }

        private byte[] dbKey(byte[] key) {
            byte[] out = Arrays.copyOf(prefix, prefix.length + key.length);
            System.arraycopy(key, 0, out, prefix.length, key.length);
            return out;
        }
    }
}
