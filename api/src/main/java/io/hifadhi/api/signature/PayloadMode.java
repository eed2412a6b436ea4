package io.hifadhi.api.signature;

/**
 * How the body of a verified request is protected, from {@code x-amz-content-sha256} (or
 * UNSIGNED-PAYLOAD for presigned URLs). The HTTP layer gets the body through
 * {@link VerifiedRequest#payload(java.io.InputStream)}, which applies the right checks.
 */
public enum PayloadMode {
    /** A hex SHA-256 of the body was signed; the body is checked against it while streaming. */
    SIGNED_SHA256(null, false),
    /** UNSIGNED-PAYLOAD: the body is not covered by the signature. */
    UNSIGNED("UNSIGNED-PAYLOAD", false),
    /** aws-chunked with a signature per chunk, chained from the request signature. */
    STREAMING_SIGNED("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", true),
    /** aws-chunked with signed chunks and a signed trailer (checksum) chunk. */
    STREAMING_SIGNED_TRAILER("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", true),
    /** aws-chunked without chunk signatures, ending with a trailer (checksum); what AWS SDKs send by default. */
    STREAMING_UNSIGNED_TRAILER("STREAMING-UNSIGNED-PAYLOAD-TRAILER", true);

    private final String headerValue;
    private final boolean awsChunked;

    PayloadMode(String headerValue, boolean awsChunked) {
        this.headerValue = headerValue;
        this.awsChunked = awsChunked;
    }

    /** True for the modes whose body is aws-chunked encoded. */
    public boolean awsChunked() {
        return awsChunked;
    }

    public boolean hasTrailer() {
        return this == STREAMING_SIGNED_TRAILER || this == STREAMING_UNSIGNED_TRAILER;
    }

    public boolean signedChunks() {
        return this == STREAMING_SIGNED || this == STREAMING_SIGNED_TRAILER;
    }

    /** The mode named by an {@code x-amz-content-sha256} value. */
    static PayloadMode fromHeader(String value) throws S3AuthException {
        for (PayloadMode m : values()) {
            if (m.headerValue != null && m.headerValue.equals(value)) {
                return m;
            }
        }
        if (value.startsWith("STREAMING-AWS4-ECDSA-P256-SHA256")) {
            throw new S3AuthException(S3ErrorCode.NotImplemented,
                    "SigV4a (" + value + ") is not supported; configure the client to sign with SigV4.");
        }
        if (value.length() == 64 && value.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return SIGNED_SHA256;
        }
        throw new S3AuthException(S3ErrorCode.InvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD,"
                + " STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER,"
                + " STREAMING-UNSIGNED-PAYLOAD-TRAILER or the hex SHA-256 of the body.",
                java.util.Map.of("ArgumentName", "x-amz-content-sha256"));
    }
}
