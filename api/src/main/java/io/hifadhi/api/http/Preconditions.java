package io.hifadhi.api.http;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Conditional request evaluation in the order of RFC 9110 section 13.2.2.
 * ETags are compared as our own strong tags (quoted MD5); HTTP dates have one-second resolution,
 * so the last-modified time is truncated to seconds before comparing.
 */
public final class Preconditions {

    public enum Outcome { PROCEED, NOT_MODIFIED, PRECONDITION_FAILED }

    private Preconditions() {
    }

    /**
     * @param etag quoted entity tag of the current representation
     */
    public static Outcome evaluate(String method, String etag, Instant lastModified,
                                   String ifMatch, String ifUnmodifiedSince,
                                   String ifNoneMatch, String ifModifiedSince) {
        Instant modified = lastModified.truncatedTo(ChronoUnit.SECONDS);
        boolean safe = method.equals("GET") || method.equals("HEAD");
        if (ifMatch != null) {
            if (!matches(ifMatch, etag, true)) {
                return Outcome.PRECONDITION_FAILED;
            }
        } else {
            Optional<Instant> date = HttpDates.parse(ifUnmodifiedSince);
            if (date.isPresent() && modified.isAfter(date.get())) {
                return Outcome.PRECONDITION_FAILED;
            }
        }
        if (ifNoneMatch != null) {
            if (matches(ifNoneMatch, etag, false)) {
                return safe ? Outcome.NOT_MODIFIED : Outcome.PRECONDITION_FAILED;
            }
        } else if (safe) {
            Optional<Instant> date = HttpDates.parse(ifModifiedSince);
            if (date.isPresent() && !modified.isAfter(date.get())) {
                return Outcome.NOT_MODIFIED;
            }
        }
        return Outcome.PROCEED;
    }

    /** Whether an If-Range validator still names the current representation (strong comparison). */
    public static boolean ifRangeHolds(String ifRange, String etag, Instant lastModified) {
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.trim();
        if (v.startsWith("\"") || v.startsWith("W/")) {
            return v.equals(etag);
        }
        return HttpDates.parse(v).map(d -> d.equals(lastModified.truncatedTo(ChronoUnit.SECONDS))).orElse(false);
    }

    static boolean matches(String header, String etag, boolean strong) {
        String h = header.trim();
        if (h.equals("*")) {
            return true;
        }
        for (String raw : h.split(",")) {
            String tag = raw.trim();
            boolean weak = tag.startsWith("W/");
            if (weak) {
                if (strong) {
                    continue;
                }
                tag = tag.substring(2);
            }
            if (tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
