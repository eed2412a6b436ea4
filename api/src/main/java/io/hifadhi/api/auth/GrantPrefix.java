package io.hifadhi.api.auth;

import java.util.Objects;

/**
 * A grant for every object of a bucket whose key starts with {@code prefix} (for native files the
 * bucket is {@code .native} and the prefix a prefix of the query, e.g. {@code node-a@videos/}).
 * Unlike an object grant it names keys, not content: it covers objects written after it too.
 */
public record GrantPrefix(String bucket, String prefix, Grant grant) {
    public GrantPrefix {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(grant, "grant");
    }

    public boolean covers(String bucket, String key) {
        return this.bucket.equals(bucket) && key.startsWith(prefix);
    }
}
