package io.hifadhi.node.storage;

import io.hifadhi.api.s3.MultipartStore;
import io.hifadhi.api.signature.ChecksumAlgorithm;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.ObjectPart;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Multipart uploads, in a {@link SortedTable} (replicated to every node, so the parts of one upload
 * may arrive at any node and any node may complete it):
 * <ul>
 * <li>{@code 'u' bucket 0x00 key 0x00 uploadId} to the upload (owner, initiation, content type, metadata);</li>
 * <li>{@code 'p' uploadId 0x00 partNumber(4 bytes, big-endian)} to the part (size, MD5, time, chunk list).</li>
 * </ul>
 * Parts are ordinary durable chunks (a small inline-staged part is written out as a chunk), so
 * completing an upload only writes one object record naming the parts' chunks in order: no bytes
 * are copied. Upload ids start with the initiation time in hex so they sort in initiation order.
 * Chunks of aborted uploads and replaced parts are left to the chunk collector; the parts of uploads in
 * progress count as references ({@link #forEachChunk}).
 */
public final class MultipartUploads implements MultipartStore, ChunkReferences {
    private static final byte FORMAT_VERSION = 1;
    private static final int ID_LENGTH = 28;

    private final SortedTable table;
    private final ObjectPublisher objects;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Object[] locks = new Object[64];

    public MultipartUploads(SortedTable table, ObjectPublisher objects, Clock clock) {
        this.table = table;
        this.objects = objects;
        this.clock = clock;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    @Override
    public Upload create(ObjectWrite write, String owner, ChecksumAlgorithm checksumAlgorithm,
                         ObjectChecksum.Type checksumType, boolean publicRead) throws IOException {
        Instant now = clock.instant();
        byte[] r = new byte[8];
        random.nextBytes(r);
        String id = String.format("%012x", now.toEpochMilli()) + HexFormat.of().formatHex(r);
        Upload upload = new Upload(id, write, owner, now, checksumAlgorithm, checksumType, publicRead);
        table.put(uploadKey(write.bucket(), write.key(), id), encodeUpload(upload));
        return upload;
    }

    @Override
    public Optional<Upload> upload(String bucket, String key, String uploadId) throws IOException {
        if (!validId(uploadId)) {
            return Optional.empty();
        }
        byte[] k = uploadKey(bucket, key, uploadId);
        Optional<byte[]> found = table.get(k);
        if (found.isEmpty()) {
            // Created through another node a moment ago? Its write waited for a quorum, not for us.
            table.refresh();
            found = table.get(k);
        }
        return found.map(v -> decodeUpload(bucket, key, uploadId, v));
    }

    @Override
    public Part putPart(Upload upload, int number, StagedBody body, ObjectChecksum checksum) throws IOException {
        // Staged by the data path: its chunks are already on W replicas (an inline body is written out as one chunk).
        List<ChunkRef> refs = objects.chunksOf(body);
        Part part = new Part(number, body.size(), body.md5Hex(), clock.instant(), checksum);
        // The part becomes a reference to its chunks: the collector's write barrier (see ChunkCollector).
        objects.keep(refs);
        synchronized (lockFor(upload.uploadId())) {
            if (upload(upload.bucket(), upload.key(), upload.uploadId()).isEmpty()) {
                throw new IOException("upload " + upload.uploadId() + " ended while a part was arriving");
            }
            table.put(partKey(upload.uploadId(), number), encodePart(part, refs));
        }
        return part;
    }

    @Override
    public List<Part> parts(Upload upload) {
        List<Part> out = new ArrayList<>();
        table.scan(partPrefix(upload.uploadId()), null, (k, v) -> {
            out.add(decodePart(partNumberOf(k), v).part());
            return true;
        });
        return out;
    }

    @Override
    public PutResult complete(Upload upload, List<Integer> partNumbers, String etag, ObjectChecksum checksum)
            throws IOException {
        synchronized (lockFor(upload.uploadId())) {
            if (upload(upload.bucket(), upload.key(), upload.uploadId()).isEmpty()) {
                throw new IOException("upload " + upload.uploadId() + " already ended");
            }
            Map<Integer, StoredPart> stored = storedParts(upload);
            if (!stored.keySet().containsAll(partNumbers)) {
                // A part sent through another node may not have reached this one yet.
                table.refresh();
                stored = storedParts(upload);
            }
            List<ChunkRef> refs = new ArrayList<>();
            List<ObjectPart> boundaries = new ArrayList<>();
            long size = 0;
            for (int n : partNumbers) {
                StoredPart p = stored.get(n);
                if (p == null) {
                    throw new IllegalArgumentException("part " + n + " is not in upload " + upload.uploadId());
                }
                refs.addAll(p.chunks());
                size += p.part().size();
                ObjectChecksum partSum = p.part().checksum();
                boundaries.add(new ObjectPart(n, p.part().size(), partSum == null ? null : partSum.value()));
            }
            PutResult result = objects.publish(upload.write().withBody(checksum, boundaries), size, etag, refs);
            Map<byte[], byte[]> removals = new LinkedHashMap<>();
            removals.put(uploadKey(upload.bucket(), upload.key(), upload.uploadId()), null);
            for (int n : stored.keySet()) {
                removals.put(partKey(upload.uploadId(), n), null);
            }
            table.write(removals);
            return result;
        }
    }

    /**
     * Visits the chunks of every part this node knows of, in uploads still in progress: they are referenced (an
     * upload in progress keeps its parts), so the collector must not take them.
     */
    @Override
    public void forEachChunk(java.util.function.Consumer<ChunkRef> visitor) {
        table.scan(new byte[]{'p'}, null, (k, v) -> {
            decodePart(partNumberOf(k), v).chunks().forEach(visitor);
            return true;
        });
    }

    /**
     * Aborts every upload initiated before {@code cutoff} (abandoned: {@code --multipart-expiry}, for the whole
     * cluster); their parts' chunks are then left to the collector. Any node may run this: an abort is idempotent.
     * Returns how many were aborted.
     */
    public int abortInitiatedBefore(Instant cutoff) throws IOException {
        return abortWhere(u -> u.initiated().isBefore(cutoff));
    }

    /**
     * Aborts every upload {@code abandoned} picks (a bucket's AbortIncompleteMultipartUpload rule, the node-wide
     * expiry); their parts' chunks are then left to the collector. Returns how many were aborted.
     */
    public int abortWhere(java.util.function.Predicate<Upload> abandoned) throws IOException {
        List<Upload> old = new ArrayList<>();
        table.scan(new byte[]{'u'}, null, (k, v) -> {
            int bucketEnd = indexOf(k, 1);
            int keyEnd = k.length - ID_LENGTH - 1;
            if (bucketEnd > 0 && keyEnd > bucketEnd) {
                String bucket = new String(k, 1, bucketEnd - 1, StandardCharsets.UTF_8);
                String key = new String(k, bucketEnd + 1, keyEnd - bucketEnd - 1, StandardCharsets.UTF_8);
                String id = new String(k, keyEnd + 1, ID_LENGTH, StandardCharsets.UTF_8);
                Upload u = decodeUpload(bucket, key, id, v);
                if (abandoned.test(u)) {
                    old.add(u);
                }
            }
            return true;
        });
        for (Upload u : old) {
            abort(u);
        }
        return old.size();
    }

    /** Reads only each upload row's owner (its value starts with the format version, then the owner). */
    @Override
    public int openUploads(String owner, int atMost) {
        int[] open = {0};
        table.scan(new byte[]{'u'}, null, (k, v) -> {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(v))) {
                in.readByte();
                if (in.readUTF().equals(owner)) {
                    open[0]++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("corrupt upload record " + new String(k, StandardCharsets.UTF_8), e);
            }
            return open[0] < atMost;
        });
        return open[0];
    }

    private static int indexOf(byte[] a, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private Map<Integer, StoredPart> storedParts(Upload upload) {
        Map<Integer, StoredPart> stored = new TreeMap<>();
        table.scan(partPrefix(upload.uploadId()), null, (k, v) -> {
            stored.put(partNumberOf(k), decodePart(partNumberOf(k), v));
            return true;
        });
        return stored;
    }

    @Override
    public void abort(Upload upload) throws IOException {
        synchronized (lockFor(upload.uploadId())) {
            Map<byte[], byte[]> removals = new LinkedHashMap<>();
            removals.put(uploadKey(upload.bucket(), upload.key(), upload.uploadId()), null);
            table.scan(partPrefix(upload.uploadId()), null, (k, v) -> {
                removals.put(k, null);
                return true;
            });
            table.write(removals);
        }
    }

    @Override
    public List<Upload> list(String bucket, String prefix, String keyMarker, String uploadIdMarker, int max) {
        byte[] scanPrefix = concat(new byte[]{'u'}, utf8(bucket), new byte[]{0}, utf8(prefix));
        byte[] from = null;
        if (keyMarker != null) {
            from = uploadIdMarker != null && validId(uploadIdMarker)
                    ? uploadKey(bucket, keyMarker, uploadIdMarker)
                    : concat(new byte[]{'u'}, utf8(bucket), new byte[]{0}, utf8(keyMarker), new byte[]{0, (byte) 0xFF});
            if (Arrays.compareUnsigned(from, scanPrefix) < 0) {
                from = null;
            }
        }
        byte[] exclusive = from;
        int keyStart = 1 + utf8(bucket).length + 1;
        List<Upload> out = new ArrayList<>();
        table.scan(scanPrefix, from, (k, v) -> {
            if (exclusive != null && Arrays.equals(k, exclusive)) {
                return true;
            }
            String id = new String(k, k.length - ID_LENGTH, ID_LENGTH, StandardCharsets.UTF_8);
            String key = new String(k, keyStart, k.length - ID_LENGTH - 1 - keyStart, StandardCharsets.UTF_8);
            out.add(decodeUpload(bucket, key, id, v));
            return out.size() < max;
        });
        return out;
    }

    private Object lockFor(String uploadId) {
        return locks[Math.floorMod(uploadId.hashCode(), locks.length)];
    }

    static boolean validId(String id) {
        return id != null && id.length() == ID_LENGTH && id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    private static byte[] uploadKey(String bucket, String key, String id) {
        return concat(new byte[]{'u'}, utf8(bucket), new byte[]{0}, utf8(key), new byte[]{0}, utf8(id));
    }

    private static byte[] partPrefix(String id) {
        return concat(new byte[]{'p'}, utf8(id), new byte[]{0});
    }

    private static byte[] partKey(String id, int number) {
        return concat(partPrefix(id), ByteBuffer.allocate(4).putInt(number).array());
    }

    private static int partNumberOf(byte[] key) {
        return ByteBuffer.wrap(key, key.length - 4, 4).getInt();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    record StoredPart(Part part, List<ChunkRef> chunks) {
    }

    static byte[] encodeUpload(Upload u) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeUTF(u.owner());
            out.writeLong(u.initiated().toEpochMilli());
            out.writeUTF(u.write().contentType());
            out.writeInt(u.write().userMetadata().size());
            for (Map.Entry<String, String> e : u.write().userMetadata().entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
            // Appended after the metadata: an upload recorded before tags existed simply ends here.
            out.writeInt(u.write().tags().size());
            for (Map.Entry<String, String> e : u.write().tags().entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
            // Appended after the tags: an upload recorded before checksums existed ends there; the object ACL after.
            out.writeUTF(u.checksumAlgorithm() == null ? "" : u.checksumAlgorithm().name());
            out.writeUTF(u.checksumType() == null ? "" : u.checksumType().name());
            out.writeBoolean(u.publicRead());
        }
        return bytes.toByteArray();
    }

    static Upload decodeUpload(String bucket, String key, String id, byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            checkVersion(in.readByte());
            String owner = in.readUTF();
            Instant initiated = Instant.ofEpochMilli(in.readLong());
            String contentType = in.readUTF();
            int n = in.readInt();
            Map<String, String> meta = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                meta.put(readString(in), readString(in));
            }
            Map<String, String> tags = new TreeMap<>();
            int tagCount = in.available() > 0 ? in.readInt() : 0;
            for (int i = 0; i < tagCount; i++) {
                tags.put(readString(in), readString(in));
            }
            String algorithm = in.available() > 0 ? in.readUTF() : "";
            String type = in.available() > 0 ? in.readUTF() : "";
            boolean publicRead = in.available() > 0 && in.readBoolean();
            return new Upload(id, new ObjectWrite(bucket, key, contentType, meta, null, tags), owner, initiated,
                    algorithm.isEmpty() ? null : ChecksumAlgorithm.valueOf(algorithm),
                    type.isEmpty() ? null : ObjectChecksum.Type.valueOf(type), publicRead);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt upload record " + id, e);
        }
    }

    static byte[] encodePart(Part p, List<ChunkRef> refs) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeLong(p.size());
            out.writeUTF(p.etag());
            out.writeLong(p.lastModified().toEpochMilli());
            out.writeInt(refs.size());
            for (ChunkRef c : refs) {
                out.write(Hex.parse(c.id()));
                out.writeInt(c.length());
            }
            // Appended after the chunks: a part recorded before checksums existed ends there.
            out.writeUTF(p.checksum() == null ? "" : p.checksum().algorithm().name());
            out.writeUTF(p.checksum() == null ? "" : p.checksum().value());
        }
        return bytes.toByteArray();
    }

    static StoredPart decodePart(int number, byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            checkVersion(in.readByte());
            long size = in.readLong();
            String etag = in.readUTF();
            Instant modified = Instant.ofEpochMilli(in.readLong());
            int n = in.readInt();
            List<ChunkRef> refs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] id = in.readNBytes(32);
                refs.add(new ChunkRef(Hex.of(id), in.readInt()));
            }
            String algorithm = in.available() > 0 ? in.readUTF() : "";
            ObjectChecksum checksum = algorithm.isEmpty() ? null
                    : ObjectChecksum.fullObject(ChecksumAlgorithm.valueOf(algorithm), in.readUTF());
            return new StoredPart(new Part(number, size, etag, modified, checksum), refs);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt part record " + number, e);
        }
    }

    private static void checkVersion(byte v) throws IOException {
        if (v != FORMAT_VERSION) {
            throw new IOException("unknown multipart record format " + v);
        }
    }

    /** Strings longer than writeUTF's 64 KiB limit cannot occur (keys 1 KiB, metadata 2 KiB) but are not truncated silently. */
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = utf8(s);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (1 << 20)) {
            throw new IOException("bad string length " + n);
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
