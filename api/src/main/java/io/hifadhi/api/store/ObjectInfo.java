package io.hifadhi.api.store;

import java.time.Instant;
import java.util.Map;

/**
 * The view of an object record the HTTP layer needs.
 *
 * @param etag      lower-case hex MD5 of the body, unquoted
 * @param version   opaque, totally ordered version stamp rendered as text (newer compares greater
 *                  as a version, not necessarily as a string)
 * @param expiresAt when the object stops being served (native {@code expires_in}); null when never
 */
public record ObjectInfo(String bucket, String key, long size, String etag, String contentType,
                         Map<String, String> userMetadata, Instant lastModified, String version, Instant expiresAt) {
    public ObjectInfo {
        userMetadata = Map.copyOf(userMetadata);
    }

    /** The view of an object that never expires. */
    public ObjectInfo(String bucket, String key, long size, String etag, String contentType,
                      Map<String, String> userMetadata, Instant lastModified, String version) {
        this(bucket, key, size, etag, contentType, userMetadata, lastModified, version, null);
    }
}
