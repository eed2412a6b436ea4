package io.hifadhi.api.signature;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** AWS SDKs sign a key's "//" as-is but send it as "/%2F"; S3 accepts both spellings. */
class EncodedSlashTest {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    static final String EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    static SimpleRequestView request(String path, String authorization) {
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
        headers.put("host", List.of("127.0.0.1:7111"));
        headers.put("x-amz-date", List.of("20260102T030405Z"));
        headers.put("x-amz-content-sha256", List.of(EMPTY_SHA));
        if (authorization != null) {
            headers.put("authorization", List.of(authorization));
        }
        return SimpleRequestView.of("GET", path, headers);
    }

    @Test
    void signedWithPlainSlashesSentWithEncodedSlash() throws Exception {
        SigV4Signer signer = new SigV4Signer("AKID", "secret-key-123", "us-east-1");
        String auth = signer.authorization(request("/bkt/a//k", null), List.of("x-amz-date", "x-amz-content-sha256"));
        SigV4Verifier verifier = new SigV4Verifier(id -> Optional.of("secret-key-123"), Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals("AKID", verifier.verify(request("/bkt/a/%2Fk", auth)).accessKeyId());
        assertEquals("AKID", verifier.verify(request("/bkt/a//k", auth)).accessKeyId());
        // Still bound to the key: another key with an encoded slash does not match.
        S3AuthException e = assertThrows(S3AuthException.class, () -> verifier.verify(request("/bkt/b/%2Fk", auth)));
        assertEquals(S3ErrorCode.SignatureDoesNotMatch, e.code());
    }

    @Test
    void signedWithEncodedSlashStillVerifies() throws Exception {
        SigV4Signer signer = new SigV4Signer("AKID", "secret-key-123", "us-east-1");
        String auth = signer.authorization(request("/bkt/a%2Fk", null), List.of("x-amz-date", "x-amz-content-sha256"));
        SigV4Verifier verifier = new SigV4Verifier(id -> Optional.of("secret-key-123"), Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals("AKID", verifier.verify(request("/bkt/a%2Fk", auth)).accessKeyId());
    }
}
