package io.hifadhi.api.store;

import java.time.Instant;
import java.util.Map;

/**
 * The view of an object record the HTTP layer needs.
 *
 * @param etag    lower-case hex MD5 of the body, unquoted
 * @param version opaque, totally ordered version stamp rendered as text (newer compares greater
 *                as a version, not necessarily as a string)
 */
public record ObjectInfo(String bucket, String key, long size, String etag, String contentType,
                         Map<String, String> userMetadata, Instant lastModified, String version) {
    public ObjectInfo {
        userMetadata = Map.copyOf(userMetadata);
    }
}
