package io.hifadhi.node.replication;

import io.hifadhi.node.transport.SizedMessage;

import java.util.List;

/**
 * The replication protocol's messages. Records are encoded with {@link io.hifadhi.node.storage.RecordCodec}
 * (its own format version) and travel as bytes. The order of {@link #TYPES} is part of the wire format.
 */
final class Messages {
    private Messages() {
    }

    static final String CHUNK_PUT = "hifadhi-data-chunk-put";
    static final String CHUNK_GET = "hifadhi-data-chunk-get";
    static final String CHUNK_HAS = "hifadhi-data-chunk-has";
    static final String RECORD_PUT = "hifadhi-data-record-put";
    static final String RECORD_GET = "hifadhi-data-record-get";
    static final String RECORD_SCAN = "hifadhi-data-record-scan";

    /** Store a chunk durably; {@code hintFor} (nullable) names the replica this copy stands in for. */
    record ChunkPut(String chunkId, byte[] bytes, String hintFor) implements SizedMessage {
        @Override
        public int sizeHint() {
            return bytes.length + 128;
        }
    }

    record ChunkGet(String chunkId, int length) {
    }

    /** The chunk's bytes, or null when this node does not hold a good copy. */
    record ChunkData(byte[] bytes) implements SizedMessage {
        @Override
        public int sizeHint() {
            return bytes == null ? 16 : bytes.length + 16;
        }
    }

    record ChunkHas(String[] chunkIds) {
    }

    record ChunkHave(boolean[] held) {
    }

    /** Merge a record (last writer wins); {@code hintFor} as for chunks. */
    record RecordPut(byte[] record, String hintFor) implements SizedMessage {
        @Override
        public int sizeHint() {
            return record.length + 128;
        }
    }

    /** @param applied whether the record was newer than the stored one; @param previousLive whether a live version was stored before */
    record Ack(boolean applied, boolean previousLive) {
    }

    record RecordGet(String bucket, String key) {
    }

    /** The stored record (tombstones included), or null. */
    record RecordReply(byte[] record) implements SizedMessage {
        @Override
        public int sizeHint() {
            return record == null ? 16 : record.length + 16;
        }
    }

    /** Records (tombstones included) of a bucket under a prefix after a key, at most {@code limit}. */
    record RecordScan(String bucket, String prefix, String startAfter, int limit) {
    }

    /** @param truncated whether this node holds more records after the last one */
    record RecordBatch(byte[][] records, boolean truncated) implements SizedMessage {
        @Override
        public int sizeHint() {
            int n = 64;
            for (byte[] r : records) {
                n += r.length + 5;
            }
            return n;
        }
    }

    static final List<Class<?>> TYPES = List.of(ChunkPut.class, ChunkGet.class, ChunkData.class, ChunkHas.class,
            ChunkHave.class, RecordPut.class, Ack.class, RecordGet.class, RecordReply.class, RecordScan.class,
            RecordBatch.class);
}
