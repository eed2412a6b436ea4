package io.hifadhi.api.s3;

import io.hifadhi.api.http.ByteRange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RoutingTest {
    static final List<String> DOMAINS = List.of("s3.example.com");

    @Test
    void pathStyleTargets() throws Exception {
        assertEquals(new S3Router.Target(null, null), S3Router.target("/", null, List.of()));
        assertEquals(new S3Router.Target("bkt", null), S3Router.target("/bkt", null, List.of()));
        assertEquals(new S3Router.Target("bkt", null), S3Router.target("/bkt/", null, List.of()));
        assertEquals(new S3Router.Target("bkt", "a/b c//d"), S3Router.target("/bkt/a/b%20c//d", "127.0.0.1:7111", DOMAINS));
        // Undertow hands raw UTF-8 bytes over as ISO-8859-1 characters.
        assertEquals(new S3Router.Target("bkt", "\u00fc"), S3Router.target("/bkt/\u00c3\u00bc", null, List.of()));
        assertEquals(new S3Router.Target("bkt", "../x"), S3Router.target("/bkt/..%2Fx", null, List.of()));
        assertEquals("InvalidURI", assertThrows(S3Exception.class, () -> S3Router.target("/bkt/%zz", null, List.of())).code());
        assertEquals("InvalidURI", assertThrows(S3Exception.class, () -> S3Router.target("/bkt/%C3", null, List.of())).code());
    }

    @Test
    void virtualHostStyleTargets() throws Exception {
        assertEquals(new S3Router.Target("photos", "cat.jpg"), S3Router.target("/cat.jpg", "photos.s3.example.com:7111", DOMAINS));
        assertEquals(new S3Router.Target("photos", null), S3Router.target("/", "PHOTOS.s3.example.com", DOMAINS));
        assertEquals(new S3Router.Target(null, null), S3Router.target("/", "s3.example.com", DOMAINS));
        assertEquals(new S3Router.Target("other", "k"), S3Router.target("/other/k", "photos.elsewhere.org", DOMAINS));
    }

    @Test
    void copySourceRanges() throws Exception {
        assertEquals(new ByteRange(0, 99), Multipart.copyRange("bytes=0-99", 100));
        assertEquals("InvalidRange", assertThrows(S3Exception.class, () -> Multipart.copyRange("bytes=0-100", 100)).code());
        assertEquals("InvalidArgument", assertThrows(S3Exception.class, () -> Multipart.copyRange("bytes=-5", 100)).code());
        assertEquals("InvalidArgument", assertThrows(S3Exception.class, () -> Multipart.copyRange("bytes=5-1", 100)).code());
        assertEquals("InvalidArgument", assertThrows(S3Exception.class, () -> Multipart.copyRange("items=0-1", 100)).code());
    }

    @Test
    void etagsAreUnquoted() {
        assertEquals("abc", Multipart.unquote("\"abc\""));
        assertEquals("abc", Multipart.unquote(" abc "));
    }
}
