package io.hifadhi.membership;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/** HMAC-SHA256 proofs of knowing the cluster secret. Holds the key; never prints it. */
final class ClusterSecret {

    private static final HexFormat HEX = HexFormat.of();
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    ClusterSecret(byte[] secret) {
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    /**
     * Atomix cluster id derived from the secret. Atomix sends {@code clusterId.hashCode()} as a 32-bit preamble
     * on every connection and drops connections whose preamble differs, so nodes with another secret cannot
     * speak to us at all. That is only a filter (32 bits, visible on the wire); the HMAC handshakes are the proof.
     */
    String atomixClusterId() {
        return "hifadhi-" + HEX.formatHex(mac("hifadhi/cluster-id/v1")).substring(0, 32);
    }

    String macHex(String message) {
        return HEX.formatHex(mac(message));
    }

    /** Constant-time check of a hex MAC received from a peer. */
    boolean verify(String message, String receivedHex) {
        byte[] received;
        try {
            received = HEX.parseHex(receivedHex);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(message), received);
    }

    String nonce() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HEX.formatHex(b);
    }

    private byte[] mac(String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "ClusterSecret[hidden]";
    }
}
