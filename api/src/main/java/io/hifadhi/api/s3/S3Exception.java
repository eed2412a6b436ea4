package io.hifadhi.api.s3;

import io.hifadhi.api.signature.S3AuthException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An S3 error to answer with: code, HTTP status, a message a person can act on, and optional extra
 * elements for the XML body. Thrown by handlers and turned into an Error document by {@link S3Errors}.
 */
public final class S3Exception extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int status;
    private final transient Map<String, String> details;

    public S3Exception(S3Error error, String message) {
        this(error.name(), error.status(), message, Map.of());
    }

    public S3Exception(S3Error error, String message, Map<String, String> details) {
        this(error.name(), error.status(), message, details);
    }

    private S3Exception(String code, int status, String message, Map<String, String> details) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public static S3Exception of(S3AuthException e) {
        return new S3Exception(e.code().name(), e.httpStatus(), e.getMessage(), e.details());
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    public Map<String, String> details() {
        return details;
    }
}
