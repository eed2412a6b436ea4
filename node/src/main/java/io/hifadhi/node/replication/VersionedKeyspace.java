package io.hifadhi.node.replication;

import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.schema.LocalMerge;
import io.hifadhi.node.schema.TableSchema;
import io.hifadhi.node.schema.Versioned;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A last-writer-wins table as a keyspace of the Merkle anti-entropy, for any {@link TableSchema}: key the schema's
 * key, position its ring position, summary the version stamp's text, value the key's length, the key and the encoded
 * entry. Entries that arrive move this node's clock past them and are merged, in one synced batch.
 */
public final class VersionedKeyspace<V extends Versioned> implements SyncedKeyspace {
    private final String name;
    private final boolean fullyReplicated;
    private final LocalMerge<V> local;
    private final HybridLogicalClock clock;
    private final BooleanSupplier answersPeers;

    /**
     * @param fullyReplicated every member holds every entry (the small tables), else the N replicas of its position
     * @param answersPeers    {@link SyncedKeyspace#answersPeers}
     */
    public VersionedKeyspace(String name, boolean fullyReplicated, LocalMerge<V> local, HybridLogicalClock clock,
                             BooleanSupplier answersPeers) {
        this.name = name;
        this.fullyReplicated = fullyReplicated;
        this.local = local;
        this.clock = clock;
        this.answersPeers = answersPeers;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean fullyReplicated() {
        return fullyReplicated;
    }

    @Override
    public boolean answersPeers() {
        return answersPeers.getAsBoolean();
    }

    @Override
    public void forEach(EntryVisitor visitor) {
        TableSchema<V> schema = local.schema();
        local.store().forEach(e -> visitor.visit(schema.key(e), schema.position(e),
                e.version().toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public boolean wants(byte[] mine, byte[] theirs) {
        return SyncedKeyspace.newerStamp(mine, theirs);
    }

    @Override
    public byte[][] read(byte[][] keys) throws IOException {
        byte[][] out = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            V held = local.store().get(keys[i]).orElse(null);
            if (held != null) {
                byte[] value = local.schema().encode(held);
                out[i] = ByteBuffer.allocate(4 + keys[i].length + value.length).putInt(keys[i].length).put(keys[i]).put(value).array();
            }
        }
        return out;
    }

    @Override
    public void apply(byte[][] values) throws IOException {
        List<V> batch = new ArrayList<>(values.length);
        for (byte[] v : values) {
            if (v == null) {
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(v);
            byte[] key = new byte[b.getInt()];
            b.get(key);
            byte[] value = new byte[b.remaining()];
            b.get(value);
            V entry = local.schema().decode(key, value);
            clock.observe(entry.version());
            batch.add(entry);
        }
        local.mergeAll(batch);
    }
}
