package io.hifadhi.api.signature;

import java.util.Arrays;
import java.util.Locale;

/**
 * One value a body must hash to, how to compute it, and the S3 error to raise when it does not.
 * Built from what the client declared: the signed payload hash, Content-MD5, x-amz-checksum-*.
 */
public record ExpectedDigest(String label, Digester digester, byte[] expected, S3ErrorCode onMismatch,
        String mismatchMessage) {

    public ExpectedDigest {
        expected = expected.clone();
    }

    @Override
    public byte[] expected() {
        return expected.clone();
    }

    /** The payload hash from {@code x-amz-content-sha256} (64 hex characters). */
    public static ExpectedDigest payloadSha256(String hex) throws S3AuthException {
        if (hex == null || hex.length() != 64) {
            throw new S3AuthException(S3ErrorCode.InvalidArgument,
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value or a hex SHA-256.");
        }
        byte[] raw = new byte[32];
        for (int i = 0; i < 32; i++) {
            int hi = Character.digit(hex.charAt(2 * i), 16);
            int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new S3AuthException(S3ErrorCode.InvalidArgument,
                        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value or a hex SHA-256.");
            }
            raw[i] = (byte) ((hi << 4) | lo);
        }
        return new ExpectedDigest("x-amz-content-sha256", Digester.sha256(), raw,
                S3ErrorCode.XAmzContentSHA256Mismatch,
                "The provided 'x-amz-content-sha256' header does not match what was computed;"
                        + " the body changed or the client hashed a different body. Resend the request.");
    }

    public static ExpectedDigest contentMd5(String headerValue) throws S3AuthException {
        return new ExpectedDigest("Content-MD5", Digester.md5(), ContentMd5.parse(headerValue), S3ErrorCode.BadDigest,
                "The Content-MD5 you specified did not match what we received; resend the body.");
    }

    public static ExpectedDigest checksum(ChecksumAlgorithm algorithm, String base64) throws S3AuthException {
        return new ExpectedDigest(algorithm.headerName(), algorithm.newDigester(), algorithm.decode(base64),
                S3ErrorCode.BadDigest, "The " + algorithm.name().toUpperCase(Locale.ROOT)
                        + " you specified did not match the calculated checksum; resend the body.");
    }

    boolean matches(byte[] computed) {
        return java.security.MessageDigest.isEqual(expected, computed);
    }

    @Override
    public String toString() {
        return "ExpectedDigest[" + label + "=" + Arrays.toString(expected) + "]";
    }
}
