package io.hifadhi.api.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The key presigned native links are signed with: HMAC-SHA256(cluster secret, "hifadhi/presign/v1").
 * Every node holds the cluster secret, so every node derives the same key and accepts the others'
 * links; the derivation keeps the link key separate from the secret's other uses (join proofs,
 * SHARD-KEY), so a link signature is never a value usable elsewhere.
 */
public final class PresignKey {
    static final String LABEL = "hifadhi/presign/v1";
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] key;

    private PresignKey(byte[] key) {
        this.key = key;
    }

    public static PresignKey derive(String clusterSecret) {
        if (clusterSecret == null || clusterSecret.isEmpty()) {
            throw new IllegalArgumentException("empty cluster secret");
        }
        return new PresignKey(hmac(clusterSecret.getBytes(StandardCharsets.UTF_8), LABEL));
    }

    /** The link's signature: lowercase hex of HMAC-SHA256(key, canonical string). */
    public String sign(PresignedLink link) {
        return HEX.formatHex(hmac(key, link.canonical()));
    }

    /** Constant-time check of a signature given in a request (64 lowercase hex characters). */
    public boolean verify(PresignedLink link, String givenHex) {
        byte[] expected = sign(link).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, givenHex.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "PresignKey[hidden]";
    }
}
