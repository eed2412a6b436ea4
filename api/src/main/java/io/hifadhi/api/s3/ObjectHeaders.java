package io.hifadhi.api.s3;

import io.hifadhi.api.store.ObjectInfo;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metadata S3 keeps with an object besides its Content-Type: user metadata (x-amz-meta-*) and
 * the system headers Cache-Control, Content-Disposition, Content-Encoding, Content-Language and
 * Expires, which S3 replays on GET/HEAD.
 *
 * <p>Both travel in the record's metadata map. System headers are stored under a name that starts
 * with ':' which no HTTP header name (an RFC 9110 token) can contain, so a client can never forge
 * or read them as user metadata. This is the one place that knows the encoding.
 */
public final class ObjectHeaders {
    public static final String META_PREFIX = "x-amz-meta-";
    /** S3's limit on user metadata: keys and values, in UTF-8 bytes. */
    public static final int MAX_USER_METADATA_BYTES = 2048;
    public static final List<String> SYSTEM = List.of("Cache-Control", "Content-Disposition", "Content-Encoding",
            "Content-Language", "Expires");
    private static final String RESERVED = ":";

    private ObjectHeaders() {
    }

    /** The stored metadata map for a write: user metadata plus system headers from the request. */
    public static Map<String, String> fromRequest(HeaderMap headers) throws S3Exception {
        Map<String, String> out = new TreeMap<>(userMetadata(headers));
        for (String name : SYSTEM) {
            String v = headers.getFirst(name);
            if (name.equals("Content-Encoding") && v != null) {
                v = withoutAwsChunked(v);
            }
            if (v != null && !v.isEmpty()) {
                out.put(RESERVED + name.toLowerCase(Locale.ROOT), v);
            }
        }
        return out;
    }

    /** x-amz-meta-* headers, names lower-cased without the prefix; MetadataTooLarge beyond 2 KiB. */
    static Map<String, String> userMetadata(HeaderMap headers) throws S3Exception {
        Map<String, String> meta = new TreeMap<>();
        int bytes = 0;
        for (io.undertow.util.HttpString h : headers.getHeaderNames()) {
            String name = h.toString().toLowerCase(Locale.ROOT);
            if (!name.startsWith(META_PREFIX) || name.length() == META_PREFIX.length()) {
                continue;
            }
            HeaderValues values = headers.get(h);
            String value = String.join(",", values);
            String key = name.substring(META_PREFIX.length());
            bytes += key.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
            meta.merge(key, value, (a, b) -> a + "," + b);
        }
        if (bytes > MAX_USER_METADATA_BYTES) {
            throw new S3Exception(S3Error.MetadataTooLarge, "Your metadata headers exceed the maximum allowed metadata size of "
                    + MAX_USER_METADATA_BYTES + " bytes.");
        }
        return meta;
    }

    /** The user metadata of a stored object (without system headers), names without the x-amz-meta- prefix. */
    public static Map<String, String> user(ObjectInfo info) {
        Map<String, String> out = new TreeMap<>();
        info.userMetadata().forEach((k, v) -> {
            if (!k.startsWith(RESERVED)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** System headers by their HTTP name, in {@link #SYSTEM} order. */
    public static Map<String, String> system(ObjectInfo info) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : SYSTEM) {
            String v = info.userMetadata().get(RESERVED + name.toLowerCase(Locale.ROOT));
            if (v != null) {
                out.put(name, v);
            }
        }
        return out;
    }

    static String withoutAwsChunked(String contentEncoding) {
        List<String> kept = new ArrayList<>();
        for (String token : contentEncoding.split(",")) {
            String t = token.trim();
            if (!t.isEmpty() && !t.equalsIgnoreCase("aws-chunked")) {
                kept.add(t);
            }
        }
        return String.join(",", kept);
    }
}
