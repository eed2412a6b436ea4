package io.hifadhi.api.signature;

import static io.hifadhi.api.signature.TestSupport.AKID;
import static io.hifadhi.api.signature.TestSupport.DOC_KEYS;
import static io.hifadhi.api.signature.TestSupport.SECRET;
import static io.hifadhi.api.signature.TestSupport.expectError;
import static io.hifadhi.api.signature.TestSupport.headers;
import static io.hifadhi.api.signature.TestSupport.verifierAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verifier's refusals, each with the S3 error code a client expects. */
class VerifierRulesTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final String AMZ_NOW = "20250301T120000Z";

    /** A GET signed by our signer for the given region/date, with extra headers. */
    private static SimpleRequestView signed(String region, String amzDate, String... extra) throws Exception {
        Map<String, List<String>> h = new LinkedHashMap<>(headers("Host", "127.0.0.1:9000", "x-amz-date", amzDate,
                "x-amz-content-sha256", Canonical.EMPTY_SHA256));
        h.putAll(headers(extra));
        SimpleRequestView unsigned = SimpleRequestView.of("GET", "/bucket/key", h);
        List<String> toSign = new ArrayList<>(List.of("x-amz-date", "x-amz-content-sha256"));
        String auth = new SigV4Signer(AKID, SECRET, region).authorization(unsigned, toSign);
        h.put("Authorization", List.of(auth));
        return SimpleRequestView.of("GET", "/bucket/key", h);
    }

    @Test
    void acceptsOwnSignature() throws Exception {
        assertEquals(AKID, verifierAt(NOW).verify(signed("us-east-1", AMZ_NOW)).accessKeyId());
    }

    @Test
    void clockSkewBeyondFifteenMinutes() throws Exception {
        SimpleRequestView r = signed("us-east-1", AMZ_NOW);
        verifierAt(NOW.plus(Duration.ofMinutes(15))).verify(r);
        verifierAt(NOW.minus(Duration.ofMinutes(15))).verify(r);
        S3AuthException e = expectError(S3ErrorCode.RequestTimeTooSkewed,
                () -> verifierAt(NOW.plus(Duration.ofMinutes(16))).verify(r));
        assertEquals(403, e.httpStatus());
        expectError(S3ErrorCode.RequestTimeTooSkewed, () -> verifierAt(NOW.minus(Duration.ofMinutes(16))).verify(r));
    }

    @Test
    void wrongRegionNamesTheExpectedOne() throws Exception {
        S3AuthException e = expectError(S3ErrorCode.AuthorizationHeaderMalformed,
                () -> verifierAt(NOW).verify(signed("eu-west-1", AMZ_NOW)));
        assertTrue(e.getMessage().contains("expecting 'us-east-1'"), e.getMessage());
        assertEquals("us-east-1", e.details().get("Region"));
        // A verifier configured for another region accepts that region only.
        SigV4Verifier eu = new SigV4Verifier(DOC_KEYS, "eu-west-1", Clock.fixed(NOW, ZoneOffset.UTC));
        eu.verify(signed("eu-west-1", AMZ_NOW));
    }

    @Test
    void unknownAccessKey() throws Exception {
        SigV4Verifier nobody = new SigV4Verifier(id -> java.util.Optional.empty(), Clock.fixed(NOW, ZoneOffset.UTC));
        S3AuthException e = expectError(S3ErrorCode.InvalidAccessKeyId, () -> nobody.verify(signed("us-east-1", AMZ_NOW)));
        assertEquals(AKID, e.details().get("AWSAccessKeyId"));
    }

    @Test
    void wrongSecretIsSignatureMismatch() throws Exception {
        SigV4Verifier other = new SigV4Verifier(id -> java.util.Optional.of(SECRET + "x"), Clock.fixed(NOW, ZoneOffset.UTC));
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> other.verify(signed("us-east-1", AMZ_NOW)));
    }

    private static SimpleRequestView withAuthorization(String authorization) {
        return SimpleRequestView.of("GET", "/bucket/key", headers("Host", "h", "x-amz-date", AMZ_NOW,
                "x-amz-content-sha256", Canonical.EMPTY_SHA256, "Authorization", authorization));
    }

    @Test
    void malformedAuthorizationHeaders() {
        String sig = "Signature=" + "0".repeat(64);
        String cred = "Credential=" + AKID + "/20250301/us-east-1/s3/aws4_request";
        for (String bad : List.of(
                "AWS4-HMAC-SHA256 " + cred + ", " + sig,
                "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date, " + sig + ", Extra=1",
                "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, SignedHeaders=host, " + sig,
                "AWS4-HMAC-SHA256 Credential=" + AKID + "/20250301/us-east-1/s3, SignedHeaders=host, " + sig,
                "AWS4-HMAC-SHA256 Credential=" + AKID + "/20250301/us-east-1/ec2/aws4_request, SignedHeaders=host, " + sig,
                "AWS4-HMAC-SHA256 Credential=" + AKID + "/2025031/us-east-1/s3/aws4_request, SignedHeaders=host, " + sig,
                "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, " + sig,
                "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, " + sig,
                "AWS4-HMAC-SHA512 " + cred + ", SignedHeaders=host, " + sig,
                "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, " + sig.replace("=", ""))) {
            expectError(S3ErrorCode.AuthorizationHeaderMalformed, () -> verifierAt(NOW).verify(withAuthorization(bad)));
        }
        // "AWS key:sig" is Signature Version 2, checked as such (SigV2Test).
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> verifierAt(NOW).verify(withAuthorization("AWS " + AKID + ":abc=")));
        // Credential date must be the request's date.
        expectError(S3ErrorCode.AuthorizationHeaderMalformed, () -> verifierAt(NOW).verify(withAuthorization(
                "AWS4-HMAC-SHA256 Credential=" + AKID + "/20250302/us-east-1/s3/aws4_request, SignedHeaders=host, " + sig)));
    }

    @Test
    void missingDateAndPayloadHash() throws Exception {
        String auth = signed("us-east-1", AMZ_NOW).header("authorization").orElseThrow();
        expectError(S3ErrorCode.AccessDenied, () -> verifierAt(NOW).verify(SimpleRequestView.of("GET", "/bucket/key",
                headers("Host", "127.0.0.1:9000", "x-amz-content-sha256", Canonical.EMPTY_SHA256, "Authorization", auth))));
        expectError(S3ErrorCode.AccessDenied, () -> verifierAt(NOW).verify(SimpleRequestView.of("GET", "/bucket/key",
                headers("Host", "127.0.0.1:9000", "x-amz-date", "2025-03-01T12:00:00Z",
                        "x-amz-content-sha256", Canonical.EMPTY_SHA256, "Authorization", auth))));
        expectError(S3ErrorCode.InvalidRequest, () -> verifierAt(NOW).verify(SimpleRequestView.of("GET", "/bucket/key",
                headers("Host", "127.0.0.1:9000", "x-amz-date", AMZ_NOW, "Authorization", auth))));
        expectError(S3ErrorCode.InvalidArgument, () -> verifierAt(NOW).verify(SimpleRequestView.of("GET", "/bucket/key",
                headers("Host", "127.0.0.1:9000", "x-amz-date", AMZ_NOW, "x-amz-content-sha256", "nonsense",
                        "Authorization", auth))));
    }

    @Test
    void unsignedAmzHeadersAreRefused() throws Exception {
        SimpleRequestView r = signed("us-east-1", AMZ_NOW);
        Map<String, List<String>> h = new LinkedHashMap<>(r.headerMap());
        h.put("x-amz-copy-source", List.of("/other/secret"));
        S3AuthException e = expectError(S3ErrorCode.AccessDenied,
                () -> verifierAt(NOW).verify(new SimpleRequestView("GET", "/bucket/key", "", h)));
        assertEquals("x-amz-copy-source", e.details().get("HeadersNotSigned"));
        // Headers that are not x-amz-* may ride along unsigned (proxies add them).
        h.remove("x-amz-copy-source");
        h.put("user-agent", List.of("curl"));
        verifierAt(NOW).verify(new SimpleRequestView("GET", "/bucket/key", "", h));
    }

    /** The hand-written reader of x-amz-date takes exactly what the strict formatter takes, and gives the same instant. */
    @Test
    void amzDatesAreReadAsStrictlyAsTheFormatterReadsThem() {
        java.util.Random random = new java.util.Random(19);
        for (int i = 0; i < 2000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(0, 253402300799L)); // years 1970 to 9999
            assertEquals(t, SigV4Verifier.parseAmzDate(SigV4Verifier.AMZ_DATE.format(t)));
        }
        for (String bad : List.of("20250230T120000Z", "20230229T120000Z", "20251301T120000Z", "20250001T120000Z",
                "20250100T120000Z", "20250301T240000Z", "20250301T126000Z", "20250301T120060Z", "20250301 120000Z",
                "20250301T120000z", "2025030T1200000Z", "20250301T12000Z", "+2025030T120000Z", "2025-301T120000Z",
                "2025030\u0661T120000Z", "")) {
            assertEquals(null, SigV4Verifier.parseAmzDate(bad), bad);
            org.junit.jupiter.api.Assertions.assertThrows(java.time.format.DateTimeParseException.class,
                    () -> SigV4Verifier.AMZ_DATE.parse(bad), bad);
        }
        assertEquals(Instant.parse("2024-02-29T23:59:59Z"), SigV4Verifier.parseAmzDate("20240229T235959Z"));
    }

    @Test
    void anonymousAndBothMechanisms() throws Exception {
        SimpleRequestView anon = SimpleRequestView.of("GET", "/bucket/key", headers("Host", "h"));
        assertEquals(AuthStyle.NONE, SigV4Verifier.authStyle(anon));
        expectError(S3ErrorCode.AccessDenied, () -> verifierAt(NOW).verify(anon));
        SimpleRequestView r = signed("us-east-1", AMZ_NOW);
        expectError(S3ErrorCode.InvalidArgument, () -> verifierAt(NOW).verify(
                new SimpleRequestView("GET", "/bucket/key", "X-Amz-Algorithm=AWS4-HMAC-SHA256", r.headerMap())));
        // SigV2 presigned query plus a SigV4 header: one mechanism only.
        expectError(S3ErrorCode.InvalidArgument, () -> verifierAt(NOW).verify(new SimpleRequestView("GET",
                "/bucket/key", "AWSAccessKeyId=" + AKID + "&Expires=1&Signature=abc", r.headerMap())));
    }

    @Test
    void presignedParameterChecks() throws Exception {
        SigV4Signer signer = new SigV4Signer(AKID, SECRET, "us-east-1");
        String good = signer.presign("PUT", "127.0.0.1:9000", "/bucket/a%20b", "uploadId=1&partNumber=2",
                Map.of("content-type", "text/plain"), NOW, Duration.ofHours(1));
        Map<String, List<String>> h = headers("Host", "127.0.0.1:9000", "Content-Type", "text/plain");
        VerifiedRequest v = verifierAt(NOW).verify(new SimpleRequestView("PUT", "/bucket/a%20b", good, h));
        assertEquals(PayloadMode.UNSIGNED, v.payloadMode());
        // The signed content-type must be sent unchanged.
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> verifierAt(NOW).verify(new SimpleRequestView("PUT",
                "/bucket/a%20b", good, headers("Host", "127.0.0.1:9000", "Content-Type", "text/html"))));
        expectError(S3ErrorCode.AccessDenied, () -> verifierAt(NOW).verify(new SimpleRequestView("PUT",
                "/bucket/a%20b", good, headers("Host", "127.0.0.1:9000"))));
        for (String[] swap : new String[][] {
                {"X-Amz-Expires=3600", "X-Amz-Expires=604801"},
                {"X-Amz-Expires=3600", "X-Amz-Expires=0"},
                {"X-Amz-Expires=3600", "X-Amz-Expires=-5"},
                {"X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"},
                {"X-Amz-Date=20250301T120000Z", "X-Amz-Date=2025-03-01"},
                {"&X-Amz-SignedHeaders=content-type%3Bhost", ""},
                {"us-east-1", "eu-west-1"}}) {
            assertTrue(good.contains(swap[0]), swap[0]);
            String bad = good.replace(swap[0], swap[1]);
            expectError(S3ErrorCode.AuthorizationQueryParametersError,
                    () -> verifierAt(NOW).verify(new SimpleRequestView("PUT", "/bucket/a%20b", bad, h)));
        }
        assertThrowsIllegal(() -> signer.presign("GET", "h", "/", "", Map.of(), NOW, Duration.ofDays(8)));
    }

    private static void assertThrowsIllegal(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e);
    }

    @Test
    void canonicalPathAndQueryEncoding() throws Exception {
        assertEquals("/", Canonical.canonicalPath(""));
        assertEquals("/a%20b/c%2Fd/%E2%82%AC/x~y", Canonical.canonicalPath("/a b/c%2Fd/€/x%7Ey"));
        assertEquals("/a%2Bb%3D", Canonical.canonicalPath("/a+b%3d"));
        expectError(S3ErrorCode.InvalidURI, () -> Canonical.canonicalPath("/a%2"));
        expectError(S3ErrorCode.InvalidURI, () -> Canonical.canonicalPath("/a%zz"));
        assertEquals("a=&b=1&b=2&c=%2B%20%2F",
                Canonical.canonicalQuery(Canonical.parseQuery("c=%2B+%2F&b=2&a&b=1")));
        assertEquals("a b c", Canonical.trimAll("  a   b \t c  "));
    }
}
