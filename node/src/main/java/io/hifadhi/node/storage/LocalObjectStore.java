package io.hifadhi.node.storage;

import io.hifadhi.api.store.ListPage;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.ObjectStore;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;
import io.hifadhi.api.store.StoredObject;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.clock.VersionStamp;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link ObjectStore} on this node's disk: chunks in a {@link ChunkStore}, records in a
 * {@link RecordStore}. Bodies up to {@link #INLINE_MAX} bytes live inside their record.
 *
 * <p>Overwritten objects leave their chunks behind for the chunk collector (replication's {@code ChunkCollector}),
 * which deletes a chunk only when no record references it and it was last put more than the grace period ago.
 * Its write barrier: a record is written less than half the grace after its chunks were put, or the chunks are
 * put again ({@link ChunkStore#touch}) first.
 */
public final class LocalObjectStore implements ObjectStore, ObjectPublisher {
    public static final int INLINE_MAX = 32 * 1024;
    private static final int IO_BUFFER = 64 * 1024;

    private final ChunkStore chunks;
    private final RecordStore records;
    private final HybridLogicalClock clock;
    private final int chunkSize;
    private final long gcGraceMillis;
    /** Serializes read-modify-write of one key's record; striped so unrelated keys do not contend. */
    private final Object[] locks = new Object[64];

    public LocalObjectStore(ChunkStore chunks, RecordStore records, HybridLogicalClock clock, int chunkSize) {
        this(chunks, records, clock, chunkSize, DEFAULT_GC_GRACE_MILLIS);
    }

    /** The default of {@code --gc-grace}: how long a chunk must have been unreferenced and unput before it is deleted. */
    public static final long DEFAULT_GC_GRACE_MILLIS = 10 * 60_000;

    /** @param gcGraceMillis the chunk collector's grace ({@code --gc-grace}), for the write barrier */
    public LocalObjectStore(ChunkStore chunks, RecordStore records, HybridLogicalClock clock, int chunkSize, long gcGraceMillis) {
        if (chunkSize <= INLINE_MAX) {
            throw new IllegalArgumentException("chunk size must exceed the inline limit of " + INLINE_MAX);
        }
        this.chunks = chunks;
        this.records = records;
        this.clock = clock;
        this.chunkSize = chunkSize;
        this.gcGraceMillis = gcGraceMillis;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    @Override
    public StagedBody stage(InputStream body) throws IOException {
        long stagedAt = System.currentTimeMillis();
        MessageDigest md5 = md5();
        byte[] head = body.readNBytes(INLINE_MAX + 1);
        md5.update(head);
        if (head.length <= INLINE_MAX) {
            return new StagedChunks(head.length, Hex.of(md5.digest()), head, List.of(), stagedAt);
        }
        List<ChunkRef> refs = new ArrayList<>();
        long size = head.length;
        ChunkStore.ChunkWriter writer = chunks.newWriter();
        try {
            writer.write(head, 0, head.length);
            byte[] buf = new byte[IO_BUFFER];
            while (true) {
                int want = (int) Math.min(buf.length, chunkSize - writer.size());
                int n = body.read(buf, 0, want);
                if (n < 0) {
                    break;
                }
                md5.update(buf, 0, n);
                writer.write(buf, 0, n);
                size += n;
                if (writer.size() == chunkSize) {
                    refs.add(writer.finish());
                    writer = chunks.newWriter();
                }
            }
            if (writer.size() > 0) {
                refs.add(writer.finish());
            }
        } finally {
            writer.close();
        }
        return new StagedChunks(size, Hex.of(md5.digest()), null, refs, stagedAt);
    }

    @Override
    public PutResult commit(ObjectWrite write, StagedBody body) throws IOException {
        if (!(body instanceof StagedChunks staged)) {
            throw new IllegalArgumentException("body was not staged by this store");
        }
        if (stagedLongAgo(staged.stagedAtMillis(), gcGraceMillis)) {
            keep(staged.chunks());
        }
        return publish(write, staged.size(), staged.md5Hex(), staged.inline(), staged.chunks());
    }

    /**
     * Whether a body whose staging began at {@code stagedAtMillis} must have its chunks put again before its record
     * is written: the collector's proof allows a quarter of the grace between a chunk's put and the reference to it
     * (another quarter for the record write itself, half for the collector's own round).
     */
    public static boolean stagedLongAgo(long stagedAtMillis, long gcGraceMillis) {
        return System.currentTimeMillis() - stagedAtMillis > gcGraceMillis / 4;
    }

    /**
     * Publishes an object made of chunks that are already durable (the parts of a multipart upload),
     * with an ETag computed by the caller (S3's multipart form).
     */
    public PutResult publish(ObjectWrite write, long size, String etag, List<ChunkRef> chunkList) throws IOException {
        keep(chunkList);
        return publish(write, size, etag, null, chunkList);
    }

    @Override
    public void keep(List<ChunkRef> chunkList) throws IOException {
        for (ChunkRef ref : chunkList) {
            if (!chunks.touch(ref)) {
                throw new io.hifadhi.api.store.StoreUnavailableException("chunk " + ref.id()
                        + " of this upload is no longer on this node (collected after sitting unreferenced for longer than"
                        + " the grace period); upload it again");
            }
        }
    }

    private PutResult publish(ObjectWrite write, long size, String etag, byte[] inline, List<ChunkRef> chunkList)
            throws IOException {
        synchronized (lockFor(write.bucket(), write.key())) {
            Optional<ObjectRecord> existing = records.get(write.bucket(), write.key());
            ObjectRecord record = new ObjectRecord(write.bucket(), write.key(), size, etag,
                    write.contentType(), write.userMetadata(), stampAfter(existing), false,
                    inline, chunkList, expiresAtMillis(write), write.grants(), write.tags(), 0, write.checksum(), write.parts());
            records.put(record);
            return new PutResult(record.toInfo(), existing.map(r -> !r.deleted()).orElse(false));
        }
    }

    @Override
    public Optional<StoredObject> get(String bucket, String key) throws IOException {
        return record(bucket, key).map(LocalObject::new);
    }

    /** The live record of an object (grants included), or empty when absent, deleted or expired. */
    public Optional<ObjectRecord> record(String bucket, String key) throws IOException {
        return records.get(bucket, key).filter(r -> r.liveAt(System.currentTimeMillis()));
    }

    /** The record field of a write's expiry: 0 for never. */
    public static long expiresAtMillis(ObjectWrite write) {
        return write.expiresAt() == null ? 0 : write.expiresAt().toEpochMilli();
    }

    /**
     * Deletes exactly this version of an object (its expiry, or a lifecycle rule, came): nothing happens when the key
     * holds another version by now. Returns whether it was deleted.
     */
    public boolean expire(String bucket, String key, VersionStamp version) throws IOException {
        synchronized (lockFor(bucket, key)) {
            Optional<ObjectRecord> existing = records.get(bucket, key);
            if (existing.isEmpty() || existing.get().deleted() || !existing.get().version().equals(version)) {
                return false;
            }
            records.put(ObjectRecord.expiryTombstone(bucket, key, version));
            return true;
        }
    }

    @Override
    public void deleteVersion(String bucket, String key, String version) throws IOException {
        expire(bucket, key, VersionStamp.parse(version));
    }

    /**
     * Rewrites the live object's grants as a new version of its record (same content, newer stamp).
     * Returns the new record, or empty when there is no live object.
     */
    public Optional<ObjectRecord> updateGrants(String bucket, String key,
                                               java.util.function.UnaryOperator<List<io.hifadhi.api.auth.Grant>> change)
            throws IOException {
        return restate(bucket, key, (r, stamp) -> r.withGrants(change.apply(r.grants()), stamp));
    }

    @Override
    public Optional<ObjectInfo> retag(String bucket, String key, Map<String, String> tags) throws IOException {
        return restate(bucket, key, (r, stamp) -> r.withTags(tags, stamp)).map(ObjectRecord::toInfo);
    }

    /** Writes the live record, changed, under a newer stamp (same body); empty when there is no live object. */
    private Optional<ObjectRecord> restate(String bucket, String key,
                                           java.util.function.BiFunction<ObjectRecord, VersionStamp, ObjectRecord> change)
            throws IOException {
        synchronized (lockFor(bucket, key)) {
            Optional<ObjectRecord> existing = records.get(bucket, key);
            if (existing.isEmpty() || !existing.get().liveAt(System.currentTimeMillis())) {
                return Optional.empty();
            }
            ObjectRecord updated = change.apply(existing.get(), stampAfter(existing));
            records.put(updated);
            return Optional.of(updated);
        }
    }

    @Override
    public boolean delete(String bucket, String key) throws IOException {
        synchronized (lockFor(bucket, key)) {
            Optional<ObjectRecord> existing = records.get(bucket, key);
            records.put(ObjectRecord.tombstone(bucket, key, stampAfter(existing)));
            return existing.map(r -> !r.deleted()).orElse(false);
        }
    }

    @Override
    public ListPage list(String bucket, String prefix, String startAfter, int maxKeys) {
        long now = System.currentTimeMillis();
        List<ObjectInfo> infos = new ArrayList<>();
        String after = startAfter;
        while (true) {
            // Expired objects are left out, so a page of records may hold fewer keys to list: scan on past them.
            List<ObjectRecord> found = records.scan(bucket, prefix, after, maxKeys + 1);
            for (ObjectRecord r : found) {
                if (r.expiredAt(now)) {
                    continue;
                }
                if (infos.size() == maxKeys) {
                    return new ListPage(infos, true);
                }
                infos.add(r.toInfo());
            }
            if (found.size() <= maxKeys) {
                return new ListPage(infos, false);
            }
            after = found.get(found.size() - 1).key();
        }
    }

    /** A fresh stamp that beats the stored one even if the wall clock stepped back since it was written. */
    private VersionStamp stampAfter(Optional<ObjectRecord> existing) {
        VersionStamp stamp = clock.now();
        if (existing.isPresent() && !stamp.isNewerThan(existing.get().version())) {
            stamp = clock.observe(existing.get().version());
        }
        return stamp;
    }

    private Object lockFor(String bucket, String key) {
        return locks[Math.floorMod(31 * bucket.hashCode() + key.hashCode(), locks.length)];
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private final class LocalObject implements StoredObject {
        private final ObjectRecord record;

        LocalObject(ObjectRecord record) {
            this.record = record;
        }

        @Override
        public ObjectInfo info() {
            return record.toInfo();
        }

        @Override
        public InputStream open(long offset, long length) throws IOException {
            InputStream inline = record.openInline(offset, length);
            return inline != null ? inline : new ChunkedReadStream(chunks, record.chunks(), offset, length, null);
        }
    }
}
