package io.hifadhi.api.s3;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The S3 owner shown for an access key. Clients and test suites reuse the id in ACL checks, so it
 * must be stable: a hash of the access key id (64 hex characters, like S3's canonical user ids),
 * with the key id itself as display name (it is an identifier, not a secret).
 */
public record Owner(String id, String displayName) {

    public static Owner of(String accessKeyId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(("hifadhi-owner:" + accessKeyId).getBytes(StandardCharsets.UTF_8));
            return new Owner(HexFormat.of().formatHex(h), accessKeyId);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void write(XmlWriter xml, String element) {
        xml.start(element).element("ID", id).element("DisplayName", displayName).end();
    }
}
