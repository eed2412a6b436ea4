package io.hifadhi.node.storage;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.Serializer;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import com.esotericsoftware.kryo.kryo5.util.Pool;
import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.signature.ChecksumAlgorithm;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.ObjectPart;
import io.hifadhi.node.clock.VersionStamp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * On-disk (and later wire) encoding of records: one format-version byte, then Kryo with
 * registration required and explicit per-field serializers, so the byte layout is ours and does
 * not drift with class internals. Bump {@link #FORMAT_VERSION} and keep a reader for the old one
 * when the layout changes.
 */
public final class RecordCodec {
    /**
     * 6: format 5 followed by the CRC32C of the inline body plus one (0: none known, as for a record of an earlier format
     * passed on).
     * 5: format 4 followed by the record's S3 object ACL (api's stored form, "" for none).
     * 4: format 3 followed by the body's S3 checksum (a flag; when set the algorithm's name, whether it is composite,
     * the value) and its part boundaries (count, then per part its number, size and checksum or null).
     * 3: format 2 followed by the record's S3 tags (count, then key and value of each, in key order) and the time its
     * body was written (0: at its version). 2: format 1 followed by the record's IP grants (count, then per grant its
     * canonical CIDR text and expiry millis). Formats 1 (no grants), 2 (no tags) and 3 (no
     * checksum, no parts), 4 (no object ACL) and 5 (no CRC of the inline body) are still read.
     */
    public static final byte FORMAT_VERSION = 6;
    static final byte FORMAT_V1 = 1;
    static final byte FORMAT_V2 = 2;
    static final byte FORMAT_V3 = 3;
    static final byte FORMAT_V4 = 4;
    static final byte FORMAT_V5 = 5;

    private final Pool<Kryo> pool = new Pool<>(true, false, 32) {
        @Override
        protected Kryo create() {
            Kryo kryo = new Kryo();
            kryo.setRegistrationRequired(true);
            kryo.setReferences(false);
            kryo.register(VersionStamp.class, new VersionStampSerializer(), 20);
            kryo.register(ChunkRef.class, new ChunkRefSerializer(), 21);
            kryo.register(ObjectRecord.class, new ObjectRecordSerializer(), 22);
            return kryo;
        }
    };

    public byte[] encode(ObjectRecord record) {
        Kryo kryo = pool.obtain();
        try (Output out = new Output(256 + (record.inline() == null ? 0 : record.inline().length), -1)) {
            out.writeByte(FORMAT_VERSION);
            kryo.writeObject(out, record);
            out.writeVarInt(record.grants().size(), true);
            for (Grant g : record.grants()) {
                out.writeString(g.network().toString());
                out.writeVarLong(g.expiresAtMillis(), true);
            }
            out.writeVarInt(record.tags().size(), true);
            for (Map.Entry<String, String> t : new TreeMap<>(record.tags()).entrySet()) {
                out.writeString(t.getKey());
                out.writeString(t.getValue());
            }
            out.writeVarLong(record.bodyWrittenMillis(), true);
            writeChecksum(out, record.checksum());
            out.writeVarInt(record.parts().size(), true);
            for (ObjectPart p : record.parts()) {
                out.writeVarInt(p.number(), true);
                out.writeVarLong(p.size(), true);
                out.writeString(p.checksum());
            }
            out.writeString(record.acl());
            out.writeVarLong(record.inlineCrc() + 1, true);
            return out.toBytes();
        } finally {
            pool.free(kryo);
        }
    }

    public ObjectRecord decode(byte[] bytes) {
        if (bytes.length == 0 || bytes[0] < FORMAT_V1 || bytes[0] > FORMAT_VERSION) {
            throw new IllegalStateException("unknown record format " + (bytes.length == 0 ? "(empty)" : bytes[0])
                    + "; this node reads formats " + FORMAT_V1 + " to " + FORMAT_VERSION);
        }
        Kryo kryo = pool.obtain();
        try (Input in = new Input(bytes, 1, bytes.length - 1)) {
            ObjectRecord r = kryo.readObject(in, ObjectRecord.class);
            if (bytes[0] == FORMAT_V1) {
                return r;
            }
            int count = in.readVarInt(true);
            List<Grant> grants = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                grants.add(new Grant(Cidr.parse(in.readString()), in.readVarLong(true)));
            }
            Map<String, String> tags = new LinkedHashMap<>();
            long bodyWritten = 0;
            if (bytes[0] > FORMAT_V2) {
                int tagCount = in.readVarInt(true);
                for (int i = 0; i < tagCount; i++) {
                    tags.put(in.readString(), in.readString());
                }
                bodyWritten = in.readVarLong(true);
            }
            ObjectChecksum checksum = null;
            List<ObjectPart> parts = new ArrayList<>();
            if (bytes[0] > FORMAT_V3) {
                checksum = readChecksum(in);
                int partCount = in.readVarInt(true);
                for (int i = 0; i < partCount; i++) {
                    parts.add(new ObjectPart(in.readVarInt(true), in.readVarLong(true), in.readString()));
                }
            }
            String acl = bytes[0] > FORMAT_V4 ? in.readString() : "";
            long inlineCrc = bytes[0] > FORMAT_V5 ? in.readVarLong(true) - 1 : ObjectRecord.CRC_UNKNOWN;
            return new ObjectRecord(r.bucket(), r.key(), r.size(), r.etag(), r.contentType(), r.userMetadata(), r.version(),
                    r.deleted(), r.inline(), r.chunks(), r.expiresAtMillis(), grants, tags, bodyWritten, checksum, parts, acl,
                    inlineCrc);
        } finally {
            pool.free(kryo);
        }
    }

    private static void writeChecksum(Output out, ObjectChecksum checksum) {
        out.writeBoolean(checksum != null);
        if (checksum != null) {
            out.writeString(checksum.algorithm().name());
            out.writeBoolean(checksum.type() == ObjectChecksum.Type.COMPOSITE);
            out.writeString(checksum.value());
        }
    }

    private static ObjectChecksum readChecksum(Input in) {
        if (!in.readBoolean()) {
            return null;
        }
        ChecksumAlgorithm algorithm = ChecksumAlgorithm.valueOf(in.readString());
        ObjectChecksum.Type type = in.readBoolean() ? ObjectChecksum.Type.COMPOSITE : ObjectChecksum.Type.FULL_OBJECT;
        return new ObjectChecksum(algorithm, type, in.readString());
    }

    static final class VersionStampSerializer extends Serializer<VersionStamp> {
        @Override
        public void write(Kryo kryo, Output out, VersionStamp v) {
            out.writeVarLong(v.wallMillis(), true);
            out.writeVarInt(v.counter(), true);
            out.writeString(v.nodeId());
        }

        @Override
        public VersionStamp read(Kryo kryo, Input in, Class<? extends VersionStamp> type) {
            return new VersionStamp(in.readVarLong(true), in.readVarInt(true), in.readString());
        }
    }

    static final class ChunkRefSerializer extends Serializer<ChunkRef> {
        @Override
        public void write(Kryo kryo, Output out, ChunkRef c) {
            out.writeBytes(Hex.parse(c.id()));
            out.writeVarInt(c.length(), true);
        }

        @Override
        public ChunkRef read(Kryo kryo, Input in, Class<? extends ChunkRef> type) {
            return new ChunkRef(Hex.of(in.readBytes(32)), in.readVarInt(true));
        }
    }

    static final class ObjectRecordSerializer extends Serializer<ObjectRecord> {
        @Override
        public void write(Kryo kryo, Output out, ObjectRecord r) {
            out.writeString(r.bucket());
            out.writeString(r.key());
            out.writeVarLong(r.size(), true);
            out.writeString(r.etag());
            out.writeString(r.contentType());
            out.writeVarInt(r.userMetadata().size(), true);
            for (Map.Entry<String, String> e : r.userMetadata().entrySet()) {
                out.writeString(e.getKey());
                out.writeString(e.getValue());
            }
            kryo.writeObject(out, r.version());
            out.writeBoolean(r.deleted());
            if (r.inline() == null) {
                out.writeVarInt(0, true);
            } else {
                out.writeVarInt(r.inline().length + 1, true);
                out.writeBytes(r.inline());
            }
            out.writeVarInt(r.chunks().size(), true);
            for (ChunkRef c : r.chunks()) {
                kryo.writeObject(out, c);
            }
            out.writeVarLong(r.expiresAtMillis(), true);
        }

        @Override
        public ObjectRecord read(Kryo kryo, Input in, Class<? extends ObjectRecord> type) {
            String bucket = in.readString();
            String key = in.readString();
            long size = in.readVarLong(true);
            String etag = in.readString();
            String contentType = in.readString();
            int metaCount = in.readVarInt(true);
            Map<String, String> meta = new LinkedHashMap<>();
            for (int i = 0; i < metaCount; i++) {
                meta.put(in.readString(), in.readString());
            }
            VersionStamp version = kryo.readObject(in, VersionStamp.class);
            boolean deleted = in.readBoolean();
            int inlineLen = in.readVarInt(true);
            byte[] inline = inlineLen == 0 ? null : in.readBytes(inlineLen - 1);
            int chunkCount = in.readVarInt(true);
            List<ChunkRef> chunks = new ArrayList<>(chunkCount);
            for (int i = 0; i < chunkCount; i++) {
                chunks.add(kryo.readObject(in, ChunkRef.class));
            }
            long expires = in.readVarLong(true);
            // No CRC here: one taken of bytes just read would vouch for them unchecked (decode adds the stored one).
            return new ObjectRecord(bucket, key, size, etag, contentType, meta, version, deleted, inline, chunks, expires,
                    List.of(), Map.of(), 0, null, List.of(), "", ObjectRecord.CRC_UNKNOWN);
        }
    }
}
