package io.hifadhi.api.store;

import java.util.Map;
import java.util.Objects;

/** The metadata half of a write; the bytes come from a {@link StagedBody}. */
public record ObjectWrite(String bucket, String key, String contentType, Map<String, String> userMetadata) {
    public ObjectWrite {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        contentType = contentType == null ? "application/octet-stream" : contentType;
        userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
    }
}
