package io.hifadhi.api.nativeapi;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Rules for native file names and queries. A name is only ever a record key (content addressing:
 * it never becomes a file system path), so "../" is harmless; control characters and overlong
 * names are refused because they break headers, logs and other tools.
 */
public final class NativeNames {
    /** The record-table namespace of native files; not a valid S3 bucket name, so it cannot collide. */
    public static final String BUCKET = ".native";
    public static final int MAX_NAME_BYTES = 1024;
    /** Instance names as nodes accept them (NodeConfig.NAME). */
    static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    /** The content type of a directory marker, the empty record {@code <instance>@<path>/} that keeps an empty directory. */
    public static final String DIRECTORY_TYPE = "application/x-directory";

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

    /**
     * Null when {@code fileName} may be given to a new file, otherwise what is wrong with it: the
     * rules of {@link #problemWith} and not ending in '/', which names a directory marker.
     */
    public static String problemWithStoredName(String fileName) {
        String problem = problemWith(fileName);
        if (problem == null && fileName.endsWith("/")) {
            return "The filename ends with '/', which names a directory; a file's name cannot.";
        }
        return problem;
    }

    /**
     * Null when {@code path} may name a new file or directory (the path part of a query, without
     * a directory's trailing '/'), otherwise what is wrong with it: besides {@link #problemWithStoredName},
     * no '.' or '..' segment and no empty segment, so that every name means one place in the
     * directory tree and no tool that maps names to paths is led outside it.
     */
    public static String problemWithPath(String path) {
        String problem = problemWithStoredName(path);
        if (problem != null) {
            return problem;
        }
        int start = 0;
        while (start <= path.length()) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            String segment = path.substring(start, end);
            if (segment.isEmpty()) {
                return start == 0 ? "The name starts with '/'; names are relative to their instance."
                        : "The name has an empty segment ('//') at position " + start + ".";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "The name has a '" + segment + "' segment at position " + start + "; '.' and '..' are not allowed in names.";
            }
            start = end + 1;
        }
        return null;
    }

    /** Null when {@code query} is a full {@code <instance>@<filename>} a file may have, otherwise what is wrong. */
    public static String problemWithQuery(String query) {
        String problem = problemWithInstance(query);
        return problem != null ? problem : problemWithStoredName(fileNameOf(query));
    }

    /** As {@link #problemWithQuery}, with the stricter rules of {@link #problemWithPath} for names written from now on. */
    public static String problemWithNewQuery(String query) {
        String problem = problemWithInstance(query);
        return problem != null ? problem : problemWithPath(fileNameOf(query));
    }

    private static String problemWithInstance(String query) {
        String instance = instanceOf(query);
        if (instance == null) {
            return "The query has no '@': it must be the full '<instance>@<filename>'.";
        }
        if (!INSTANCE.matcher(instance).matches()) {
            return "The instance part before '@' must be 1-63 letters, digits, '.', '_' or '-'.";
        }
        return null;
    }

    /** The instance part of a query {@code <instance>@<filename>}, or null when it has no '@'. */
    public static String instanceOf(String query) {
        int at = query.indexOf('@');
        return at < 0 ? null : query.substring(0, at);
    }

    /** The file name part of a query {@code <instance>@<filename>}. */
    public static String fileNameOf(String query) {
        int at = query.indexOf('@');
        return at < 0 ? query : query.substring(at + 1);
    }
}
