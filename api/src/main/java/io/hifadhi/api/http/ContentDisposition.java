package io.hifadhi.api.http;

import java.nio.charset.StandardCharsets;

/** Content-Disposition with an ASCII fallback and an RFC 5987 UTF-8 form (RFC 6266 section 4.3). */
public final class ContentDisposition {
    private ContentDisposition() {
    }

    public static String attachment(String fileName) {
        return header("attachment", fileName);
    }

    public static String inline(String fileName) {
        return header("inline", fileName);
    }

    static String header(String type, String fileName) {
        // Only the last path segment is a file name for the recipient; RFC 6266 asks recipients to
        // drop directory parts anyway, and we do it so a stored "../x" never suggests a path.
        String base = fileName;
        int cut = Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\'));
        if (cut >= 0 && cut < base.length() - 1) {
            base = base.substring(cut + 1);
        }
        StringBuilder ascii = new StringBuilder();
        boolean plain = true;
        for (int i = 0; i < base.length(); i++) {
            char c = base.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '%' || c == '/') {
                ascii.append('_');
                plain = false;
            } else {
                ascii.append(c);
            }
        }
        String h = type + "; filename=\"" + ascii + "\"";
        return plain ? h : h + "; filename*=UTF-8''" + encode5987(base);
    }

    static String encode5987(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$&+-.^_`|~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
