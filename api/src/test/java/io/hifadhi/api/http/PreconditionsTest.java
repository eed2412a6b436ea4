package io.hifadhi.api.http;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static io.hifadhi.api.http.Preconditions.Outcome.NOT_MODIFIED;
import static io.hifadhi.api.http.Preconditions.Outcome.PRECONDITION_FAILED;
import static io.hifadhi.api.http.Preconditions.Outcome.PROCEED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreconditionsTest {
    static final String ETAG = "\"abc\"";
    static final Instant MODIFIED = Instant.parse("2024-05-01T10:00:00.700Z");
    static final String AT = "Wed, 01 May 2024 10:00:00 GMT";
    static final String BEFORE = "Wed, 01 May 2024 09:59:59 GMT";
    static final String AFTER = "Wed, 01 May 2024 10:00:01 GMT";

    private static Preconditions.Outcome eval(String method, String ifMatch, String ius, String inm, String ims) {
        return Preconditions.evaluate(method, ETAG, MODIFIED, ifMatch, ius, inm, ims);
    }

    @Test
    void noHeadersProceed() {
        assertEquals(PROCEED, eval("GET", null, null, null, null));
    }

    @Test
    void ifMatch() {
        assertEquals(PROCEED, eval("GET", ETAG, null, null, null));
        assertEquals(PROCEED, eval("GET", "\"x\", " + ETAG, null, null, null));
        assertEquals(PROCEED, eval("GET", "*", null, null, null));
        assertEquals(PRECONDITION_FAILED, eval("GET", "\"other\"", null, null, null));
        assertEquals(PRECONDITION_FAILED, eval("GET", "W/" + ETAG, null, null, null), "If-Match uses strong comparison");
    }

    @Test
    void ifUnmodifiedSinceOnlyWithoutIfMatch() {
        assertEquals(PRECONDITION_FAILED, eval("GET", null, BEFORE, null, null));
        assertEquals(PROCEED, eval("GET", null, AT, null, null), "second resolution");
        assertEquals(PROCEED, eval("GET", ETAG, BEFORE, null, null));
        assertEquals(PROCEED, eval("GET", null, "not a date", null, null));
    }

    @Test
    void ifNoneMatch() {
        assertEquals(NOT_MODIFIED, eval("GET", null, null, ETAG, null));
        assertEquals(NOT_MODIFIED, eval("HEAD", null, null, "W/" + ETAG, null), "weak comparison");
        assertEquals(NOT_MODIFIED, eval("GET", null, null, "*", null));
        assertEquals(PROCEED, eval("GET", null, null, "\"other\"", null));
        assertEquals(PRECONDITION_FAILED, eval("PUT", null, null, ETAG, null));
    }

    @Test
    void ifModifiedSinceOnlyWithoutIfNoneMatch() {
        assertEquals(NOT_MODIFIED, eval("GET", null, null, null, AT));
        assertEquals(NOT_MODIFIED, eval("GET", null, null, null, AFTER));
        assertEquals(PROCEED, eval("GET", null, null, null, BEFORE));
        assertEquals(PROCEED, eval("GET", null, null, "\"other\"", AFTER));
        assertEquals(PROCEED, eval("GET", null, null, null, "garbage"));
    }

    @Test
    void ifRange() {
        assertTrue(Preconditions.ifRangeHolds(null, ETAG, MODIFIED));
        assertTrue(Preconditions.ifRangeHolds(ETAG, ETAG, MODIFIED));
        assertFalse(Preconditions.ifRangeHolds("\"old\"", ETAG, MODIFIED));
        assertFalse(Preconditions.ifRangeHolds("W/" + ETAG, ETAG, MODIFIED));
        assertTrue(Preconditions.ifRangeHolds(AT, ETAG, MODIFIED));
        assertFalse(Preconditions.ifRangeHolds(BEFORE, ETAG, MODIFIED));
    }
}
