package io.hifadhi.api.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HttpTextTest {
    @Test
    void contentTypeFromExtension() {
        assertEquals("video/mp4", ContentTypes.forFileName("Movie.MP4"));
        assertEquals("video/webm", ContentTypes.forFileName("a.webm"));
        assertEquals("video/x-matroska", ContentTypes.forFileName("a.mkv"));
        assertEquals("audio/mpeg", ContentTypes.forFileName("song.mp3"));
        assertEquals("image/svg+xml", ContentTypes.forFileName("x.svg"));
        assertEquals("application/pdf", ContentTypes.forFileName("doc.pdf"));
        assertEquals("application/octet-stream", ContentTypes.forFileName("noext"));
        assertEquals("application/octet-stream", ContentTypes.forFileName("dir.mp4/file"));
        assertEquals("application/octet-stream", ContentTypes.forFileName("x.unknownext"));
        assertEquals("application/octet-stream", ContentTypes.forFileName("trailingdot."));
    }

    @Test
    void declaredTypeWinsUnlessGeneric() {
        assertEquals("image/png", ContentTypes.choose("image/png", "a.bin"));
        assertEquals("video/mp4", ContentTypes.choose("application/octet-stream", "a.mp4"));
        assertEquals("video/mp4", ContentTypes.choose(null, "a.mp4"));
        assertEquals("video/mp4", ContentTypes.choose("bad\ntype", "a.mp4"));
    }

    @Test
    void contentDisposition() {
        assertEquals("attachment; filename=\"a.mp4\"", ContentDisposition.attachment("a.mp4"));
        assertEquals("inline; filename=\"passwd\"", ContentDisposition.inline("../../etc/passwd"));
        assertEquals("attachment; filename=\"_____.txt\"; filename*=UTF-8''%D0%B2%D0%B8%D0%B4%D0%B5%D0%BE.txt",
                ContentDisposition.attachment("видео.txt"));
        assertEquals("attachment; filename=\"a_b_.txt\"; filename*=UTF-8''a%22b%25.txt", ContentDisposition.attachment("a\"b%.txt"));
    }

    @Test
    void percentDecoding() {
        assertEquals("a b+c", PercentDecoder.decodePath("a%20b+c"));
        assertEquals("../../etc/passwd", PercentDecoder.decodePath("..%2F..%2Fetc%2Fpasswd"));
        assertEquals("ü", PercentDecoder.decodePath("%C3%BC"));
        assertThrows(IllegalArgumentException.class, () -> PercentDecoder.decodePath("%zz"));
        assertThrows(IllegalArgumentException.class, () -> PercentDecoder.decodePath("%C3"));
        assertThrows(IllegalArgumentException.class, () -> PercentDecoder.decodePath("%4"));
    }

    @Test
    void jsonErrorEscapes() {
        assertEquals("{\"error\":\"e\",\"message\":\"a\\\"b\\n\\u0001\",\"hint\":\"h\"}", ApiErrors.json("e", "a\"b\n\u0001", "h"));
    }
}
