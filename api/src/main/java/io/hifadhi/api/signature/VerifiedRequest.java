package io.hifadhi.api.signature;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A request whose signature checked out: who sent it, and how its body is protected. The HTTP layer
 * must read the body only through {@link #payload(InputStream)}, which enforces that protection.
 */
public final class VerifiedRequest {
    private final String accessKeyId;
    private final AuthStyle authStyle;
    private final PayloadMode payloadMode;
    private final String payloadSha256Hex;
    private final OptionalLong decodedContentLength;
    private final List<ChecksumAlgorithm> trailerChecksums;
    private final Instant requestTime;
    private final Instant expiresAt;
    // For aws-chunked signed bodies only: continuing the chain needs the key of this request's scope.
    private final byte[] signingKey;
    private final String amzDate;
    private final String scope;
    private final String seedSignature;

    VerifiedRequest(String accessKeyId, AuthStyle authStyle, PayloadMode payloadMode, String payloadSha256Hex,
            OptionalLong decodedContentLength, List<ChecksumAlgorithm> trailerChecksums, Instant requestTime,
            Instant expiresAt, byte[] signingKey, String amzDate, String scope, String seedSignature) {
        this.accessKeyId = accessKeyId;
        this.authStyle = authStyle;
        this.payloadMode = payloadMode;
        this.payloadSha256Hex = payloadSha256Hex;
        this.decodedContentLength = decodedContentLength;
        this.trailerChecksums = List.copyOf(trailerChecksums);
        this.requestTime = requestTime;
        this.expiresAt = expiresAt;
        this.signingKey = signingKey.clone();
        this.amzDate = amzDate;
        this.scope = scope;
        this.seedSignature = seedSignature;
    }

    public String accessKeyId() {
        return accessKeyId;
    }

    public AuthStyle authStyle() {
        return authStyle;
    }

    public PayloadMode payloadMode() {
        return payloadMode;
    }

    /** The signed hex SHA-256 of the body, in {@link PayloadMode#SIGNED_SHA256} mode. */
    public Optional<String> payloadSha256Hex() {
        return Optional.ofNullable(payloadSha256Hex);
    }

    /**
     * The object size for aws-chunked bodies (x-amz-decoded-content-length); the HTTP layer must use
     * this, not Content-Length, as the object's size and for Content-Length-based limits.
     */
    public OptionalLong decodedContentLength() {
        return decodedContentLength;
    }

    /** Checksums announced in x-amz-trailer (verified by the payload stream at its end). */
    public List<ChecksumAlgorithm> trailerChecksums() {
        return trailerChecksums;
    }

    public Instant requestTime() {
        return requestTime;
    }

    /** For presigned URLs, the instant after which the URL is refused. */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    /**
     * The object bytes of the body, checked according to {@link #payloadMode()}:
     * <ul>
     * <li>SIGNED_SHA256: a {@link ChecksumVerifyingInputStream}; XAmzContentSHA256Mismatch at EOF if
     * the body does not hash to the signed value;</li>
     * <li>UNSIGNED: the raw body itself;</li>
     * <li>STREAMING_*: an {@link AwsChunkedInputStream} that decodes and verifies chunk signatures,
     * trailer signature and checksums, and the decoded length.</li>
     * </ul>
     * In every mode an error can surface from the last {@code read()}: nothing read may be committed
     * before {@code read()} returned -1. Call once per request.
     */
    public InputStream payload(InputStream rawBody) throws S3AuthException {
        return switch (payloadMode) {
            case UNSIGNED -> rawBody;
            case SIGNED_SHA256 -> ChecksumVerifyingInputStream.sha256(rawBody, payloadSha256Hex);
            case STREAMING_SIGNED, STREAMING_SIGNED_TRAILER -> new AwsChunkedInputStream(rawBody,
                    new ChunkSignatureChain(signingKey, amzDate, scope, seedSignature), payloadMode.hasTrailer(),
                    trailerChecksums, decodedContentLength.orElseThrow());
            case STREAMING_UNSIGNED_TRAILER -> new AwsChunkedInputStream(rawBody, null, true, trailerChecksums,
                    decodedContentLength.orElseThrow());
        };
    }

    @Override
    public String toString() {
        return "VerifiedRequest[" + accessKeyId + ", " + authStyle + ", " + payloadMode + ", at " + requestTime + "]";
    }
}
