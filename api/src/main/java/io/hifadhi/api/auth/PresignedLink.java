package io.hifadhi.api.auth;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a presigned native link grants: one HTTP method on one object path until a moment, optionally
 * only from one network. The signature covers exactly {@link #canonical()}.
 *
 * @param method  "GET" (also allows HEAD) or "PUT"
 * @param path    the canonical path, see {@link #pathFor}
 * @param expires Unix time in seconds after which the link is refused
 * @param ip      the network requests must come from, or null for anywhere
 */
public record PresignedLink(String method, String path, long expires, Cidr ip) {
    public static final String EXPIRES = "X-Hifadhi-Expires";
    public static final String METHOD = "X-Hifadhi-Method";
    public static final String IP = "X-Hifadhi-IP";
    public static final String SIGNATURE = "X-Hifadhi-Signature";
    static final String VERSION = "HIFADHI-PRESIGN-V1";

    public PresignedLink {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        if (!method.equals("GET") && !method.equals("PUT")) {
            throw new IllegalArgumentException("method must be GET or PUT");
        }
    }

    /** VERSION \n method \n path \n expires \n ip (empty when unrestricted). */
    public String canonical() {
        return VERSION + "\n" + method + "\n" + path + "\n" + expires + "\n" + (ip == null ? "" : ip.toString());
    }

    /**
     * The path a link names for an operation on a query. The query is decoded before it gets here and
     * re-encoded canonically, so equivalent spellings of one URL (%40 or '@') verify alike while any
     * change to the object name, or a move to another endpoint, breaks the signature.
     */
    public static String pathFor(NativeOperation operation, String query) {
        String prefix = switch (operation) {
            case RETRIEVE -> "/api/v1/retrieve/";
            case STREAM -> "/api/v1/stream/";
            case STORE -> "/api/v1/store/";
            default -> throw new IllegalArgumentException(operation + " cannot be presigned");
        };
        return prefix + encode(query);
    }

    /** The URL query string carrying this link and its signature. */
    public String queryString(String signature) {
        StringBuilder b = new StringBuilder();
        b.append(EXPIRES).append('=').append(expires);
        b.append('&').append(METHOD).append('=').append(method);
        if (ip != null) {
            b.append('&').append(IP).append('=').append(encode(ip.toString()));
        }
        b.append('&').append(SIGNATURE).append('=').append(signature);
        return b.toString();
    }

    /** Percent-encodes every UTF-8 byte except RFC 3986 unreserved characters. */
    public static String encode(String text) {
        StringBuilder b = new StringBuilder();
        for (byte x : text.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }
}
