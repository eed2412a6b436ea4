package io.hifadhi.api.signature;

/**
 * The S3 error codes this package can produce, each with the HTTP status S3 answers it with.
 * The enum constant name is the exact {@code <Code>} string S3 clients match on.
 */
public enum S3ErrorCode {
    AccessDenied(403),
    SignatureDoesNotMatch(403),
    InvalidAccessKeyId(403),
    RequestTimeTooSkewed(403),
    AuthorizationHeaderMalformed(400),
    AuthorizationQueryParametersError(400),
    MissingSecurityHeader(400),
    XAmzContentSHA256Mismatch(400),
    BadDigest(400),
    InvalidDigest(400),
    InvalidArgument(400),
    InvalidRequest(400),
    InvalidURI(400),
    IncompleteBody(400),
    MalformedTrailerError(400),
    MissingContentLength(411),
    NotImplemented(501);

    private final int httpStatus;

    S3ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
