package io.hifadhi.api.nativeapi;

import java.nio.charset.StandardCharsets;

/**
 * Rules for native file names and queries. A name is only ever a record key (content addressing:
 * it never becomes a file system path), so "../" is harmless; control characters and overlong
 * names are refused because they break headers, logs and other tools.
 */
public final class NativeNames {
    /** The record-table namespace of native files; not a valid S3 bucket name, so it cannot collide. */
    public static final String BUCKET = ".native";
    public static final int MAX_NAME_BYTES = 1024;

    private NativeNames() {
    }

    /** Null when acceptable, otherwise what is wrong with it. */
    public static String problemWith(String fileName) {
        if (fileName.isEmpty()) {
            return "The filename is empty.";
        }
        int bytes = fileName.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            return "The filename is " + bytes + " bytes long in UTF-8; the limit is " + MAX_NAME_BYTES + ".";
        }
        for (int i = 0; i < fileName.length(); i++) {
            char c = fileName.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                return "The filename contains a control character (U+" + String.format("%04X", (int) c) + ") at position " + i + ".";
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < fileName.length() && Character.isLowSurrogate(fileName.charAt(i + 1));
                if (!paired) {
                    return "The filename contains an unpaired surrogate at position " + i + ".";
                }
                i++;
            }
        }
        return null;
    }

    /** The file name part of a query {@code <instance>@<filename>}. */
    public static String fileNameOf(String query) {
        int at = query.indexOf('@');
        return at < 0 ? query : query.substring(at + 1);
    }
}
