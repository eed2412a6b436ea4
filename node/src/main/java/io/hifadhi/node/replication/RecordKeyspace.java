package io.hifadhi.node.replication;

import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.ring.KeyHash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Object records (tombstones included) as a synced keyspace: key {@code bucket 0x00 key}, summary the version stamp. */
final class RecordKeyspace implements SyncedKeyspace {
    private final RecordStore records;
    private final RecordCodec codec;
    private final LocalReplica replica;

    RecordKeyspace(RecordStore records, RecordCodec codec, LocalReplica replica) {
        this.records = records;
        this.codec = codec;
        this.replica = replica;
    }

    @Override
    public String name() {
        return "records";
    }

    @Override
    public void forEach(EntryVisitor visitor) {
        records.forEach(r -> visitor.visit(RecordStore.keyOf(r.bucket(), r.key()), KeyHash.ofObject(r.bucket(), r.key()),
                r.version().toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public boolean wants(byte[] mine, byte[] theirs) {
        return SyncedKeyspace.newerStamp(mine, theirs);
    }

    @Override
    public byte[][] read(byte[][] keys) throws IOException {
        byte[][] out = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            int sep = separator(keys[i]);
            String bucket = new String(keys[i], 0, sep, StandardCharsets.UTF_8);
            String key = new String(keys[i], sep + 1, keys[i].length - sep - 1, StandardCharsets.UTF_8);
            out[i] = records.get(bucket, key).map(codec::encode).orElse(null);
        }
        return out;
    }

    @Override
    public void apply(byte[][] values) throws IOException {
        List<ObjectRecord> batch = new ArrayList<>(values.length);
        for (byte[] v : values) {
            if (v != null) {
                batch.add(codec.decode(v));
            }
        }
        replica.mergeAll(batch);
    }

    private static int separator(byte[] key) {
        for (int i = 0; i < key.length; i++) {
            if (key[i] == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a record key");
    }
}
