package io.hifadhi.api.signature;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one failure type of this package: an S3 error code, its HTTP status, a message a person can act
 * on, and optional extra elements for the XML error body (S3 adds e.g. {@code StringToSign},
 * {@code CanonicalRequest}, {@code Region}).
 *
 * <p>It extends {@link IOException} so the payload-decoding streams can throw it straight out of
 * {@code read()}: whoever copies the body sees the S3 error, not a wrapped one. Messages and details
 * never contain a secret or an expected signature.
 */
public final class S3AuthException extends IOException {
    private static final long serialVersionUID = 1L;

    private final S3ErrorCode code;
    private final transient Map<String, String> details;

    public S3AuthException(S3ErrorCode code, String message) {
        this(code, message, Map.of());
    }

    public S3AuthException(S3ErrorCode code, String message, Map<String, String> details) {
        super(message);
        this.code = code;
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public S3ErrorCode code() {
        return code;
    }

    public int httpStatus() {
        return code.httpStatus();
    }

    /** Extra XML elements for the error body, in order (element name to text). */
    public Map<String, String> details() {
        return details;
    }

    @Override
    public String toString() {
        return "S3AuthException[" + code + " (" + code.httpStatus() + "): " + getMessage() + "]";
    }
}
