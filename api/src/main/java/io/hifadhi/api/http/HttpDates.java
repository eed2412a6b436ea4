package io.hifadhi.api.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** IMF-fixdate formatting and lenient parsing (RFC 9110 section 5.6.7). */
public final class HttpDates {
    private HttpDates() {
    }

    public static String format(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
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
