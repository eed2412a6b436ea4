package io.hifadhi.node.table;

import io.hifadhi.node.schema.EntryStore;
import io.hifadhi.node.schema.TableSchema;
import io.hifadhi.node.storage.NodeDatabase;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The entries of every small replicated table on this node, in the node database's {@code tables} family (synced
 * WAL): key = table 0x00 key, value as {@link TableEntrySchema} encodes it. Each table is an {@link EntryStore} over
 * its key range; merging is the engine's ({@link io.hifadhi.node.schema.LocalMerge}).
 *
 * <p>Every signed request reads its access key and its bucket from here, so each table keeps the entries it read,
 * decoded. A write to any table ends every entry kept until then: a table write bumps {@link #generation} once it is
 * in the database, and a kept entry counts only while the generation it was read under is the current one. A read
 * that raced a write is therefore never kept past it, and what a lookup sees is what a database read would see.
 */
public final class TableStore {
    /** Entries kept per table; past it the table's cache starts over (tables are small, lookups of absent keys are not). */
    private static final int KEPT_MAX = 4096;

    private final RocksDB db;
    private final WriteOptions writeOptions;
    private final ColumnFamilyHandle tables;
    private final AtomicLong generation = new AtomicLong();

    public TableStore(NodeDatabase database) {
        this.db = database.db();
        this.writeOptions = database.writeOptions();
        this.tables = database.family(NodeDatabase.Family.TABLES);
    }

    /** The entries of one table, keyed by their own key (without the table's prefix). */
    EntryStore<TableEntry> table(String table, TableSchema<TableEntry> schema) {
        return new Range(table, schema);
    }

    /** An entry as a read under {@code generation} found it (empty: no entry). */
    private record Kept(long generation, Optional<TableEntry> entry) {
    }

    private final class Range implements EntryStore<TableEntry> {
        private final byte[] prefix;
        private final TableSchema<TableEntry> schema;
        private final ConcurrentHashMap<ByteBuffer, Kept> kept = new ConcurrentHashMap<>();

        Range(String table, TableSchema<TableEntry> schema) {
            this.prefix = (table + "\0").getBytes(StandardCharsets.UTF_8);
            this.schema = schema;
        }

        @Override
        public Optional<TableEntry> get(byte[] key) throws IOException {
            long now = generation.get();
            ByteBuffer id = ByteBuffer.wrap(key);
            Kept known = kept.get(id);
            if (known != null && known.generation() == now) {
                return known.entry();
            }
            try {
                byte[] v = db.get(tables, dbKey(key));
                Optional<TableEntry> entry = v == null ? Optional.empty() : Optional.of(schema.decode(key, v));
                if (generation.get() == now) {
                    if (kept.size() >= KEPT_MAX) {
                        kept.clear();
                    }
                    kept.put(ByteBuffer.wrap(key.clone()), new Kept(now, entry));
                }
                return entry;
            } catch (RocksDBException e) {
                throw new IOException("table read failed: " + e.getMessage(), e);
            }
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
                generation.incrementAndGet();
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
                generation.incrementAndGet();
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
