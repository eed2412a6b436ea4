package io.hifadhi.api.multipart;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Parameters of a header such as {@code form-data; name="file"; filename="a b.mp4"}. */
final class HeaderParams {
    private HeaderParams() {
    }

    /** Lower-case parameter names; quoted values unescaped; {@code filename*} (RFC 5987) decoded. */
    static Map<String, String> parse(String header) {
        Map<String, String> out = new HashMap<>();
        int i = header.indexOf(';');
        if (i < 0) {
            return out;
        }
        int n = header.length();
        while (i < n) {
            i++; // skip ';'
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == '\t')) {
                i++;
            }
            int eq = header.indexOf('=', i);
            int semi = header.indexOf(';', i);
            if (eq < 0 || (semi >= 0 && semi < eq)) {
                if (semi < 0) {
                    break;
                }
                i = semi;
                continue;
            }
            String name = header.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            while (i < n && header.charAt(i) == ' ') {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && header.charAt(i) == '"') {
                i++;
                while (i < n && header.charAt(i) != '"') {
                    char c = header.charAt(i);
                    // Browsers do not escape backslashes in file names (WHATWG), so only \" and \\ unescape.
                    if (c == '\\' && i + 1 < n && (header.charAt(i + 1) == '"' || header.charAt(i + 1) == '\\')) {
                        i++;
                        c = header.charAt(i);
                    }
                    value.append(c);
                    i++;
                }
                i++; // closing quote
                while (i < n && header.charAt(i) != ';') {
                    i++;
                }
            } else {
                while (i < n && header.charAt(i) != ';') {
                    value.append(header.charAt(i));
                    i++;
                }
            }
            String v = name.endsWith("*") ? ext(value.toString().trim()) : (name.equals("boundary") ? value.toString().trim() : value.toString());
            if (v != null) {
                out.put(name, v);
            }
        }
        return out;
    }

    /** RFC 5987 ext-value: charset'lang'pct-encoded. Null when not UTF-8 or malformed. */
    private static String ext(String v) {
        int a = v.indexOf('\'');
        int b = a < 0 ? -1 : v.indexOf('\'', a + 1);
        if (b < 0 || !v.substring(0, a).equalsIgnoreCase("UTF-8")) {
            return null;
        }
        try {
            return URLDecoder.decode(v.substring(b + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
