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
    static final String CHUNK_TOUCH = "hifadhi-data-chunk-touch";
    /** Chunk collector messages (see {@link ChunkCollector}). */
    static final String GC_PREPARE = "hifadhi-data-gc-prepare";
    static final String GC_REFS = "hifadhi-data-gc-refs";
    static final String GC_COLLECT = "hifadhi-data-gc-collect";
    static final String GC_TOMBSTONES = "hifadhi-data-gc-tombstones";
    static final String GC_TOMBSTONES_DROP = "hifadhi-data-gc-tombstones-drop";
    /** Key lease messages (see {@link ClusterKeyLocks}). */
    static final String LEASE_ASK = "hifadhi-data-lease-ask";
    static final String LEASE_RELEASE = "hifadhi-data-lease-release";
    /** Anti-entropy messages share this prefix (their bytes are counted together). */
    static final String SYNC = "hifadhi-data-sync-";
    static final String SYNC_DIGESTS = SYNC + "digests";
    static final String SYNC_ENTRIES = SYNC + "entries";
    static final String SYNC_READ = SYNC + "read";
    static final String SYNC_PUSH = SYNC + "push";

    /** Store a chunk durably; {@code hintFor} (nullable) names the replica this copy stands in for. */
    record ChunkPut(String chunkId, byte[] bytes, String hintFor) implements SizedMessage {
        @Override
        public int sizeHint() {
            return bytes.length + 128;
        }
    }

    record ChunkGet(String chunkId, int length) {
    }

    /**
     * The chunk's bytes, or null when this node does not hold a good copy, and their CRC32C taken by the sender right
     * after its own read passed the chunk's block checks: the receiver checks it, so a byte changed anywhere between
     * the sender's disk and the receiver is caught, at a tenth of the cost of a SHA-256 of the chunk.
     */
    record ChunkData(byte[] bytes, int crc32c) implements SizedMessage {
        static ChunkData of(byte[] bytes) {
            return new ChunkData(bytes, bytes == null ? 0 : crc32c(bytes));
        }

        static int crc32c(byte[] bytes) {
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(bytes);
            return (int) crc.getValue();
        }

        @Override
        public int sizeHint() {
            return bytes == null ? 16 : bytes.length + 16;
        }
    }

    record ChunkHas(String[] chunkIds) {
    }

    record ChunkHave(boolean[] held) {
    }

    /** Mark chunks as put now where held (the collector's write barrier); answered with {@link ChunkHave}. */
    record ChunkTouch(String[] chunkIds, int[] lengths) {
    }

    /** Starts a collection round: the answer is the receiver's wall clock, before any reference is looked up. */
    record GcPrepare() {
    }

    record GcPrepared(long wallMillis) {
    }

    /** Which of these chunks does any record, hint or upload in progress on the receiver reference? */
    record GcRefs(String[] chunkIds) implements SizedMessage {
        @Override
        public int sizeHint() {
            return chunkIds.length * 70 + 64;
        }
    }

    record GcReferenced(boolean[] referenced) {
    }

    /**
     * Delete these unreferenced chunks if they were not put within the grace; {@code preparedAt} is the receiver's
     * own {@link GcPrepared} answer of this round.
     */
    record GcCollect(String[] chunkIds, long preparedAt) implements SizedMessage {
        @Override
        public int sizeHint() {
            return chunkIds.length * 70 + 64;
        }
    }

    /** @param kept chunks not deleted because they were put within the grace, or named by a pending hint */
    record GcCollected(int chunks, long bytes, int kept) {
    }

    /**
     * Keys of one table ({@link CollectedTable#name}: {@code records}, whose keys are {@code bucket 0x00 key}, or a
     * small table's name) and their tombstones' version stamps: as {@link #GC_TOMBSTONES}, may they go; as
     * {@link #GC_TOMBSTONES_DROP}, delete them where they are tombstones no newer than the given stamps. The table
     * field changed the message's encoding: a cluster's nodes run one release (records already require it).
     */
    record GcTombstones(String table, byte[][] keys, String[] versions) implements SizedMessage {
        @Override
        public int sizeHint() {
            int n = 64 + table.length() * 3;
            for (int i = 0; i < keys.length; i++) {
                n += keys[i].length + versions[i].length() * 3 + 10;
            }
            return n;
        }
    }

    /** Per key: the receiver holds no entry of it, or a tombstone no newer, and no hint carrying it. */
    record GcTombstonesHeld(boolean[] droppable) {
    }

    record GcTombstonesDropped(int dropped) {
    }

    /** Merge a record (last writer wins); {@code hintFor} as for chunks. */
    record RecordPut(byte[] record, String hintFor) implements SizedMessage {
        @Override
        public int sizeHint() {
            return record.length + 128;
        }
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

    /**
     * The digests of tree nodes at one level, of the entries of {@code keyspace} that the answering node and
     * {@code from} both replicate.
     */
    record SyncDigests(String keyspace, String from, int level, int[] nodes) {
    }

    /** 20 bytes per node asked for: digest high and low halves (8 each), entry count (4). */
    record SyncDigestList(byte[] digests) implements SizedMessage {
        @Override
        public int sizeHint() {
            return digests.length + 16;
        }
    }

    /** The entries (key and summary) in some leaves, of the entries both nodes replicate. */
    record SyncEntries(String keyspace, String from, int[] leaves) {
    }

    record SyncEntryList(byte[][] keys, byte[][] summaries) implements SizedMessage {
        @Override
        public int sizeHint() {
            int n = 64;
            for (int i = 0; i < keys.length; i++) {
                n += keys[i].length + summaries[i].length + 10;
            }
            return n;
        }
    }

    /** The values of entries the asker lacks or holds older. */
    record SyncRead(String keyspace, byte[][] keys) implements SizedMessage {
        @Override
        public int sizeHint() {
            int n = 64;
            for (byte[] k : keys) {
                n += k.length + 5;
            }
            return n;
        }
    }

    /** Values for {@link SyncRead} (null where absent), or pushed with {@link SyncPush}. */
    record SyncValues(byte[][] values) implements SizedMessage {
        @Override
        public int sizeHint() {
            int n = 64;
            for (byte[] v : values) {
                n += (v == null ? 0 : v.length) + 5;
            }
            return n;
        }
    }

    /** Values the receiver lacks or holds older; merged durably before the ack. */
    record SyncPush(String keyspace, byte[][] values) implements SizedMessage {
        @Override
        public int sizeHint() {
            int n = 64;
            for (byte[] v : values) {
                n += v.length + 5;
            }
            return n;
        }
    }

    /**
     * Asks a key's coordinator for the lease on {@code bucket/key} for {@code holder} (a token unique to one conditional
     * write); with {@code renew}, only to extend a lease {@code holder} still holds (the confirmation before a commit).
     */
    record LeaseAsk(String bucket, String key, String holder, boolean renew) {
    }

    /**
     * @param granted     the lease is the asker's for one lease TTL from this answer
     * @param held        refused because another write holds the key (not because this node may not decide)
     * @param retryMillis when asking again may succeed
     * @param refusal     why not, for the client's error message (null when granted)
     */
    record LeaseAnswer(boolean granted, boolean held, long retryMillis, String refusal) {
    }

    record LeaseRelease(String bucket, String key, String holder) {
    }

    /** @param released false when {@code holder} did not hold the lease (it lapsed, or was never granted) */
    record LeaseReleased(boolean released) {
    }

    static final List<Class<?>> TYPES = List.of(ChunkPut.class, ChunkGet.class, ChunkData.class, ChunkHas.class,
            ChunkHave.class, RecordPut.class, Ack.class, RecordGet.class, RecordReply.class, RecordScan.class,
            RecordBatch.class, SyncDigests.class, SyncDigestList.class, SyncEntries.class, SyncEntryList.class,
            SyncRead.class, SyncValues.class, SyncPush.class, ChunkTouch.class, GcPrepare.class, GcPrepared.class,
            GcRefs.class, GcReferenced.class, GcCollect.class, GcCollected.class, GcTombstones.class, GcTombstonesHeld.class,
            GcTombstonesDropped.class, LeaseAsk.class, LeaseAnswer.class, LeaseRelease.class, LeaseReleased.class);
}
