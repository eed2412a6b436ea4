package io.hifadhi.api.signature;

import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/** The S3 additional checksum algorithms ({@code x-amz-checksum-*}), with streaming digesters. */
public enum ChecksumAlgorithm {
    CRC32("crc32", 4),
    CRC32C("crc32c", 4),
    CRC64NVME("crc64nvme", 8),
    SHA1("sha1", 20),
    SHA256("sha256", 32);

    private final String suffix;
    private final int length;

    ChecksumAlgorithm(String suffix, int length) {
        this.suffix = suffix;
        this.length = length;
    }

    /** The header (and trailer) name, e.g. {@code x-amz-checksum-crc32}. */
    public String headerName() {
        return "x-amz-checksum-" + suffix;
    }

    /** The name as in {@code x-amz-checksum-algorithm} / {@code x-amz-sdk-checksum-algorithm}, e.g. CRC32. */
    public String algorithmName() {
        return name();
    }

    /** Length in bytes of the raw (not base64) value. */
    public int length() {
        return length;
    }

    public Digester newDigester() {
        return switch (this) {
            case CRC32 -> Digester.of(new CRC32(), 4);
            case CRC32C -> Digester.of(new CRC32C(), 4);
            case CRC64NVME -> Digester.of(new Crc64Nvme(), 8);
            case SHA1 -> Digester.of(Crypto.digest("SHA-1"));
            case SHA256 -> Digester.of(Crypto.sha256());
        };
    }

    /** Convenience: the base64 value S3 would show for these bytes. */
    public String base64Of(byte[] data) {
        Digester d = newDigester();
        d.update(data, 0, data.length);
        return Base64.getEncoder().encodeToString(d.finish());
    }

    /** The algorithm of a header/trailer name such as {@code X-Amz-Checksum-CRC32}, if it is one. */
    public static Optional<ChecksumAlgorithm> fromHeaderName(String name) {
        String lower = name.toLowerCase(Locale.ROOT).trim();
        for (ChecksumAlgorithm a : values()) {
            if (a.headerName().equals(lower)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The algorithm named in {@code x-amz-checksum-algorithm} (case-insensitive), if known. */
    public static Optional<ChecksumAlgorithm> fromAlgorithmName(String name) {
        for (ChecksumAlgorithm a : values()) {
            if (a.name().equalsIgnoreCase(name.trim())) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * Decodes a client-supplied base64 value, refusing anything that is not exactly this
     * algorithm's length, the way S3 refuses it (InvalidRequest).
     */
    public byte[] decode(String base64) throws S3AuthException {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            raw = null;
        }
        if (raw == null || raw.length != length) {
            throw new S3AuthException(S3ErrorCode.InvalidRequest, "Value for " + headerName()
                    + " is invalid: expected the base64 encoding of " + length + " bytes.");
        }
        return raw;
    }
}
