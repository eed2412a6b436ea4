package io.hifadhi.api.s3;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorsConfigurationTest {
    private final XmlReader reader = new XmlReader(64 * 1024, 2000);

    CorsConfiguration parse(String xml) throws S3Exception {
        return CorsConfiguration.parse(reader.parse(xml.getBytes(StandardCharsets.UTF_8)));
    }

    static final String RULES = "<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin>"
            + "<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader>"
            + "<AllowedHeader>content-type</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds>"
            + "</CORSRule><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule></CORSConfiguration>";

    @Test
    void matchesOriginMethodAndHeadersWithWildcards() throws Exception {
        CorsConfiguration c = parse(RULES);
        assertTrue(c.match("https://app.example.com", "PUT", List.of("x-amz-date", "content-type")).isPresent());
        assertEquals("https://app.example.com", c.match("https://app.example.com", "GET", List.of()).orElseThrow()
                .allowOriginValue("https://app.example.com"));
        assertFalse(c.match("https://app.example.com", "DELETE", List.of()).isPresent());
        assertFalse(c.match("https://evil.org", "GET", List.of()).isPresent());
        assertFalse(c.match("https://app.example.com", "PUT", List.of("authorization-x")).isPresent());
        assertEquals("*", c.match("https://evil.org", "HEAD", List.of()).orElseThrow().allowOriginValue("https://evil.org"));
        assertEquals(600, c.match("https://a.example.com", "GET", List.of()).orElseThrow().maxAgeSeconds());
    }

    @Test
    void roundTripsThroughItsOwnXml() throws Exception {
        CorsConfiguration c = parse(RULES);
        assertEquals(c, parse(c.toXml()));
    }

    @Test
    void refusesBadRules() {
        assertEquals("InvalidRequest", assertThrows(S3Exception.class, () -> parse("<CORSConfiguration><CORSRule>"
                + "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>")).code());
        assertEquals("MalformedXML", assertThrows(S3Exception.class, () -> parse("<CORSConfiguration><CORSRule>"
                + "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>")).code());
        assertEquals("MalformedXML", assertThrows(S3Exception.class, () -> parse("<CORSConfiguration/>")).code());
        assertEquals("InvalidRequest", assertThrows(S3Exception.class, () -> parse("<CORSConfiguration><CORSRule>"
                + "<AllowedOrigin>*.*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>")).code());
    }

    @Test
    void wildcardIsAGlob() {
        assertTrue(CorsConfiguration.wildcard("a*c", "abbbc", false));
        assertTrue(CorsConfiguration.wildcard("*", "", false));
        assertFalse(CorsConfiguration.wildcard("a.c", "abc", false), "dots are literal");
        assertTrue(CorsConfiguration.wildcard("X-Amz-*", "x-amz-date", true));
    }
}
