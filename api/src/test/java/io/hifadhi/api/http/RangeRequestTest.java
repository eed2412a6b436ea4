package io.hifadhi.api.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RangeRequestTest {
    private static String resolve(String header, long size) {
        RangeRequest r = RangeRequest.parse(header, size);
        return switch (r.kind()) {
            case FULL -> "full";
            case UNSATISFIABLE -> "416";
            case PARTIAL -> r.range().first() + "-" + r.range().last();
        };
    }

    @Test
    void singleRangeForms() {
        assertEquals("0-0", resolve("bytes=0-0", 100));
        assertEquals("10-19", resolve("bytes=10-19", 100));
        assertEquals("10-99", resolve("bytes=10-", 100));
        assertEquals("90-99", resolve("bytes=-10", 100));
        assertEquals("0-99", resolve("bytes=0-", 100));
        assertEquals("99-99", resolve("bytes=99-99", 100));
    }

    @Test
    void clampsPastTheEnd() {
        assertEquals("50-99", resolve("bytes=50-1000", 100));
        assertEquals("0-99", resolve("bytes=-1000", 100));
        assertEquals("5-99", resolve("bytes=5-99999999999999999999999", 100));
    }

    @Test
    void unsatisfiable() {
        assertEquals("416", resolve("bytes=100-", 100));
        assertEquals("416", resolve("bytes=100-200", 100));
        assertEquals("416", resolve("bytes=-0", 100));
        assertEquals("416", resolve("bytes=0-", 0));
        assertEquals("416", resolve("bytes=-5", 0));
        assertEquals("416", resolve("bytes=200-300, 400-", 100));
    }

    @Test
    void malformedIsIgnored() {
        assertEquals("full", resolve(null, 100));
        assertEquals("full", resolve("", 100));
        assertEquals("full", resolve("bytes", 100));
        assertEquals("full", resolve("bytes=", 100));
        assertEquals("full", resolve("bytes=abc", 100));
        assertEquals("full", resolve("bytes=5-1", 100));
        assertEquals("full", resolve("bytes=1-2-3", 100));
        assertEquals("full", resolve("items=0-5", 100));
        assertEquals("full", resolve("bytes=-", 100));
        assertEquals("full", resolve("bytes=+1-5", 100));
    }

    @Test
    void unitIsCaseInsensitiveAndWhitespaceTolerated() {
        assertEquals("1-5", resolve("Bytes = 1 - 5", 100));
    }

    @Test
    void multipleRangesCoalesceOrFallBackToFull() {
        assertEquals("0-20", resolve("bytes=0-10,11-20", 100));
        assertEquals("0-20", resolve("bytes=11-20, 0-15", 100));
        assertEquals("full", resolve("bytes=0-1,5-6", 100));
        // unsatisfiable parts are dropped when another part is satisfiable
        assertEquals("0-1", resolve("bytes=0-1,500-600", 100));
    }

    @Test
    void tooManyPartsAreIgnored() {
        StringBuilder b = new StringBuilder("bytes=0-0");
        for (int i = 0; i < RangeRequest.MAX_PARTS; i++) {
            b.append(",0-0");
        }
        assertEquals("full", resolve(b.toString(), 100));
    }

    @Test
    void contentRangeHeader() {
        assertEquals("bytes 5-9/100", new ByteRange(5, 9).contentRange(100));
        assertEquals(5, new ByteRange(5, 9).length());
    }
}
