package io.hifadhi.api.signature;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The derived signing keys a verifier remembers, and the per-thread keyed MACs it signs with. */
class SigningKeysTest {
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /** SigV4's derivation written out: HMAC chain from "AWS4" + secret over date, region, service, "aws4_request". */
    private static byte[] chain(String secret, String date, String region, String service) throws Exception {
        byte[] k = ("AWS4" + secret).getBytes(StandardCharsets.UTF_8);
        for (String part : new String[] {date, region, service, "aws4_request"}) {
            k = mac(k, part);
        }
        return k;
    }

    private static byte[] mac(byte[] key, String data) throws Exception {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(key, "HmacSHA256"));
        return m.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachDateRegionAndSecretHasItsOwnKey() throws Exception {
        SigningKeyCache cache = new SigningKeyCache(16);
        for (int round = 0; round < 2; round++) { // the second round answers from the cache
            assertArrayEquals(chain(SECRET, "20130524", "us-east-1", "s3"), cache.signingKey("AKID", SECRET, "20130524", "us-east-1"));
            assertArrayEquals(chain(SECRET, "20130525", "us-east-1", "s3"), cache.signingKey("AKID", SECRET, "20130525", "us-east-1"));
            assertArrayEquals(chain(SECRET, "20130524", "eu-west-1", "s3"), cache.signingKey("AKID", SECRET, "20130524", "eu-west-1"));
            // A rotated secret under the same id never meets the old secret's key.
            assertArrayEquals(chain("rotated", "20130524", "us-east-1", "s3"), cache.signingKey("AKID", "rotated", "20130524", "us-east-1"));
        }
        assertEquals(4, cache.size());
        assertFalse(java.util.Arrays.equals(chain(SECRET, "20130524", "us-east-1", "s3"),
                chain(SECRET, "20130524", "us-east-1", "iam")), "the service is part of the key");
    }

    @Test
    void aCallerCannotChangeACachedKey() throws Exception {
        SigningKeyCache cache = new SigningKeyCache(16);
        cache.signingKey("AKID", SECRET, "20130524", "us-east-1")[0] ^= 1;
        cache.signingKey("AKID", SECRET, "20130524", "us-east-1")[1] ^= 1;
        assertArrayEquals(chain(SECRET, "20130524", "us-east-1", "s3"), cache.signingKey("AKID", SECRET, "20130524", "us-east-1"));
    }

    @Test
    void holdsNoMoreThanItsCapacity() throws Exception {
        SigningKeyCache cache = new SigningKeyCache(8);
        for (int i = 0; i < 50; i++) {
            cache.signingKey("AKID" + i, SECRET + i, "20130524", "us-east-1");
        }
        assertEquals(8, cache.size());
        // The evicted are derived again, correctly.
        assertArrayEquals(chain(SECRET + 0, "20130524", "us-east-1", "s3"), cache.signingKey("AKID0", SECRET + 0, "20130524", "us-east-1"));
        assertEquals(8, cache.size());
    }

    @Test
    void aThreadsMacFollowsTheKeyItIsGiven() throws Exception {
        ThreadMacs macs = new ThreadMacs();
        byte[] a = chain(SECRET, "20130524", "us-east-1", "s3");
        byte[] b = chain(SECRET, "20130525", "us-east-1", "s3");
        for (int round = 0; round < 2; round++) {
            assertArrayEquals(mac(a, "one"), macs.hmacSha256(a, "one"));
            assertArrayEquals(mac(a, "two"), macs.hmacSha256(a, "two"));
            assertArrayEquals(mac(b, "one"), macs.hmacSha256(b, "one"));
            assertArrayEquals(mac(a, "one"), macs.hmacSha256(a, "one"));
        }
        // The Mac keeps its own copy: a caller reusing its array for another key gets that key's MAC.
        byte[] reused = a.clone();
        assertArrayEquals(mac(a, "x"), macs.hmacSha256(reused, "x"));
        System.arraycopy(b, 0, reused, 0, b.length);
        assertArrayEquals(mac(b, "x"), macs.hmacSha256(reused, "x"));
    }

    @Test
    void threadsDoNotShareAMac() throws Exception {
        ThreadMacs macs = new ThreadMacs();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            java.util.List<Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                byte[] key = chain(SECRET + t, "20130524", "us-east-1", "s3");
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        assertArrayEquals(mac(key, "m" + i), macs.hmacSha256(key, "m" + i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
