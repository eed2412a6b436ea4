package io.hifadhi.api.multipart;

import java.io.IOException;

/** The request body is not well-formed multipart/form-data. */
public class MultipartException extends IOException {
    public MultipartException(String message) {
        super(message);
    }
}
