package io.hifadhi.api.signature;

/** Where a request carries its credentials. */
public enum AuthStyle {
    /** No Authorization header and no signature query parameters: anonymous. */
    NONE,
    /** The Authorization header. */
    HEADER,
    /** Presigned URL (SigV4 X-Amz-* or SigV2 AWSAccessKeyId/Expires/Signature query parameters). */
    PRESIGNED
}
