package io.hifadhi.membership;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tiny line format {@code key=value\n} (values URL-encoded) for gossip properties and membership messages:
 * readable in logs, no serializer dependency, and tolerant of unknown keys so it can grow.
 */
final class Wire {

    private Wire() {
    }

    static String encode(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8))
                .append('\n'));
        return sb.toString();
    }

    static byte[] encodeBytes(Map<String, String> fields) {
        return encode(fields).getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> decode(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), URLDecoder.decode(line.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    static Map<String, String> decode(byte[] bytes) {
        return decode(bytes == null ? null : new String(bytes, StandardCharsets.UTF_8));
    }

    static String require(Map<String, String> fields, String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing field " + key);
        }
        return v;
    }
}
