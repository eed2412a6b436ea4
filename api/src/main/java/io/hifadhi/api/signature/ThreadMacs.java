package io.hifadhi.api.signature;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 with one {@link Mac} per thread, kept keyed with the signing key it last used: a client signs with the
 * same key all day, and getting a Mac from the providers and keying it cost about as much as the MAC of a small
 * request's string to sign. Owned by one verifier; thread-safe (each thread has its own Mac).
 */
final class ThreadMacs {
    private static final class Keyed {
        private byte[] key;
        private Mac mac;
    }

    private final ThreadLocal<Keyed> macs = ThreadLocal.withInitial(Keyed::new);

    byte[] hmacSha256(byte[] key, String data) {
        Keyed keyed = macs.get();
        try {
            if (keyed.mac == null) {
                keyed.mac = Mac.getInstance("HmacSHA256");
            }
            if (keyed.key == null || !MessageDigest.isEqual(keyed.key, key)) {
                keyed.key = null; // until init succeeds, the Mac holds no key this would know
                keyed.mac.init(new SecretKeySpec(key, "HmacSHA256"));
                keyed.key = key.clone();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
        // doFinal leaves the Mac keyed and reset for the next message.
        return keyed.mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
}
