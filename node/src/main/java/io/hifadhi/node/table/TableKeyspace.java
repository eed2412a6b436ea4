package io.hifadhi.node.table;

import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.replication.SyncedKeyspace;
import io.hifadhi.ring.KeyHash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A fully replicated table as a keyspace of the Merkle anti-entropy: every member holds every entry; key the
 * entry's key (UTF-8), summary its version stamp, value the key's length, the key and the stored entry.
 */
final class TableKeyspace implements SyncedKeyspace {
    private final String table;
    private final TableStore store;
    private final HybridLogicalClock clock;

    TableKeyspace(String table, TableStore store, HybridLogicalClock clock) {
        this.table = table;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "table-" + table;
    }

    @Override
    public boolean fullyReplicated() {
        return true;
    }

    @Override
    public void forEach(EntryVisitor visitor) {
        for (TableEntry e : store.all(table)) {
            visitor.visit(e.key().getBytes(StandardCharsets.UTF_8), KeyHash.of(e.key()),
                    e.version().toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public boolean wants(byte[] mine, byte[] theirs) {
        return SyncedKeyspace.newerStamp(mine, theirs);
    }

    @Override
    public byte[][] read(byte[][] keys) throws IOException {
        byte[][] out = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            Optional<TableEntry> e = store.get(table, new String(keys[i], StandardCharsets.UTF_8));
            if (e.isPresent()) {
                byte[] entry = TableStore.encode(e.get());
                out[i] = ByteBuffer.allocate(4 + keys[i].length + entry.length).putInt(keys[i].length).put(keys[i]).put(entry).array();
            }
        }
        return out;
    }

    @Override
    public void apply(byte[][] values) throws IOException {
        for (byte[] v : values) {
            if (v == null) {
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(v);
            byte[] key = new byte[b.getInt()];
            b.get(key);
            byte[] entry = new byte[b.remaining()];
            b.get(entry);
            TableEntry e = TableStore.decode(new String(key, StandardCharsets.UTF_8), entry);
            clock.observe(e.version());
            store.merge(table, e);
        }
    }
}
