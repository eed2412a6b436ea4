package io.hifadhi.api.signature;

/** Where a request carries its credentials. */
public enum AuthStyle {
    /** No Authorization header and no X-Amz-Algorithm query parameter: anonymous. */
    NONE,
    /** The Authorization header. */
    HEADER,
    /** Presigned URL (X-Amz-* query parameters). */
    PRESIGNED
}
