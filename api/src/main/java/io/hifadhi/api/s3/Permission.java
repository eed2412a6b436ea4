package io.hifadhi.api.s3;

import java.util.Locale;
import java.util.Optional;

/**
 * What an access key may do in one bucket. Read: GET/HEAD objects, list objects, HEAD the bucket,
 * read its location, versioning and CORS. Write: put, copy into, delete and multipart uploads.
 */
public enum Permission {
    READ("read"), WRITE("write"), READWRITE("readwrite");

    private final String wireName;

    Permission(String wireName) {
        this.wireName = wireName;
    }

    /** How the admin API, the CLI and the key table spell it. */
    public String wireName() {
        return wireName;
    }

    public boolean allowsRead() {
        return this != WRITE;
    }

    public boolean allowsWrite() {
        return this != READ;
    }

    /** "read", "write" or "readwrite" (case-insensitive); empty for anything else. */
    public static Optional<Permission> parse(String s) {
        if (s == null) {
            return Optional.empty();
        }
        String v = s.trim().toLowerCase(Locale.ROOT);
        for (Permission p : values()) {
            if (p.wireName.equals(v)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
