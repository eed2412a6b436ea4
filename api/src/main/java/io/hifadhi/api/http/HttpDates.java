package io.hifadhi.api.http;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/** IMF-fixdate formatting and lenient parsing (RFC 9110 section 5.6.7). */
public final class HttpDates {
    private HttpDates() {
    }

    /** RFC 9110's IMF-fixdate: what a sender must generate (two-digit day, unlike RFC_1123_DATE_TIME's "4 Dec"). */
    static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
            "Dec"};

    /**
     * The same text as {@link #IMF_FIXDATE}, written by hand for years 1000-9999: the formatter took about 1.5% of a
     * small GET's CPU. (Until December 2026 the day of month went out without its leading zero, as Java's RFC 1123
     * formatter writes it; RFC 9110 requires two digits and S3 sends two.)
     */
    public static String format(Instant instant) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 1000 || year > 9999) {
            return IMF_FIXDATE.format(instant);
        }
        StringBuilder out = new StringBuilder(29);
        out.append(DAYS[t.getDayOfWeek().ordinal()]).append(", ");
        twoDigits(out, t.getDayOfMonth()).append(' ').append(MONTHS[t.getMonthValue() - 1]).append(' ').append(year).append(' ');
        twoDigits(out, t.getHour()).append(':');
        twoDigits(out, t.getMinute()).append(':');
        return twoDigits(out, t.getSecond()).append(" GMT").toString();
    }

    private static StringBuilder twoDigits(StringBuilder out, int n) {
        return out.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }

    /** Empty for anything that is not a valid date: such a header is then ignored, as RFC 9110 requires. */
    public static Optional<Instant> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.trim())));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
