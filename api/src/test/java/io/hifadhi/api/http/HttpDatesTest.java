package io.hifadhi.api.http;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HttpDatesTest {
    private static String byFormatter(Instant t) {
        return HttpDates.IMF_FIXDATE.format(t);
    }

    @Test
    void formatsImfFixdate() {
        // Two-digit day, as RFC 9110 requires of senders and as S3 sends (Go's http.TimeFormat parses only this).
        assertEquals("Thu, 03 Dec 2026 17:05:09 GMT", HttpDates.format(Instant.parse("2026-12-03T17:05:09.999Z")));
        assertEquals("Sat, 29 Feb 2020 00:00:00 GMT", HttpDates.format(Instant.parse("2020-02-29T00:00:00Z")));
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", HttpDates.format(Instant.EPOCH));
        Random random = new Random(19);
        for (int i = 0; i < 100_000; i++) {
            // Any second from year 1000 to 9999, and the years around, where it falls back to the formatter.
            Instant t = Instant.ofEpochSecond(-31_000_000_000L + (long) (random.nextDouble() * 284_000_000_000L),
                    random.nextInt(1_000_000_000));
            assertEquals(byFormatter(t), HttpDates.format(t), t.toString());
        }
    }

    @Test
    void parsesWhatItFormatsAndTheOtherForms() {
        Instant t = Instant.parse("2026-01-05T08:09:10Z");
        assertEquals(t, HttpDates.parse(HttpDates.format(t)).orElseThrow());
        assertEquals(t, HttpDates.parse("Mon, 5 Jan 2026 08:09:10 GMT").orElseThrow());
    }
}
