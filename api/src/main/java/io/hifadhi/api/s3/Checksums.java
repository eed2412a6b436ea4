package io.hifadhi.api.s3;

import io.hifadhi.api.signature.ChecksumAlgorithm;
import io.hifadhi.api.signature.ChecksumVerifyingInputStream;
import io.hifadhi.api.signature.Digester;
import io.hifadhi.api.signature.S3AuthException;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.StagedBody;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;

import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * S3's additional checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256): which one a request's body carries (an
 * {@code x-amz-checksum-*} header, an aws-chunked trailer, or only {@code x-amz-sdk-checksum-algorithm}), the
 * checksum a multipart object gets from its parts, and the headers and XML elements that show a stored one.
 * The bodies themselves are checked while they stream ({@link PutObject#stageBody}).
 */
final class Checksums {
    static final String MODE_HEADER = "x-amz-checksum-mode";
    static final String TYPE_HEADER = "x-amz-checksum-type";
    static final String ALGORITHM_HEADER = "x-amz-checksum-algorithm";
    private static final String SDK_ALGORITHM_HEADER = "x-amz-sdk-checksum-algorithm";

    private Checksums() {
    }

    /**
     * What a request says about its body's checksum.
     *
     * @param algorithm the algorithm to keep with the body, or null when the request names none
     * @param value     the base64 value of an {@code x-amz-checksum-*} header (checked as the body streams), or null
     *                  (a trailer's value is checked and read at the end of the body; else the value is computed)
     * @param trailer   whether the value comes in the aws-chunked trailer
     */
    record Declared(ChecksumAlgorithm algorithm, String value, boolean trailer) {
        static final Declared NONE = new Declared(null, null, false);
    }

    /** A staged body and the checksum to keep with it (null when the client asked for none). */
    record CheckedBody(StagedBody body, ObjectChecksum checksum) {
    }

    /** Stages bytes this node reads itself (a copy), computing the checksum of {@code algorithm} (null: none) as they stream. */
    static CheckedBody stage(S3Services services, InputStream in, ChecksumAlgorithm algorithm) throws IOException {
        ChecksumVerifyingInputStream counted = new ChecksumVerifyingInputStream(in, List.of(), false,
                algorithm == null ? List.of() : List.of(algorithm));
        StagedBody staged = services.store().stage(counted);
        return new CheckedBody(staged, algorithm == null ? null
                : ObjectChecksum.fullObject(algorithm, Base64.getEncoder().encodeToString(counted.checksums().get(algorithm))));
    }

    /**
     * The checksum a body arrives with. At most one algorithm may be named, and the header, trailer and
     * algorithm headers must agree, as S3 requires (InvalidRequest otherwise).
     */
    static Declared declared(S3Request r) throws S3Exception {
        ChecksumAlgorithm algorithm = null;
        String value = null;
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String v = r.header(a.headerName());
            if (v != null) {
                if (algorithm != null) {
                    throw new S3Exception(S3Error.InvalidRequest, "Expecting a single x-amz-checksum- header;"
                            + " multiple checksum types are not allowed.");
                }
                algorithm = a;
                value = v;
            }
        }
        List<ChecksumAlgorithm> trailers = r.auth() == null ? List.of() : r.auth().trailerChecksums();
        if (trailers.size() > 1 || (!trailers.isEmpty() && algorithm != null)) {
            throw new S3Exception(S3Error.InvalidRequest, "Expecting a single x-amz-checksum- header or trailer;"
                    + " multiple checksum types are not allowed.");
        }
        boolean trailer = !trailers.isEmpty();
        if (trailer) {
            algorithm = trailers.get(0);
        }
        for (String header : List.of(SDK_ALGORITHM_HEADER, ALGORITHM_HEADER)) {
            String named = r.header(header);
            if (named == null) {
                continue;
            }
            ChecksumAlgorithm a = algorithm(named, header);
            if (algorithm != null && a != algorithm) {
                throw new S3Exception(S3Error.InvalidRequest, "Value for " + header + " (" + named + ") does not match the"
                        + " checksum sent with the body (" + algorithm.name() + ").");
            }
            algorithm = a;
        }
        if (value != null) {
            try {
                value = Base64.getEncoder().encodeToString(algorithm.decode(value));
            } catch (S3AuthException e) {
                throw S3Exception.of(e);
            }
        }
        return algorithm == null ? Declared.NONE : new Declared(algorithm, value, trailer);
    }

    /** The algorithm a header names (CRC32, crc32c, ...); InvalidRequest for any other value. */
    static ChecksumAlgorithm algorithm(String named, String header) throws S3Exception {
        return ChecksumAlgorithm.fromAlgorithmName(named).orElseThrow(() -> new S3Exception(S3Error.InvalidRequest,
                "Value for " + header + " header is invalid: '" + named + "'; expected one of CRC32, CRC32C, CRC64NVME,"
                        + " SHA1, SHA256."));
    }

    /**
     * The checksum type of a new multipart upload: as asked in {@code x-amz-checksum-type}, else what S3 defaults to
     * (full-object for CRC64NVME, composite for the others). Full-object checksums of multipart objects exist for the
     * CRCs only (they combine without reading the parts again); composite ones not for CRC64NVME.
     */
    static ObjectChecksum.Type uploadType(S3Request r, ChecksumAlgorithm algorithm) throws S3Exception {
        String asked = r.header(TYPE_HEADER);
        if (algorithm == null) {
            if (asked != null) {
                throw new S3Exception(S3Error.InvalidRequest, "The x-amz-checksum-type header needs"
                        + " x-amz-checksum-algorithm as well.");
            }
            return null;
        }
        ObjectChecksum.Type type;
        if (asked == null) {
            type = algorithm == ChecksumAlgorithm.CRC64NVME ? ObjectChecksum.Type.FULL_OBJECT : ObjectChecksum.Type.COMPOSITE;
        } else {
            try {
                type = ObjectChecksum.Type.valueOf(asked.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new S3Exception(S3Error.InvalidRequest, "Value for x-amz-checksum-type header is invalid: '" + asked
                        + "'; expected FULL_OBJECT or COMPOSITE.");
            }
        }
        boolean crc = CrcCombination.supports(algorithm);
        if ((type == ObjectChecksum.Type.FULL_OBJECT && !crc) || (type == ObjectChecksum.Type.COMPOSITE
                && algorithm == ChecksumAlgorithm.CRC64NVME)) {
            throw new S3Exception(S3Error.InvalidRequest, "The " + type + " checksum type cannot be used with the "
                    + algorithm.name() + " checksum algorithm.");
        }
        return type;
    }

    /**
     * The checksum of a multipart object from its parts' checksums (in object order, all of {@code algorithm}):
     * composite, the algorithm over the concatenated raw part checksums followed by {@code -N}; full-object, the CRC
     * of the whole body, combined from the parts' CRCs and sizes.
     */
    static ObjectChecksum ofParts(ChecksumAlgorithm algorithm, ObjectChecksum.Type type, List<String> partValues,
                                  List<Long> partSizes) {
        Base64.Decoder b64 = Base64.getDecoder();
        if (type == ObjectChecksum.Type.FULL_OBJECT) {
            long crc = 0;
            for (int i = 0; i < partValues.size(); i++) {
                long part = CrcCombination.value(b64.decode(partValues.get(i)));
                crc = i == 0 ? part : CrcCombination.combine(algorithm, crc, part, partSizes.get(i));
            }
            return ObjectChecksum.fullObject(algorithm,
                    Base64.getEncoder().encodeToString(CrcCombination.bytes(crc, algorithm.length())));
        }
        Digester d = algorithm.newDigester();
        for (String v : partValues) {
            byte[] raw = b64.decode(v);
            d.update(raw, 0, raw.length);
        }
        return new ObjectChecksum(algorithm, ObjectChecksum.Type.COMPOSITE,
                Base64.getEncoder().encodeToString(d.finish()) + "-" + partValues.size());
    }

    /** Whether a GET or HEAD asked for the stored checksum ({@code x-amz-checksum-mode: ENABLED}). */
    static boolean requested(S3Request r) {
        String mode = r.header(MODE_HEADER);
        return mode != null && mode.trim().equalsIgnoreCase("ENABLED");
    }

    /** The checksum headers of a response: {@code x-amz-checksum-<algorithm>} and {@code x-amz-checksum-type}. */
    static void put(HeaderMap headers, ObjectChecksum checksum) {
        headers.put(new HttpString(checksum.algorithm().headerName()), checksum.value());
        headers.put(new HttpString(TYPE_HEADER), checksum.type().name());
    }

    /** The XML element S3 names a checksum of this algorithm with, e.g. ChecksumCRC32C. */
    static String element(ChecksumAlgorithm algorithm) {
        return "Checksum" + algorithm.name();
    }

    /** ChecksumCRC32 (etc.) and ChecksumType of a stored checksum, for XML answers. */
    static void write(XmlWriter doc, ObjectChecksum checksum) {
        doc.element(element(checksum.algorithm()), checksum.value()).element("ChecksumType", checksum.type().name());
    }

    /** A part element's checksum as the client wrote it in CompleteMultipartUpload ({@code ChecksumCRC32}...), or null. */
    static String inPartElement(XmlElement part, ChecksumAlgorithm algorithm) {
        return part.childText(element(algorithm)).map(String::trim).orElse(null);
    }
}
