package io.hifadhi.node.storage;

import io.hifadhi.node.schema.TableSchema;
import io.hifadhi.ring.KeyHash;

/**
 * Object records as a table: key {@code bucket 0x00 key} ({@link RecordStore#keyOf}), sharded by the object's ring
 * position, value the {@link RecordCodec} encoding (which carries bucket and key itself).
 */
public final class RecordSchema implements TableSchema<ObjectRecord> {
    private final RecordCodec codec;

    public RecordSchema(RecordCodec codec) {
        this.codec = codec;
    }

    @Override
    public byte[] key(ObjectRecord record) {
        return RecordStore.keyOf(record.bucket(), record.key());
    }

    @Override
    public long position(ObjectRecord record) {
        return KeyHash.ofObject(record.bucket(), record.key());
    }

    @Override
    public int formatVersion() {
        return RecordCodec.FORMAT_VERSION;
    }

    @Override
    public byte[] encode(ObjectRecord record) {
        return codec.encode(record);
    }

    @Override
    public ObjectRecord decode(byte[] key, byte[] value) {
        return codec.decode(value);
    }
}
