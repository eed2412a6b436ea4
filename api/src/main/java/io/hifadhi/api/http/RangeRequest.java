package io.hifadhi.api.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A parsed {@code Range} header (RFC 9110 section 14), resolved against the representation size.
 *
 * <p>Policy: a missing, malformed or non-{@code bytes} header is ignored (full 200). Several ranges
 * are sorted and coalesced; if they collapse into one we answer 206 with it, otherwise we ignore the
 * header and send the whole representation, which RFC 9110 section 14.2 permits ("a server MAY
 * ignore the Range header field"). That keeps every response a single plain body and avoids
 * amplification by many tiny ranges; browsers and media players only ever ask for one range.
 */
public final class RangeRequest {

    public enum Kind { FULL, PARTIAL, UNSATISFIABLE }

    /** Ranges with more parts than this are ignored outright. */
    static final int MAX_PARTS = 100;

    private final Kind kind;
    private final ByteRange range;

    private RangeRequest(Kind kind, ByteRange range) {
        this.kind = kind;
        this.range = range;
    }

    public Kind kind() {
        return kind;
    }

    /** The single range to serve; only for {@link Kind#PARTIAL}. */
    public ByteRange range() {
        if (kind != Kind.PARTIAL) {
            throw new IllegalStateException(kind.toString());
        }
        return range;
    }

    public static RangeRequest full() {
        return new RangeRequest(Kind.FULL, null);
    }

    /** A range the server chose itself (S3's partNumber), already inside the object. */
    public static RangeRequest of(ByteRange range) {
        return new RangeRequest(Kind.PARTIAL, range);
    }

    public static RangeRequest parse(String header, long size) {
        if (header == null) {
            return full();
        }
        String h = header.trim();
        int eq = h.indexOf('=');
        if (eq < 0 || !h.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            return full();
        }
        String[] specs = h.substring(eq + 1).split(",", -1);
        if (specs.length > MAX_PARTS) {
            return full();
        }
        List<ByteRange> satisfiable = new ArrayList<>();
        int parsed = 0;
        for (String raw : specs) {
            String spec = raw.trim();
            if (spec.isEmpty()) {
                continue; // RFC 9110 allows empty list elements
            }
            int dash = spec.indexOf('-');
            if (dash < 0) {
                return full();
            }
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {
                long suffix = digits(b);
                if (suffix < 0) {
                    return full();
                }
                parsed++;
                if (suffix > 0 && size > 0) {
                    satisfiable.add(new ByteRange(Math.max(0, size - suffix), size - 1));
                }
            } else {
                long first = digits(a);
                long last = b.isEmpty() ? Long.MAX_VALUE : digits(b);
                if (first < 0 || last < 0 || last < first) {
                    return full();
                }
                parsed++;
                if (first < size) {
                    satisfiable.add(new ByteRange(first, Math.min(last, size - 1)));
                }
            }
        }
        if (parsed == 0) {
            return full();
        }
        if (satisfiable.isEmpty()) {
            return new RangeRequest(Kind.UNSATISFIABLE, null);
        }
        satisfiable.sort(Comparator.comparingLong(ByteRange::first));
        ByteRange merged = satisfiable.get(0);
        for (int i = 1; i < satisfiable.size(); i++) {
            ByteRange next = satisfiable.get(i);
            if (next.first() > merged.last() + 1) {
                return full(); // disjoint ranges: serve the whole representation (see class comment)
            }
            merged = new ByteRange(merged.first(), Math.max(merged.last(), next.last()));
        }
        return new RangeRequest(Kind.PARTIAL, merged);
    }

    /** Non-negative decimal, saturating at Long.MAX_VALUE; -1 when not all digits. */
    private static long digits(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (v > (Long.MAX_VALUE - (c - '0')) / 10) {
                v = Long.MAX_VALUE;
            } else if (v != Long.MAX_VALUE) {
                v = v * 10 + (c - '0');
            }
        }
        return v;
    }
}
