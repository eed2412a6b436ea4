package io.hifadhi.node.table;

import io.hifadhi.api.signature.SecretLookup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * S3 access keys in a fully replicated table, so a key pair made on any node signs requests to every
 * node. Each node adds its bootstrap pair at start; peers pull it when they see the node.
 *
 * <p>Secret keys are sealed (AES-256-GCM, the access key id as associated data so entries cannot be
 * swapped) under a key derived from the cluster secret before they enter the table: the table
 * travels between nodes, and internode traffic is authenticated but not encrypted.
 */
public final class AccessKeyTable implements SecretLookup {
    private static final Logger LOG = LoggerFactory.getLogger(AccessKeyTable.class);
    private static final byte FORMAT_VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final ReplicatedTable table;
    private final SecretKeySpec sealKey;
    private final SecureRandom random = new SecureRandom();

    public AccessKeyTable(ReplicatedTable table, String clusterSecret) {
        this.table = table;
        this.sealKey = new SecretKeySpec(derive(clusterSecret), "AES");
    }

    /** Adds a key pair unless the table already holds exactly it (so restarts write nothing). */
    public void register(String accessKey, String secretKey) throws IOException {
        Optional<String> current = secretKey(accessKey);
        if (current.isPresent() && MessageDigest.isEqual(current.get().getBytes(StandardCharsets.UTF_8),
                secretKey.getBytes(StandardCharsets.UTF_8))) {
            return;
        }
        table.put(accessKey, seal(accessKey, secretKey));
    }

    @Override
    public Optional<String> secretKey(String accessKeyId) {
        try {
            Optional<byte[]> sealed = table.get(accessKeyId);
            return sealed.isEmpty() ? Optional.empty() : Optional.of(unseal(accessKeyId, sealed.get()));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // A key that cannot be opened is no key: the request gets InvalidAccessKeyId, the log says why.
            LOG.warn("access key {} could not be read from the key table: {}", accessKeyId, e.toString());
            return Optional.empty();
        }
    }

    byte[] seal(String accessKey, String secretKey) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(accessKey.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secretKey.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(FORMAT_VERSION).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
        }
    }

    String unseal(String accessKey, byte[] entry) throws GeneralSecurityException {
        if (entry.length < 1 + NONCE_BYTES || entry[0] != FORMAT_VERSION) {
            throw new AEADBadTagException("unknown key table entry format");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, entry, 1, NONCE_BYTES));
        cipher.updateAAD(accessKey.getBytes(StandardCharsets.UTF_8));
        byte[] plain = cipher.doFinal(entry, 1 + NONCE_BYTES, entry.length - 1 - NONCE_BYTES);
        return new String(plain, StandardCharsets.UTF_8);
    }

    private static byte[] derive(String clusterSecret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(clusterSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] key = mac.doFinal("hifadhi/access-keys/v1".getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(key, 32);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable in this JVM", e);
        }
    }
}
