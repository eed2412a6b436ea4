package io.hifadhi.node.replication;

import io.hifadhi.node.storage.NodeDatabase;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.storage.RecordStore;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hints: writes this node accepted on behalf of a replica that was down, kept durably (the node database's
 * {@code hints} family, synced WAL) until delivered. Key = target id, 0x00, kind, sequence; so a target's chunk hints
 * sort before its record hints and are delivered first (a record never arrives before its chunks).
 */
final class HintStore {
    enum Kind { CHUNK, RECORD }

    /** @param payload chunk hints: the chunk id and length as "id:length"; record hints: the encoded record */
    record Hint(byte[] dbKey, String target, Kind kind, byte[] payload) {
    }

    private final RocksDB db;
    private final WriteOptions writeOptions;
    private final ColumnFamilyHandle hints;
    private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() * 1000);

    HintStore(NodeDatabase database) {
        this.db = database.db();
        this.writeOptions = database.writeOptions();
        this.hints = database.family(NodeDatabase.Family.HINTS);
    }

    void add(String target, Kind kind, byte[] payload) throws IOException {
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        ByteBuffer key = ByteBuffer.allocate(t.length + 1 + 1 + 8);
        key.put(t).put((byte) 0).put((byte) kind.ordinal()).putLong(sequence.incrementAndGet());
        try {
            db.put(hints, writeOptions, key.array(), payload);
        } catch (RocksDBException e) {
            throw new IOException("hint write failed: " + e.getMessage(), e);
        }
    }

    /** Up to {@code limit} hints for {@code target}, chunks first, oldest first. */
    List<Hint> forTarget(String target, int limit) {
        byte[] prefix = (target + "\0").getBytes(StandardCharsets.UTF_8);
        List<Hint> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator(hints)) {
            for (it.seek(prefix); it.isValid() && out.size() < limit; it.next()) {
                byte[] k = it.key();
                if (k.length < prefix.length + 9 || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                    break;
                }
                out.add(new Hint(k, target, Kind.values()[k[prefix.length]], it.value()));
            }
        }
        return out;
    }

    /** Every target with at least one hint. */
    List<String> targets() {
        TreeSet<String> out = new TreeSet<>();
        try (RocksIterator it = db.newIterator(hints)) {
            it.seekToFirst();
            while (it.isValid()) {
                byte[] k = it.key();
                int zero = 0;
                while (zero < k.length && k[zero] != 0) {
                    zero++;
                }
                String target = new String(k, 0, zero, StandardCharsets.UTF_8);
                out.add(target);
                // Jump past this target's hints: the next possible key after "target\0\xff...".
                byte[] next = Arrays.copyOf(k, zero + 1);
                next[zero] = 1;
                it.seek(next);
            }
        }
        return List.copyOf(out);
    }

    /** Whether no hint is kept: one seek, where {@link #count} walks them all. */
    boolean isEmpty() {
        try (RocksIterator it = db.newIterator(hints)) {
            it.seekToFirst();
            return !it.isValid();
        }
    }

    long count() {
        long n = 0;
        try (RocksIterator it = db.newIterator(hints)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
        }
        return n;
    }

    /** Visits every hint (the collector counts the chunks and records they name as referenced). */
    void forEach(java.util.function.Consumer<Hint> visitor) {
        try (RocksIterator it = db.newIterator(hints)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] k = it.key();
                int zero = 0;
                while (zero < k.length && k[zero] != 0) {
                    zero++;
                }
                if (k.length == zero + 10) {
                    visitor.accept(new Hint(k, new String(k, 0, zero, StandardCharsets.UTF_8), Kind.values()[k[zero + 1]], it.value()));
                }
            }
        }
    }

    /** The keys ({@code bucket 0x00 key}) of the records hints carry: their tombstones must wait for delivery. */
    java.util.Set<ByteBuffer> recordKeys(RecordCodec codec) {
        java.util.Set<ByteBuffer> keys = new java.util.HashSet<>();
        forEach(h -> {
            if (h.kind() == Kind.RECORD) {
                ObjectRecord r = codec.decode(h.payload());
                keys.add(ByteBuffer.wrap(RecordStore.keyOf(r.bucket(), r.key())));
            }
        });
        return keys;
    }

    /** Deletes every hint for {@code target}; returns how many there were. */
    int dropFor(String target) throws IOException {
        int n = forTarget(target, Integer.MAX_VALUE).size();
        byte[] from = (target + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] to = (target + "\1").getBytes(StandardCharsets.UTF_8);
        try {
            db.deleteRange(hints, writeOptions, from, to);
        } catch (RocksDBException e) {
            throw new IOException("hint delete failed: " + e.getMessage(), e);
        }
        return n;
    }

    void remove(Hint hint) throws IOException {
        try {
            db.delete(hints, writeOptions, hint.dbKey());
        } catch (RocksDBException e) {
            throw new IOException("hint delete failed: " + e.getMessage(), e);
        }
    }
}
