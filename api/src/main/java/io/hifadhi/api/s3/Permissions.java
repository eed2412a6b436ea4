package io.hifadhi.api.s3;

import java.util.Map;
import java.util.TreeMap;

/**
 * Everything one access key may do: a root key (every node's bootstrap key) may do anything,
 * including creating and deleting buckets and setting their CORS rules; any other key only what
 * its per-bucket {@link Permission}s grant.
 *
 * @param buckets bucket name to permission (ignored for root keys)
 */
public record Permissions(boolean root, Map<String, Permission> buckets) {
    /** A root key. */
    public static final Permissions ROOT = new Permissions(true, Map.of());
    /** A key that may do nothing (unknown, or deleted while its request was in flight). */
    public static final Permissions NONE = new Permissions(false, Map.of());

    public Permissions {
        buckets = java.util.Collections.unmodifiableMap(new TreeMap<>(buckets));
    }

    public static Permissions of(Map<String, Permission> buckets) {
        return new Permissions(false, buckets);
    }

    public boolean canRead(String bucket) {
        Permission p = buckets.get(bucket);
        return root || (p != null && p.allowsRead());
    }

    public boolean canWrite(String bucket) {
        Permission p = buckets.get(bucket);
        return root || (p != null && p.allowsWrite());
    }

    /** Whether ListBuckets shows the bucket: any permission on it. */
    public boolean canSee(String bucket) {
        return root || buckets.containsKey(bucket);
    }
}
