package io.hifadhi.node.storage;

import io.hifadhi.node.clock.StampCeiling;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The clock's ceiling in the node database's bookkeeping family (synced like every write of the node). */
public final class StoredStampCeiling implements StampCeiling {
    private static final byte[] KEY = "clock/ceiling".getBytes(StandardCharsets.UTF_8);
    private final NodeDatabase database;

    public StoredStampCeiling(NodeDatabase database) {
        this.database = database;
    }

    @Override
    public long load() throws IOException {
        try {
            byte[] v = database.db().get(database.bookkeeping(), KEY);
            return v == null ? 0 : ByteBuffer.wrap(v).getLong();
        } catch (RocksDBException e) {
            throw new IOException("clock ceiling read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void raise(long wallMillis) throws IOException {
        try {
            database.db().put(database.bookkeeping(), database.writeOptions(), KEY, ByteBuffer.allocate(8).putLong(wallMillis).array());
        } catch (RocksDBException e) {
            throw new IOException("clock ceiling write failed: " + e.getMessage(), e);
        }
    }
}
