package io.hifadhi.ring;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Positions on the ring. A position is a 64-bit value; the ring is the circle of all 2^64 of them, walked
 * "clockwise" in increasing order with wrap-around (signed and unsigned readings give the same circle).
 *
 * <p>Choice of hash: the first 8 bytes (big-endian) of SHA-256 over the UTF-8 bytes. Chunks are already
 * named by their SHA-256, so one hash family places everything, any tool can reproduce a placement
 * ({@code printf 'bucket/key' | sha256sum | cut -c1-16}), the output is uniform whatever the keys look
 * like, and there is no hand-written hash code to get wrong. The price (a few hundred nanoseconds for a
 * short key, see README) is small next to the network and disk work every request does anyway.
 */
public final class KeyHash {

    private static final String ALGORITHM = "SHA-256";
    private static final int SHA256_BYTES = 32;
    /**
     * One digest per thread: every record read hashes its key, and a MessageDigest.getInstance (a provider lookup and
     * a new digest state) each time cost more than the hash of a short key. A digest is not thread-safe, hence one each.
     */
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(KeyHash::newDigest);

    private KeyHash() {
    }

    /** Ring position of a string: first 8 bytes of SHA-256(UTF-8(value)), big-endian. */
    public static long of(String value) {
        Objects.requireNonNull(value, "value to hash");
        return of(DIGEST.get(), value);
    }

    /**
     * Ring position of an object record. S3 bucket names cannot contain '/', so {@code bucket + "/" + key}
     * is unambiguous.
     */
    public static long ofObject(String bucket, String key) {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        return of(bucket + "/" + key);
    }

    /** Ring position of a chunk: the first 8 bytes (big-endian) of its 32-byte SHA-256 id. */
    public static long ofChunk(byte[] sha256) {
        Objects.requireNonNull(sha256, "chunk id");
        if (sha256.length != SHA256_BYTES) {
            throw new IllegalArgumentException(
                    "chunk id must be a 32-byte SHA-256 digest, got " + sha256.length + " bytes");
        }
        return firstLong(sha256);
    }

    /** Position of virtual node {@code vnode} of a member: {@code of(memberId + "#" + vnode)}. */
    public static long ofToken(String memberId, int vnode) {
        return of(memberId + "#" + vnode);
    }

    /** A position as 16 lower-case hex digits (unsigned), the form logs and tools should show. */
    public static String toHex(long position) {
        String hex = Long.toHexString(position);
        return "0".repeat(16 - hex.length()) + hex;
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256, so this is a broken runtime, not bad input.
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Hash with a digest the caller owns (ring construction reuses one for all its tokens). */
    static long of(MessageDigest digest, String value) {
        digest.reset();
        return firstLong(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static long firstLong(byte[] bytes) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[i] & 0xFFL);
        }
        return v;
    }
}
