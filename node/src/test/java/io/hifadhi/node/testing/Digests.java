package io.hifadhi.node.testing;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

public final class Digests {
    private Digests() {
    }

    /** Hex digest of a stream, reading it to the end; also returns the length via the array slot. */
    public static String hex(String algorithm, InputStream in, long[] lengthOut) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            md.update(buf, 0, n);
            total += n;
        }
        if (lengthOut != null) {
            lengthOut[0] = total;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(InputStream in) throws IOException {
        return hex("SHA-256", in, null);
    }

    public static String sha256(byte[] data) throws IOException {
        return sha256(new java.io.ByteArrayInputStream(data));
    }

    public static String seededSha256(long seed, long length) throws IOException {
        return sha256(new SeededStream(seed, length));
    }

    public static String seededMd5(long seed, long length) throws IOException {
        return hex("MD5", new SeededStream(seed, length), null);
    }
}
