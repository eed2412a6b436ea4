package io.hifadhi.api.signature;

import java.util.Base64;

/** The Content-MD5 header: parsing (InvalidDigest on bad form) and the digester to check it with. */
public final class ContentMd5 {
    private ContentMd5() {
    }

    /** The 16 raw bytes of a Content-MD5 header value. */
    public static byte[] parse(String headerValue) throws S3AuthException {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(headerValue.trim());
        } catch (IllegalArgumentException e) {
            raw = null;
        }
        if (raw == null || raw.length != 16) {
            throw new S3AuthException(S3ErrorCode.InvalidDigest,
                    "The Content-MD5 you specified was invalid: it must be the base64 encoding of the"
                            + " 16-byte MD5 digest of the body.");
        }
        return raw;
    }

    public static Digester newDigester() {
        return Digester.md5();
    }

    public static String base64Of(byte[] data) {
        return Base64.getEncoder().encodeToString(Crypto.digest("MD5").digest(data));
    }
}
