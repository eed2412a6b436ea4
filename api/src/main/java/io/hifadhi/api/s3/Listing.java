package io.hifadhi.api.s3;

import io.hifadhi.api.store.ListPage;
import io.hifadhi.api.store.ObjectInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of an S3 listing over a sorted source of keys: prefix, delimiter folding into common
 * prefixes, max-keys, and the position to resume from. Shared by ListObjects v1 and v2.
 *
 * <p>A common prefix is reported once: the scan then jumps past every key under it, so a folder of
 * a million keys costs one extra store call, not a million. Resuming from a position that is itself
 * a common prefix (NextMarker or a v2 token after a page that ended on one) skips that prefix too.
 */
public final class Listing {
    public static final int MAX_KEYS = 1000;
    private static final int BATCH = 1000;
    /** Greater than any UTF-8 encoded key of at most 1024 bytes that starts with the same text. */
    private static final String AFTER_EVERYTHING = "\uDBFF\uDFFF".repeat(257);

    /** The sorted key space of one bucket. */
    @FunctionalInterface
    public interface Source {
        /** Live objects with the prefix, after {@code startAfter} (exclusive; null for the start), in key order. */
        ListPage list(String prefix, String startAfter, int maxKeys) throws IOException;
    }

    /**
     * @param objects        the keys listed, in order
     * @param commonPrefixes folded prefixes, in order
     * @param truncated      whether more follows
     * @param last           the last key or common prefix returned (the position to resume after), or null
     */
    public record Page(List<ObjectInfo> objects, List<String> commonPrefixes, boolean truncated, String last) {
        public Page {
            objects = List.copyOf(objects);
            commonPrefixes = List.copyOf(commonPrefixes);
        }

        public int keyCount() {
            return objects.size() + commonPrefixes.size();
        }
    }

    private Listing() {
    }

    /**
     * @param delimiter null or empty for none
     * @param after     resume position (exclusive), or null
     * @param maxKeys   0..MAX_KEYS
     */
    public static Page list(Source source, String prefix, String delimiter, String after, int maxKeys) throws IOException {
        String p = prefix == null ? "" : prefix;
        String d = delimiter == null || delimiter.isEmpty() ? null : delimiter;
        List<ObjectInfo> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String cursor = after;
        if (d != null && cursor != null && cursor.startsWith(p) && cursor.equals(commonPrefix(cursor, p, d))) {
            cursor = skipPast(cursor);
        }
        String last = null;
        if (maxKeys <= 0) {
            // As S3 answers max-keys=0: nothing, and not truncated (a client paging on IsTruncated would loop).
            return new Page(objects, prefixes, false, null);
        }
        while (true) {
            ListPage page = source.list(p, cursor, BATCH);
            boolean jumped = false;
            for (ObjectInfo o : page.objects()) {
                String cp = d == null ? null : commonPrefix(o.key(), p, d);
                if (objects.size() + prefixes.size() == maxKeys) {
                    return new Page(objects, prefixes, true, last);
                }
                if (cp != null) {
                    prefixes.add(cp);
                    last = cp;
                    cursor = skipPast(cp);
                    jumped = true;
                    break;
                }
                objects.add(o);
                last = o.key();
                cursor = o.key();
            }
            if (!jumped && !page.truncated()) {
                return new Page(objects, prefixes, false, last);
            }
            if (!jumped && page.objects().isEmpty()) {
                return new Page(objects, prefixes, false, last); // a store that says "truncated" with nothing: stop
            }
        }
    }

    /** The key's common prefix under {@code prefix} for {@code delimiter}, or null when it has none. */
    static String commonPrefix(String key, String prefix, String delimiter) {
        int i = key.indexOf(delimiter, prefix.length());
        return i < 0 ? null : key.substring(0, i + delimiter.length());
    }

    static String skipPast(String commonPrefix) {
        return commonPrefix + AFTER_EVERYTHING;
    }
}
