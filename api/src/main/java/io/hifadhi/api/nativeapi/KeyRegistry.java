package io.hifadhi.api.nativeapi;

import io.hifadhi.api.s3.Permission;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The cluster's S3 access keys as the admin API manages them; the node backs it with its key table. */
public interface KeyRegistry {

    /**
     * One key, never with its secret.
     *
     * @param created null for keys registered before creation times were kept
     * @param root    a node's bootstrap key: may do everything, cannot be deleted or limited here
     */
    record KeyInfo(String accessKey, String name, Instant created, boolean root, Map<String, Permission> buckets) {
        public KeyInfo {
            buckets = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(buckets));
        }
    }

    /** A new key with its secret, which is shown this once. */
    record CreatedKey(KeyInfo info, String secretKey) {
        @Override
        public String toString() {
            return "CreatedKey[" + info + ", secret hidden]";
        }
    }

    enum Outcome { DONE, NOT_FOUND, ROOT_KEY }

    CreatedKey create(String name, Map<String, Permission> buckets) throws IOException;

    /** All keys in access key order. */
    List<KeyInfo> list() throws IOException;

    Optional<KeyInfo> get(String accessKey) throws IOException;

    /** Replaces a key's name (when not null) and bucket permissions; root keys are refused. */
    Outcome update(String accessKey, String name, Map<String, Permission> buckets) throws IOException;

    /** Removes a key everywhere; root keys are refused. */
    Outcome delete(String accessKey) throws IOException;
}
