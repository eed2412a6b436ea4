package io.hifadhi.api.s3;

import java.nio.charset.StandardCharsets;

/** S3 object key rules. Keys are opaque to storage (content addressing), so only length matters. */
public final class ObjectKeys {
    public static final int MAX_KEY_BYTES = 1024;

    private ObjectKeys() {
    }

    /** Null when acceptable, else the KeyTooLongError message. */
    public static String problemWith(String key) {
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            return "Your key is too long: " + bytes + " bytes of UTF-8, the maximum is " + MAX_KEY_BYTES + ".";
        }
        if (bytes == 0) {
            return "Keys must not be empty.";
        }
        return null;
    }
}
