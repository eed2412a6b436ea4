package io.hifadhi.node.table;

import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.storage.NodeDatabase;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The entries of every replicated table on this node, in the node database's {@code tables} family (synced WAL):
 * key = table 0x00 key, value = format version, stamp, tombstone flag, value bytes. {@link #merge} is the
 * only write: last writer wins by stamp, so applying the same entries in any order converges.
 */
public final class TableStore {
    private static final byte FORMAT_VERSION = 1;
    private final RocksDB db;
    private final WriteOptions writeOptions;
    private final ColumnFamilyHandle tables;
    private final Object[] locks = new Object[32];

    public TableStore(NodeDatabase database) {
        this.db = database.db();
        this.writeOptions = database.writeOptions();
        this.tables = database.family(NodeDatabase.Family.TABLES);
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    public Optional<TableEntry> get(String table, String key) throws IOException {
        try {
            byte[] v = db.get(tables, dbKey(table, key));
            return v == null ? Optional.empty() : Optional.of(decode(key, v));
        } catch (RocksDBException e) {
            throw new IOException("table read failed: " + e.getMessage(), e);
        }
    }

    /** Stores {@code entry} if it is newer than what is stored; returns whether it was. Durable on return. */
    public boolean merge(String table, TableEntry entry) throws IOException {
        synchronized (locks[Math.floorMod(table.hashCode() * 31 + entry.key().hashCode(), locks.length)]) {
            Optional<TableEntry> existing = get(table, entry.key());
            if (existing.isPresent() && !entry.version().isNewerThan(existing.get().version())) {
                return false;
            }
            try {
                db.put(tables, writeOptions, dbKey(table, entry.key()), encode(entry));
            } catch (RocksDBException e) {
                throw new IOException("table write failed: " + e.getMessage(), e);
            }
            return true;
        }
    }

    /** Every entry of a table (tombstones included), in key order. Tables are small. */
    public List<TableEntry> all(String table) {
        byte[] prefix = (table + "\0").getBytes(StandardCharsets.UTF_8);
        List<TableEntry> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator(tables)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (k.length < prefix.length || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                    break;
                }
                out.add(decode(new String(k, prefix.length, k.length - prefix.length, StandardCharsets.UTF_8), it.value()));
            }
        }
        return out;
    }

    private static byte[] dbKey(String table, String key) {
        return (table + "\0" + key).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] encode(TableEntry e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + e.value().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeLong(e.version().wallMillis());
            out.writeInt(e.version().counter());
            out.writeUTF(e.version().nodeId());
            out.writeBoolean(e.deleted());
            out.writeInt(e.value().length);
            out.write(e.value());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    static TableEntry decode(String key, byte[] v) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(v))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalStateException("unknown table entry format " + version + " for " + key);
            }
            VersionStamp stamp = new VersionStamp(in.readLong(), in.readInt(), in.readUTF());
            boolean deleted = in.readBoolean();
            byte[] value = in.readNBytes(in.readInt());
            return new TableEntry(key, value, stamp, deleted);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt table entry " + key, e);
        }
    }
}
