package io.hifadhi.node.replication;

import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.ring.KeyHash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The chunk inventory (which chunks this node holds as one of their N replicas) as a synced keyspace: key the
 * 32-byte SHA-256, summary and value the length. An entry that arrives from another replica names a chunk this
 * node should hold; {@link ChunkKeeper} then fetches its bytes.
 */
final class ChunkInventoryKeyspace implements SyncedKeyspace {
    private static final HexFormat HEX = HexFormat.of();

    private final RecordStore records;

    ChunkInventoryKeyspace(RecordStore records) {
        this.records = records;
    }

    @Override
    public String name() {
        return "chunks";
    }

    @Override
    public void forEach(EntryVisitor visitor) {
        records.forEachChunkRef(null, ref -> {
            byte[] sha = HEX.parseHex(ref.id());
            visitor.visit(sha, KeyHash.ofChunk(sha), length(ref.length()));
            return true;
        });
    }

    @Override
    public long bytes(byte[] summary) {
        return ByteBuffer.wrap(summary).getInt();
    }

    @Override
    public boolean wants(byte[] mine, byte[] theirs) {
        return mine == null;
    }

    @Override
    public byte[][] read(byte[][] keys) throws IOException {
        byte[][] out = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            Optional<ChunkRef> ref = records.chunkRef(HEX.formatHex(keys[i]));
            if (ref.isPresent()) {
                out[i] = ByteBuffer.allocate(36).put(keys[i]).putInt(ref.get().length()).array();
            }
        }
        return out;
    }

    @Override
    public void apply(byte[][] values) throws IOException {
        List<ChunkRef> refs = new ArrayList<>();
        for (byte[] v : values) {
            if (v != null && v.length == 36) {
                ByteBuffer b = ByteBuffer.wrap(v);
                byte[] sha = new byte[32];
                b.get(sha);
                refs.add(new ChunkRef(HEX.formatHex(sha), b.getInt()));
            }
        }
        records.addChunkRefs(refs);
    }

    private static byte[] length(int length) {
        return ByteBuffer.allocate(4).putInt(length).array();
    }
}
