package io.hifadhi.api.store;

import io.hifadhi.api.signature.ChecksumAlgorithm;

import java.util.Objects;

/**
 * An S3 additional checksum kept with an object (or a part): the algorithm, whether it covers the whole body
 * ({@link Type#FULL_OBJECT}) or is the checksum of the part checksums ({@link Type#COMPOSITE}, multipart only), and
 * the value as S3 shows it: base64, followed by {@code -N} (the part count) for a composite one.
 */
public record ObjectChecksum(ChecksumAlgorithm algorithm, Type type, String value) {
    public enum Type { FULL_OBJECT, COMPOSITE }

    public ObjectChecksum {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    /** The checksum of a whole body, as computed while it streamed in. */
    public static ObjectChecksum fullObject(ChecksumAlgorithm algorithm, String base64) {
        return new ObjectChecksum(algorithm, Type.FULL_OBJECT, base64);
    }
}
