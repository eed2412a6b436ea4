package io.hifadhi.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The view of an object record the HTTP layer needs.
 *
 * @param etag      lower-case hex MD5 of the body, unquoted
 * @param version   opaque, totally ordered version stamp rendered as text (newer compares greater
 *                  as a version, not necessarily as a string)
 * @param expiresAt when the object stops being served (native {@code expires_in}); null when never
 * @param tags      the object's S3 tags (key to value), empty when it has none
 * @param checksum  the S3 additional checksum stored with the object, null when it has none
 * @param parts     the parts of a multipart object in order, empty for an object written in one piece
 */
public record ObjectInfo(String bucket, String key, long size, String etag, String contentType,
                         Map<String, String> userMetadata, Instant lastModified, String version, Instant expiresAt,
                         Map<String, String> tags, ObjectChecksum checksum, List<ObjectPart> parts) {
    public ObjectInfo {
        userMetadata = Map.copyOf(userMetadata);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        parts = parts == null ? List.of() : List.copyOf(parts);
    }

    /** The view of an object without a checksum, written in one piece. */
    public ObjectInfo(String bucket, String key, long size, String etag, String contentType,
                      Map<String, String> userMetadata, Instant lastModified, String version, Instant expiresAt,
                      Map<String, String> tags) {
        this(bucket, key, size, etag, contentType, userMetadata, lastModified, version, expiresAt, tags, null, List.of());
    }

    /** The view of an object without tags. */
    public ObjectInfo(String bucket, String key, long size, String etag, String contentType,
                      Map<String, String> userMetadata, Instant lastModified, String version, Instant expiresAt) {
        this(bucket, key, size, etag, contentType, userMetadata, lastModified, version, expiresAt, Map.of());
    }

    /** The view of an object that never expires. */
    public ObjectInfo(String bucket, String key, long size, String etag, String contentType,
                      Map<String, String> userMetadata, Instant lastModified, String version) {
        this(bucket, key, size, etag, contentType, userMetadata, lastModified, version, null);
    }
}
