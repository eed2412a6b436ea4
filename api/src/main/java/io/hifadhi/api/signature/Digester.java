package io.hifadhi.api.signature;

import java.security.MessageDigest;
import java.util.zip.Checksum;

/** An incremental digest or checksum; {@link #finish()} gives the bytes S3 encodes (big-endian for CRCs). */
public interface Digester {
    void update(byte[] bytes, int offset, int length);

    /** Completes the computation; call once. */
    byte[] finish();

    static Digester of(MessageDigest digest) {
        return new Digester() {
            @Override
            public void update(byte[] bytes, int offset, int length) {
                digest.update(bytes, offset, length);
            }

            @Override
            public byte[] finish() {
                return digest.digest();
            }
        };
    }

    /** Wraps a JDK checksum whose value has {@code width} bytes (4 for CRC-32, 8 for CRC-64). */
    static Digester of(Checksum checksum, int width) {
        return new Digester() {
            @Override
            public void update(byte[] bytes, int offset, int length) {
                checksum.update(bytes, offset, length);
            }

            @Override
            public byte[] finish() {
                long value = checksum.getValue();
                byte[] out = new byte[width];
                for (int i = width - 1; i >= 0; i--) {
                    out[i] = (byte) value;
                    value >>>= 8;
                }
                return out;
            }
        };
    }

    static Digester md5() {
        return of(Crypto.digest("MD5"));
    }

    static Digester sha256() {
        return of(Crypto.sha256());
    }
}
