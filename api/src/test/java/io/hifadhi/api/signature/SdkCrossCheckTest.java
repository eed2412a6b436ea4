package io.hifadhi.api.signature;

import static io.hifadhi.api.signature.TestSupport.AKID;
import static io.hifadhi.api.signature.TestSupport.DOC_KEYS;
import static io.hifadhi.api.signature.TestSupport.SECRET;
import static io.hifadhi.api.signature.TestSupport.bytes;
import static io.hifadhi.api.signature.TestSupport.expectError;
import static io.hifadhi.api.signature.TestSupport.readAll;
import static io.hifadhi.api.signature.TestSupport.verifierAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/** Requests signed by the real AWS SDK for Java v2 signer must verify; any one-byte change must not. */
class SdkCrossCheckTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private record Case(SdkHttpMethod method, String key, Map<String, String> query, Map<String, List<String>> headers,
            byte[] body) {
    }

    private static SignedRequest sdkSign(SdkHttpFullRequest request, byte[] body, boolean signPayload, boolean chunked,
            software.amazon.awssdk.checksums.spi.ChecksumAlgorithm checksum) {
        return SIGNER.sign(r -> {
            r.identity(AwsCredentialsIdentity.create(AKID, SECRET)).request(request)
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                    .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, signPayload)
                    .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, chunked)
                    .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(NOW, ZoneOffset.UTC));
            if (body != null) {
                r.payload(ContentStreamProvider.fromByteArray(body));
            }
            if (checksum != null) {
                r.putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, checksum);
            }
        });
    }

    private static SdkHttpFullRequest.Builder base(SdkHttpMethod method, String key, String protocol) {
        return SdkHttpFullRequest.builder().method(method).protocol(protocol).host("127.0.0.1").port(9000)
                .encodedPath("/bucket/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
    }

    /** What an HTTP server would see for this SDK request. */
    private static SimpleRequestView view(SdkHttpRequest r) {
        Map<String, List<String>> h = new LinkedHashMap<>(r.headers());
        if (h.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("host"))) {
            h.put("Host", List.of(r.host() + ":" + r.port()));
        }
        return new SimpleRequestView(r.method().name(), r.encodedPath(), r.encodedQueryParameters().orElse(""), h);
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        Map<String, List<String>> h = new LinkedHashMap<>();
        h.put("x-amz-meta-spaced", List.of("  lots   of    spaces  "));
        h.put("x-amz-meta-multi", List.of("one", "two"));
        h.put("Content-Type", List.of("text/plain; charset=utf-8"));
        Map<String, String> q = new LinkedHashMap<>();
        q.put("prefix", "a b+c=d&e/ü");
        q.put("acl", "");
        q.put("list-type", "2");
        q.put("delimiter", "/");
        cases.add(new Case(SdkHttpMethod.GET, "", q, Map.of(), null));
        cases.add(new Case(SdkHttpMethod.GET, "plain.txt", Map.of(), h, null));
        cases.add(new Case(SdkHttpMethod.PUT, "with space/and+plus=equals.txt", Map.of(), h,
                "hello world".getBytes(StandardCharsets.UTF_8)));
        cases.add(new Case(SdkHttpMethod.PUT, "ünïcødé/ключ/日本語 ~!*'()$@,;", Map.of("partNumber", "3",
                "uploadId", "abc/def=="), h, new byte[1000]));
        cases.add(new Case(SdkHttpMethod.DELETE, "dir//double//slash", Map.of("versionId", ""), Map.of(), null));
        cases.add(new Case(SdkHttpMethod.HEAD, "%percent%20literal", q, h, null));
        cases.add(new Case(SdkHttpMethod.POST, "multi", Map.of("uploads", ""), h, new byte[0]));
        return cases;
    }

    private static SdkHttpFullRequest build(Case c) {
        SdkHttpFullRequest.Builder b = base(c.method(), c.key(), "http");
        c.query().forEach(b::putRawQueryParameter);
        c.headers().forEach(b::putHeader);
        return b.build();
    }

    @Test
    void sdkSignedRequestsVerifyAndEveryTamperFails() throws Exception {
        SigV4Verifier verifier = verifierAt(NOW);
        for (Case c : cases()) {
            SignedRequest signed = sdkSign(build(c), c.body(), true, false, null);
            SimpleRequestView good = view(signed.request());
            VerifiedRequest v = verifier.verify(good);
            assertEquals(PayloadMode.SIGNED_SHA256, v.payloadMode(), c.key());
            if (c.body() != null) {
                assertArrayEquals(c.body(), readAll(v.payload(bytes(c.body())), 100));
                byte[] other = c.body().length == 0 ? new byte[] {1} : c.body().clone();
                other[0] ^= 1;
                expectError(S3ErrorCode.XAmzContentSHA256Mismatch, () -> readAll(v.payload(bytes(other)), 100));
            }
            for (UnaryOperator<SimpleRequestView> tamper : tampers()) {
                SimpleRequestView bad = tamper.apply(good);
                if (bad == null) {
                    continue;
                }
                S3AuthException e = expectError(S3ErrorCode.SignatureDoesNotMatch, () -> verifier.verify(bad));
                assertTrue(e.details().containsKey("CanonicalRequest"));
            }
        }
    }

    private static String flipLast(String s) {
        char last = s.charAt(s.length() - 1);
        return s.substring(0, s.length() - 1) + (last == 'a' ? 'b' : 'a');
    }

    private static Map<String, List<String>> replaceHeader(Map<String, List<String>> h, String name,
            UnaryOperator<String> f) {
        Map<String, List<String>> copy = new LinkedHashMap<>(h);
        List<String> values = new ArrayList<>(copy.get(name));
        values.set(0, f.apply(values.get(0)));
        copy.put(name, values);
        return copy;
    }

    private static List<UnaryOperator<SimpleRequestView>> tampers() {
        return List.of(
                r -> new SimpleRequestView(r.method(), flipLast(r.rawPath()), r.rawQuery(), r.headerMap()),
                r -> r.rawQuery().isEmpty() ? null
                        : new SimpleRequestView(r.method(), r.rawPath(), r.rawQuery().replaceFirst("=", "=x"), r.headerMap()),
                r -> new SimpleRequestView(r.method(), r.rawPath(),
                        r.rawQuery().isEmpty() ? "extra=1" : r.rawQuery() + "&extra=1", r.headerMap()),
                r -> new SimpleRequestView(r.method().equals("GET") ? "HEAD" : "GET", r.rawPath(), r.rawQuery(),
                        r.headerMap()),
                r -> new SimpleRequestView(r.method(), r.rawPath(), r.rawQuery(),
                        replaceHeader(r.headerMap(), "authorization", SdkCrossCheckTest::flipLast)),
                r -> new SimpleRequestView(r.method(), r.rawPath(), r.rawQuery(),
                        replaceHeader(r.headerMap(), "x-amz-date", d -> d.replace("120000Z", "120001Z"))),
                r -> new SimpleRequestView(r.method(), r.rawPath(), r.rawQuery(),
                        replaceHeader(r.headerMap(), "host", hst -> hst.replace("9000", "9001"))),
                r -> !r.headerMap().containsKey("x-amz-meta-spaced") ? null
                        : new SimpleRequestView(r.method(), r.rawPath(), r.rawQuery(),
                                replaceHeader(r.headerMap(), "x-amz-meta-spaced", v -> v + "x")),
                r -> !r.headerMap().containsKey("content-type") ? null
                        : new SimpleRequestView(r.method(), r.rawPath(), r.rawQuery(),
                                replaceHeader(r.headerMap(), "content-type", v -> v.replace("utf-8", "utf-9"))));
    }

    private static byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private void chunkedRoundTrip(boolean signPayload, software.amazon.awssdk.checksums.spi.ChecksumAlgorithm checksum, PayloadMode expected)
            throws Exception {
        for (int size : new int[] {0, 1, 200_000}) {
            byte[] data = data(size);
            SdkHttpFullRequest request = base(SdkHttpMethod.PUT, "chunked object", "https")
                    .putHeader("Content-Length", Integer.toString(size)).build();
            SignedRequest signed = sdkSign(request, data, signPayload, true, checksum);
            SimpleRequestView view = view(signed.request());
            byte[] body;
            try (InputStream in = signed.payload().orElseThrow().newStream()) {
                body = in.readAllBytes();
            }
            VerifiedRequest v = verifierAt(NOW).verify(view);
            assertEquals(expected, v.payloadMode());
            AwsChunkedInputStream decoded = (AwsChunkedInputStream) v.payload(bytes(body));
            assertArrayEquals(data, readAll(decoded, 5000), "size " + size);
            if (size > 0) {
                byte[] tampered = body.clone();
                tampered[body.length / 2] ^= 4;
                S3AuthException e = org.junit.jupiter.api.Assertions.assertThrows(S3AuthException.class,
                        () -> readAll(v.payload(bytes(tampered)), 5000));
                assertTrue(List.of(S3ErrorCode.SignatureDoesNotMatch, S3ErrorCode.BadDigest,
                        S3ErrorCode.InvalidRequest, S3ErrorCode.MalformedTrailerError, S3ErrorCode.IncompleteBody)
                        .contains(e.code()), e.toString());
            }
        }
    }

    @Test
    void sdkSignedChunks() throws Exception {
        chunkedRoundTrip(true, null, PayloadMode.STREAMING_SIGNED);
    }

    @Test
    void sdkSignedChunksWithSignedTrailer() throws Exception {
        chunkedRoundTrip(true, DefaultChecksumAlgorithm.CRC32C, PayloadMode.STREAMING_SIGNED_TRAILER);
        chunkedRoundTrip(true, DefaultChecksumAlgorithm.SHA256, PayloadMode.STREAMING_SIGNED_TRAILER);
    }

    @Test
    void sdkUnsignedChunksWithTrailer() throws Exception {
        chunkedRoundTrip(false, DefaultChecksumAlgorithm.CRC32, PayloadMode.STREAMING_UNSIGNED_TRAILER);
        chunkedRoundTrip(false, DefaultChecksumAlgorithm.SHA1, PayloadMode.STREAMING_UNSIGNED_TRAILER);
    }

    private static S3Presigner presigner() {
        return S3Presigner.builder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(AKID, SECRET)))
                .endpointOverride(URI.create("http://127.0.0.1:9000"))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
    }

    private static SimpleRequestView view(String method, URL url, Map<String, List<String>> signedHeaders) {
        Map<String, List<String>> h = new LinkedHashMap<>(signedHeaders);
        if (h.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("host"))) {
            h.put("Host", List.of(url.getHost() + ":" + url.getPort()));
        }
        return new SimpleRequestView(method, url.getPath() == null ? "" : rawPath(url), url.getQuery(), h);
    }

    private static String rawPath(URL url) {
        return URI.create(url.toString()).getRawPath();
    }

    @Test
    void sdkPresignedUrlsVerifyAndExpire() throws Exception {
        SigV4Verifier now = new SigV4Verifier(DOC_KEYS, Clock.systemUTC());
        try (S3Presigner presigner = presigner()) {
            PresignedGetObjectRequest get = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(10))
                    .getObjectRequest(g -> g.bucket("bucket").key("some key/ü+=&.txt")));
            SimpleRequestView view = view("GET", get.url(), get.signedHeaders());
            VerifiedRequest v = now.verify(view);
            assertEquals(AuthStyle.PRESIGNED, v.authStyle());
            assertEquals(PayloadMode.UNSIGNED, v.payloadMode());
            Instant expiry = v.expiresAt().orElseThrow();
            S3AuthException e = expectError(S3ErrorCode.AccessDenied, () -> new SigV4Verifier(DOC_KEYS,
                    Clock.fixed(expiry.plusSeconds(1), ZoneOffset.UTC)).verify(view));
            assertTrue(e.getMessage().startsWith("Request has expired"));
            expectError(S3ErrorCode.SignatureDoesNotMatch, () -> now.verify(new SimpleRequestView("GET",
                    view.rawPath().replace("some", "Some"), view.rawQuery(), view.headerMap())));
            expectError(S3ErrorCode.SignatureDoesNotMatch, () -> now.verify(new SimpleRequestView("PUT",
                    view.rawPath(), view.rawQuery(), view.headerMap())));
            expectError(S3ErrorCode.SignatureDoesNotMatch, () -> now.verify(new SimpleRequestView("GET",
                    view.rawPath(), view.rawQuery().replace("X-Amz-Expires=600", "X-Amz-Expires=6000"),
                    view.headerMap())));

            PresignedPutObjectRequest put = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofHours(1))
                    .putObjectRequest(o -> o.bucket("bucket").key("upload.bin").contentType("application/x-thing")));
            SimpleRequestView putView = view("PUT", put.url(), put.signedHeaders());
            assertTrue(putView.headerMap().containsKey("content-type"), putView.headerMap().toString());
            now.verify(putView);
            expectError(S3ErrorCode.SignatureDoesNotMatch, () -> now.verify(new SimpleRequestView("PUT",
                    putView.rawPath(), putView.rawQuery(), replaceHeader(putView.headerMap(), "content-type",
                            v2 -> "text/html"))));
        }
    }
}
