package io.hifadhi.api.signature;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Derives SigV4 signing keys (four chained HMACs) and remembers the most recent ones: a key is valid
 * for one secret, day and region, and a busy client signs thousands of requests with the same one.
 * The cache is keyed by the secret itself, so a rotated secret never meets a stale key.
 */
final class SigningKeyCache {
    private record Key(String accessKeyId, String secret, String date, String region) {
        @Override
        public String toString() {
            return "Key[" + accessKeyId + "/" + date + "/" + region + "]";
        }
    }

    private final int capacity;
    private final Map<Key, byte[]> keys;

    SigningKeyCache(int capacity) {
        this.capacity = capacity;
        this.keys = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, byte[]> eldest) {
                return size() > SigningKeyCache.this.capacity;
            }
        };
    }

    byte[] signingKey(String accessKeyId, String secret, String date, String region) {
        Key key = new Key(accessKeyId, secret, date, region);
        synchronized (keys) {
            byte[] cached = keys.get(key);
            if (cached != null) {
                return cached.clone();
            }
        }
        byte[] derived = derive(secret, date, region);
        synchronized (keys) {
            keys.put(key, derived.clone());
        }
        return derived;
    }

    /** How many keys are held (tests check the bound). */
    int size() {
        synchronized (keys) {
            return keys.size();
        }
    }

    static byte[] derive(String secret, String date, String region) {
        byte[] kSecret = ("AWS4" + secret).getBytes(StandardCharsets.UTF_8);
        byte[] kDate = Crypto.hmacSha256(kSecret, date);
        byte[] kRegion = Crypto.hmacSha256(kDate, region);
        byte[] kService = Crypto.hmacSha256(kRegion, "s3");
        byte[] kSigning = Crypto.hmacSha256(kService, "aws4_request");
        Arrays.fill(kSecret, (byte) 0);
        return kSigning;
    }
}
