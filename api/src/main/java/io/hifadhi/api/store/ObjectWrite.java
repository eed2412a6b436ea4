package io.hifadhi.api.store;

import io.hifadhi.api.auth.Grant;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The metadata half of a write; the bytes come from a {@link StagedBody}.
 *
 * @param expiresAt when the object stops being served and is deleted (a native file stored with
 *                  {@code expires_in}); null when it never expires
 * @param tags      the object's S3 tags, already validated; empty for none
 * @param checksum  the S3 additional checksum to keep with the object, already verified; null for none
 * @param parts     the parts of a multipart object in order; empty for an object written in one piece
 * @param grants    the IP grants the new version starts with (an S3 canned ACL asked for with the write), stored in
 *                  the same record as the body so the object is never readable without them; empty for none
 * @param acl       the S3 object ACL's other grants the new version starts with (stored form), likewise; "" for none
 */
public record ObjectWrite(String bucket, String key, String contentType, Map<String, String> userMetadata, Instant expiresAt,
                          Map<String, String> tags, ObjectChecksum checksum, List<ObjectPart> parts, List<Grant> grants,
                          String acl) {
    public ObjectWrite {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        contentType = contentType == null ? "application/octet-stream" : contentType;
        userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        parts = parts == null ? List.of() : List.copyOf(parts);
        grants = grants == null ? List.of() : List.copyOf(grants);
        acl = acl == null ? "" : acl;
    }

    /** A write without grants or an ACL. */
    public ObjectWrite(String bucket, String key, String contentType, Map<String, String> userMetadata, Instant expiresAt,
                       Map<String, String> tags, ObjectChecksum checksum, List<ObjectPart> parts) {
        this(bucket, key, contentType, userMetadata, expiresAt, tags, checksum, parts, List.of(), "");
    }

    /** A write without a checksum, in one piece. */
    public ObjectWrite(String bucket, String key, String contentType, Map<String, String> userMetadata, Instant expiresAt,
                       Map<String, String> tags) {
        this(bucket, key, contentType, userMetadata, expiresAt, tags, null, List.of());
    }

    /** The same write with this checksum and these parts. */
    public ObjectWrite withBody(ObjectChecksum newChecksum, List<ObjectPart> newParts) {
        return new ObjectWrite(bucket, key, contentType, userMetadata, expiresAt, tags, newChecksum, newParts, grants, acl);
    }

    /** The same write starting with these grants (and no ACL beyond them). */
    public ObjectWrite withGrants(List<Grant> newGrants) {
        return withAccess(newGrants, "");
    }

    /** The same write starting with these grants and this object ACL. */
    public ObjectWrite withAccess(List<Grant> newGrants, String newAcl) {
        return new ObjectWrite(bucket, key, contentType, userMetadata, expiresAt, tags, checksum, parts, newGrants, newAcl);
    }

    /** A write without tags. */
    public ObjectWrite(String bucket, String key, String contentType, Map<String, String> userMetadata, Instant expiresAt) {
        this(bucket, key, contentType, userMetadata, expiresAt, Map.of());
    }

    /** A write of an object that never expires. */
    public ObjectWrite(String bucket, String key, String contentType, Map<String, String> userMetadata) {
        this(bucket, key, contentType, userMetadata, null);
    }
}
