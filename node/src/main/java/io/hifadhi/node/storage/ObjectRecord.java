package io.hifadhi.node.storage;

import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.store.CorruptDataException;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.ObjectPart;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.schema.Versioned;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.zip.CRC32C;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The manifest of one object version: either its bytes inline (small objects) or its ordered
 * chunk list. A tombstone has {@code deleted} set and no content. Records are LWW registers
 * ordered by {@code version}.
 *
 * @param inline          the whole body when small, else null
 * @param expiresAtMillis 0 when the object never expires; from then on the object reads as absent on every node (the
 *                        field travels with the record), and the expiry pass deletes it ({@link #expiryTombstone})
 * @param grants          IP grants on this version (read access without a key); a new body or a
 *                        tombstone starts with none, a grant change is a new version of the record
 * @param tags            S3 object tags; like grants, a tag change is a new version of the record with the same body
 * @param bodyWrittenMillis when this body was written, for a record that re-states an older body under a newer stamp
 *                        (a grant or tag change): S3's Last-Modified and lifecycle ages count from it, not from the
 *                        change; 0 when the body was written with this version
 * @param checksum        the S3 additional checksum of the body, null when none was asked for; it travels with the body
 * @param parts           the part boundaries of a multipart object, in order; empty for a body written in one piece
 * @param acl             the S3 object ACL's grants other than AllUsers READ (which is {@code grants} to every
 *                        address), in api's stored form; "" for none. Like grants, it belongs to this body: a new
 *                        body or a tombstone starts without, a change is a new version of the record
 * @param inlineCrc       the CRC32C of {@code inline}, taken where the body came in and carried with it (to disk, to
 *                        other nodes, into every re-statement), so that a read checks the body with an intrinsic
 *                        instead of an MD5; {@link #CRC_UNKNOWN} for a body read from a format that kept none (its ETag,
 *                        the MD5, is checked instead) and for a record without an inline body
 */
public record ObjectRecord(String bucket, String key, long size, String etag, String contentType,
                           Map<String, String> userMetadata, VersionStamp version, boolean deleted,
                           byte[] inline, List<ChunkRef> chunks, long expiresAtMillis, List<Grant> grants,
                           Map<String, String> tags, long bodyWrittenMillis, ObjectChecksum checksum,
                           List<ObjectPart> parts, String acl, long inlineCrc) implements Versioned {
    /** No CRC of the inline body is known: none, or read from a record format before 6. */
    public static final long CRC_UNKNOWN = -1;

    /** A record of a body that came in here: its CRC is taken now. */
    public ObjectRecord(String bucket, String key, long size, String etag, String contentType,
                        Map<String, String> userMetadata, VersionStamp version, boolean deleted,
                        byte[] inline, List<ChunkRef> chunks, long expiresAtMillis, List<Grant> grants,
                        Map<String, String> tags, long bodyWrittenMillis, ObjectChecksum checksum,
                        List<ObjectPart> parts, String acl) {
        this(bucket, key, size, etag, contentType, userMetadata, version, deleted, inline, chunks, expiresAtMillis, grants,
                tags, bodyWrittenMillis, checksum, parts, acl, crcOf(inline));
    }

    /** The CRC32C of an inline body, or {@link #CRC_UNKNOWN} for none. */
    public static long crcOf(byte[] inline) {
        if (inline == null) {
            return CRC_UNKNOWN;
        }
        CRC32C crc = new CRC32C();
        crc.update(inline);
        return crc.getValue();
    }

    /** A record without an object ACL beyond its grants. */
    public ObjectRecord(String bucket, String key, long size, String etag, String contentType,
                        Map<String, String> userMetadata, VersionStamp version, boolean deleted,
                        byte[] inline, List<ChunkRef> chunks, long expiresAtMillis, List<Grant> grants,
                        Map<String, String> tags, long bodyWrittenMillis, ObjectChecksum checksum,
                        List<ObjectPart> parts) {
        this(bucket, key, size, etag, contentType, userMetadata, version, deleted, inline, chunks, expiresAtMillis, grants,
                tags, bodyWrittenMillis, checksum, parts, "");
    }

    /** A record without a checksum, of a body written in one piece. */
    public ObjectRecord(String bucket, String key, long size, String etag, String contentType,
                        Map<String, String> userMetadata, VersionStamp version, boolean deleted,
                        byte[] inline, List<ChunkRef> chunks, long expiresAtMillis, List<Grant> grants,
                        Map<String, String> tags, long bodyWrittenMillis) {
        this(bucket, key, size, etag, contentType, userMetadata, version, deleted, inline, chunks, expiresAtMillis, grants,
                tags, bodyWrittenMillis, null, List.of());
    }

    /** A record without tags whose body was written with this version. */
    public ObjectRecord(String bucket, String key, long size, String etag, String contentType,
                        Map<String, String> userMetadata, VersionStamp version, boolean deleted,
                        byte[] inline, List<ChunkRef> chunks, long expiresAtMillis, List<Grant> grants) {
        this(bucket, key, size, etag, contentType, userMetadata, version, deleted, inline, chunks, expiresAtMillis, grants,
                Map.of(), 0);
    }

    /** A record without grants. */
    public ObjectRecord(String bucket, String key, long size, String etag, String contentType,
                        Map<String, String> userMetadata, VersionStamp version, boolean deleted,
                        byte[] inline, List<ChunkRef> chunks, long expiresAtMillis) {
        this(bucket, key, size, etag, contentType, userMetadata, version, deleted, inline, chunks, expiresAtMillis, List.of());
    }

    public ObjectRecord {
        Objects.requireNonNull(bucket);
        Objects.requireNonNull(key);
        Objects.requireNonNull(etag);
        Objects.requireNonNull(contentType);
        Objects.requireNonNull(version);
        userMetadata = Map.copyOf(userMetadata);
        chunks = List.copyOf(chunks);
        grants = grants == null || deleted ? List.of() : List.copyOf(grants);
        tags = tags == null || deleted ? Map.of() : Map.copyOf(tags);
        checksum = deleted ? null : checksum;
        parts = parts == null || deleted ? List.of() : List.copyOf(parts);
        acl = acl == null || deleted ? "" : acl;
        inlineCrc = inline == null ? CRC_UNKNOWN : inlineCrc;
        if (!deleted) {
            long stored = inline != null ? inline.length : chunks.stream().mapToLong(ChunkRef::length).sum();
            if (stored != size) {
                throw new IllegalArgumentException("record size " + size + " does not match its content " + stored);
            }
        }
    }

    public static ObjectRecord tombstone(String bucket, String key, VersionStamp version) {
        return new ObjectRecord(bucket, key, 0, "", "application/octet-stream", Map.of(), version, true, null, List.of(), 0);
    }

    /** Whether this is a version a reader may see at {@code nowMillis}: not a tombstone, not past its expiry. */
    public boolean liveAt(long nowMillis) {
        return !deleted && !expiredAt(nowMillis);
    }

    public boolean expiredAt(long nowMillis) {
        return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
    }

    /**
     * A tombstone that deletes exactly {@code version} of an object: its stamp is the least one newer, so it wins
     * over that version everywhere (LWW) and loses to any write made after this version was seen (an expiry pass
     * racing a new PUT of the key never deletes the new object).
     */
    public static ObjectRecord expiryTombstone(String bucket, String key, VersionStamp version) {
        return tombstone(bucket, key, new VersionStamp(version.wallMillis(), version.counter() + 1, version.nodeId()));
    }

    /** The same content under a new version stamp with other grants (a grant or revoke) and object ACL. */
    public ObjectRecord withAccess(List<Grant> newGrants, String newAcl, VersionStamp newVersion) {
        return new ObjectRecord(bucket, key, size, etag, contentType, userMetadata, newVersion, deleted, inline, chunks,
                expiresAtMillis, newGrants, tags, restatedAt(newVersion), checksum, parts, newAcl, inlineCrc);
    }

    /** The same content under a new version stamp with other tags (PutObjectTagging, DeleteObjectTagging). */
    public ObjectRecord withTags(Map<String, String> newTags, VersionStamp newVersion) {
        return new ObjectRecord(bucket, key, size, etag, contentType, userMetadata, newVersion, deleted, inline, chunks,
                expiresAtMillis, grants, newTags, restatedAt(newVersion), checksum, parts, acl, inlineCrc);
    }

    /** The body-written time a re-statement of this body under {@code newVersion} carries (0: the version's own). */
    private long restatedAt(VersionStamp newVersion) {
        long written = lastModifiedMillis();
        return newVersion.wallMillis() == written ? 0 : written;
    }

    /** When this version's body was written: S3's Last-Modified, and where lifecycle rules count days from. */
    public long lastModifiedMillis() {
        return bodyWrittenMillis != 0 ? bodyWrittenMillis : version.wallMillis();
    }

    /**
     * Checks that {@code offset..offset+length} lies inside the object, and for an object stored inline returns
     * those bytes after checking the whole body against its CRC32C (its MD5, the ETag, when no CRC was kept); null
     * for an object kept in chunks,
     * which the caller streams from wherever its chunks are.
     */
    public InputStream openInline(long offset, long length) throws CorruptDataException {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside object of " + size);
        }
        if (inline == null) {
            return null;
        }
        // RocksDB checksums its blocks; this check also covers the body on the wire and anything above the database.
        if (inlineCrc != CRC_UNKNOWN ? crcOf(inline) != inlineCrc : !md5Matches()) {
            throw new CorruptDataException("inline body of " + bucket + "/" + key + " failed its "
                    + (inlineCrc != CRC_UNKNOWN ? "CRC32C" : "MD5") + " check");
        }
        return new ByteArrayInputStream(inline, (int) offset, (int) length);
    }

    private boolean md5Matches() {
        try {
            return Hex.of(MessageDigest.getInstance("MD5").digest(inline)).equals(etag);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public ObjectInfo toInfo() {
        return new ObjectInfo(bucket, key, size, etag, contentType, userMetadata,
                Instant.ofEpochMilli(lastModifiedMillis()), version.toString(),
                expiresAtMillis == 0 ? null : Instant.ofEpochMilli(expiresAtMillis), tags, checksum, parts);
    }
}
