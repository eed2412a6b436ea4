package io.hifadhi.api.store;

import java.io.IOException;

/** Stored bytes no longer match their content hash. They are never served. */
public class CorruptDataException extends IOException {
    public CorruptDataException(String message) {
        super(message);
    }
}
