package io.hifadhi.api.store;

import java.io.IOException;

/** A body exceeded the configured maximum object size; nothing was published. */
public class ObjectTooLargeException extends IOException {
    private final long limit;

    public ObjectTooLargeException(long limit) {
        super("object exceeds the maximum size of " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
