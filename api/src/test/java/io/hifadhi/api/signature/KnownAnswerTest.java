package io.hifadhi.api.signature;

import static io.hifadhi.api.signature.TestSupport.AKID;
import static io.hifadhi.api.signature.TestSupport.DOC_TIME;
import static io.hifadhi.api.signature.TestSupport.SECRET;
import static io.hifadhi.api.signature.TestSupport.bytes;
import static io.hifadhi.api.signature.TestSupport.expectError;
import static io.hifadhi.api.signature.TestSupport.headers;
import static io.hifadhi.api.signature.TestSupport.readAll;
import static io.hifadhi.api.signature.TestSupport.repeat;
import static io.hifadhi.api.signature.TestSupport.verifierAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of the AWS S3 SigV4 documentation (sig-v4-header-based-auth,
 * sigv4-query-string-auth, sigv4-streaming, sigv4-streaming-trailers): credentials
 * AKIAIOSFODNN7EXAMPLE, 2013-05-24, us-east-1. Expected values are the published ones.
 */
class KnownAnswerTest {
    private static final String EMPTY = Canonical.EMPTY_SHA256;
    private static final String CRED = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,";

    private static SimpleRequestView getObject(String signature) {
        return SimpleRequestView.of("GET", "/test.txt", headers(
                "Host", "examplebucket.s3.amazonaws.com",
                "Range", "bytes=0-9",
                "x-amz-content-sha256", EMPTY,
                "x-amz-date", "20130524T000000Z",
                "Authorization", CRED + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature="
                        + signature));
    }

    @Test
    void getObjectWithRange() throws Exception {
        SimpleRequestView request = getObject("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
        String canonical = Canonical.canonicalRequest(request, List.of(),
                List.of("host", "range", "x-amz-content-sha256", "x-amz-date"), EMPTY);
        assertEquals("GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
                + "x-amz-content-sha256:" + EMPTY + "\nx-amz-date:20130524T000000Z\n\n"
                + "host;range;x-amz-content-sha256;x-amz-date\n" + EMPTY, canonical);
        assertEquals("AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                + "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
                Canonical.stringToSign("20130524T000000Z", "20130524/us-east-1/s3/aws4_request", canonical));

        VerifiedRequest verified = verifierAt(DOC_TIME).verify(request);
        assertEquals(AKID, verified.accessKeyId());
        assertEquals(AuthStyle.HEADER, verified.authStyle());
        assertEquals(PayloadMode.SIGNED_SHA256, verified.payloadMode());
        assertEquals(0, readAll(verified.payload(bytes(new byte[0])), 16).length);
        // A GET that smuggles a body under the empty-body hash is caught at end of body.
        InputStream smuggled = verified.payload(bytes("x".getBytes(StandardCharsets.UTF_8)));
        expectError(S3ErrorCode.XAmzContentSHA256Mismatch, () -> readAll(smuggled, 16));
    }

    @Test
    void getObjectMismatchCarriesCanonicalRequestButNoSecret() {
        SimpleRequestView request = getObject("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb42");
        S3AuthException e = expectError(S3ErrorCode.SignatureDoesNotMatch, () -> verifierAt(DOC_TIME).verify(request));
        assertEquals(403, e.httpStatus());
        assertTrue(e.details().get("CanonicalRequest").startsWith("GET\n/test.txt\n\nhost:examplebucket"));
        assertTrue(e.details().get("StringToSign").endsWith("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"));
        String everything = e.getMessage() + e.details();
        assertFalse(everything.contains(SECRET));
        assertFalse(everything.contains("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
                "the expected signature must never be disclosed");
    }

    @Test
    void putObjectWithDollarInKeyAndDateHeader() throws Exception {
        String hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
        SimpleRequestView request = SimpleRequestView.of("PUT", "/test$file.text", headers(
                "Host", "examplebucket.s3.amazonaws.com",
                "Date", "Fri, 24 May 2013 00:00:00 GMT",
                "x-amz-date", "20130524T000000Z",
                "x-amz-storage-class", "REDUCED_REDUNDANCY",
                "x-amz-content-sha256", hash,
                "Authorization", CRED + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                        + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
        assertEquals("/test%24file.text", Canonical.canonicalPath(request.rawPath()));
        VerifiedRequest verified = verifierAt(DOC_TIME).verify(request);
        assertEquals(hash, verified.payloadSha256Hex().orElseThrow());
        byte[] body = "Welcome to Amazon S3.".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(body, readAll(verified.payload(bytes(body)), 7));
        byte[] altered = "Welcome to Amazon S4.".getBytes(StandardCharsets.UTF_8);
        InputStream in = verified.payload(bytes(altered));
        S3AuthException e = expectError(S3ErrorCode.XAmzContentSHA256Mismatch, () -> readAll(in, 7));
        assertEquals(400, e.httpStatus());
        // Sticky: the stream keeps failing rather than pretending to be at a clean end.
        expectError(S3ErrorCode.XAmzContentSHA256Mismatch, in::read);
    }

    @Test
    void getBucketLifecycleAndListObjects() throws Exception {
        SimpleRequestView lifecycle = SimpleRequestView.of("GET", "/?lifecycle", headers(
                "Host", "examplebucket.s3.amazonaws.com", "x-amz-date", "20130524T000000Z",
                "x-amz-content-sha256", EMPTY,
                "Authorization", CRED + "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                        + "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
        verifierAt(DOC_TIME).verify(lifecycle);
        SimpleRequestView list = SimpleRequestView.of("GET", "/?max-keys=2&prefix=J", headers(
                "Host", "examplebucket.s3.amazonaws.com", "x-amz-date", "20130524T000000Z",
                "x-amz-content-sha256", EMPTY,
                "Authorization", CRED + "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                        + "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
        verifierAt(DOC_TIME).verify(list);
        // Same parameters in another order canonicalise the same (sorted), so still verify.
        verifierAt(DOC_TIME).verify(new SimpleRequestView("GET", "/", "prefix=J&max-keys=2", list.headerMap()));
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> verifierAt(DOC_TIME).verify(
                new SimpleRequestView("GET", "/", "max-keys=3&prefix=J", list.headerMap())));
    }

    private static final String DOC_PRESIGNED_QUERY = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

    @Test
    void presignedUrlExample() throws Exception {
        SimpleRequestView request = new SimpleRequestView("GET", "/test.txt", DOC_PRESIGNED_QUERY,
                headers("Host", "examplebucket.s3.amazonaws.com"));
        assertEquals(AuthStyle.PRESIGNED, SigV4Verifier.authStyle(request));
        VerifiedRequest verified = verifierAt(DOC_TIME).verify(request);
        assertEquals(PayloadMode.UNSIGNED, verified.payloadMode());
        assertEquals(DOC_TIME.plusSeconds(86400), verified.expiresAt().orElseThrow());
        verifierAt(DOC_TIME.plusSeconds(86400)).verify(request);

        S3AuthException expired = expectError(S3ErrorCode.AccessDenied,
                () -> verifierAt(DOC_TIME.plusSeconds(86401)).verify(request));
        assertTrue(expired.getMessage().startsWith("Request has expired"));
        S3AuthException early = expectError(S3ErrorCode.AccessDenied,
                () -> verifierAt(DOC_TIME.minus(Duration.ofMinutes(16))).verify(request));
        assertTrue(early.getMessage().startsWith("Request is not valid yet"));

        // Our signer reproduces the published URL exactly.
        String query = new SigV4Signer(AKID, SECRET, "us-east-1").presign("GET", "examplebucket.s3.amazonaws.com",
                "/test.txt", "", Map.of(), DOC_TIME, Duration.ofDays(1));
        assertEquals(DOC_PRESIGNED_QUERY, query);
    }

    static final String SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

    static SimpleRequestView chunkedDocRequest(String seed) {
        return SimpleRequestView.of("PUT", "/examplebucket/chunkObject.txt", headers(
                "Host", "s3.amazonaws.com",
                "x-amz-date", "20130524T000000Z",
                "x-amz-storage-class", "REDUCED_REDUNDANCY",
                "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                "Content-Encoding", "aws-chunked",
                "x-amz-decoded-content-length", "66560",
                "Content-Length", "66824",
                "Authorization", CRED + "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;"
                        + "x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=" + seed));
    }

    static byte[] chunkedDocBody() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(repeat('a', 65536));
        body.writeBytes(("\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(repeat('a', 1024));
        body.writeBytes(("\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    @Test
    void chunkedUploadExample() throws Exception {
        byte[] body = chunkedDocBody();
        assertEquals(66824, body.length, "the documented Content-Length");
        VerifiedRequest verified = verifierAt(DOC_TIME).verify(chunkedDocRequest(SEED));
        assertEquals(PayloadMode.STREAMING_SIGNED, verified.payloadMode());
        assertEquals(66560, verified.decodedContentLength().orElseThrow());
        for (int bufferSize : new int[] {1, 7, 8192, 100_000}) {
            assertArrayEquals(repeat('a', 66560), readAll(verified.payload(bytes(body)), bufferSize));
        }
        // Our signer produces the documented body byte for byte.
        assertArrayEquals(body, new SigV4Signer(AKID, SECRET, "us-east-1")
                .signedChunkedBody(repeat('a', 66560), 65536, "20130524T000000Z", SEED, null));
    }

    @Test
    void chunkedUploadExampleTampered() throws Exception {
        VerifiedRequest verified = verifierAt(DOC_TIME).verify(chunkedDocRequest(SEED));
        byte[] data = chunkedDocBody();
        data[100] = 'b';
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> readAll(verified.payload(bytes(data)), 8192));
        byte[] lastSig = chunkedDocBody();
        lastSig[lastSig.length - 5] ^= 1; // inside the final chunk's signature
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> readAll(verified.payload(bytes(lastSig)), 8192));
        // Right body, wrong seed: the chain breaks at the first chunk.
        byte[] body = chunkedDocBody();
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> verifierAt(DOC_TIME).verify(
                chunkedDocRequest(SEED.replace('4', '5'))));
        InputStream in = verified.payload(bytes(java.util.Arrays.copyOf(body, body.length - 60)));
        expectError(S3ErrorCode.IncompleteBody, () -> readAll(in, 8192));
    }

    static SimpleRequestView trailerDocRequest() {
        return SimpleRequestView.of("PUT", "/examplebucket/chunkObject.txt", headers(
                "Host", "s3.amazonaws.com",
                "x-amz-date", "20130524T000000Z",
                "x-amz-storage-class", "REDUCED_REDUNDANCY",
                "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
                "Content-Encoding", "aws-chunked",
                "x-amz-decoded-content-length", "66560",
                "x-amz-trailer", "x-amz-checksum-crc32c",
                "Authorization", CRED + "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;"
                        + "x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,"
                        + "Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"));
    }

    static byte[] trailerDocBody(String betweenLastChunkAndTrailer, String end, String crc) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(repeat('a', 65536));
        body.writeBytes(("\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(repeat('a', 1024));
        body.writeBytes(("\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n"
                + betweenLastChunkAndTrailer + "x-amz-checksum-crc32c:" + crc + "\r\n"
                + "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n" + end)
                .getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    @Test
    void chunkedUploadWithSignedTrailerExample() throws Exception {
        assertEquals("sOO8/Q==", ChecksumAlgorithm.CRC32C.base64Of(repeat('a', 66560)));
        VerifiedRequest verified = verifierAt(DOC_TIME).verify(trailerDocRequest());
        assertEquals(PayloadMode.STREAMING_SIGNED_TRAILER, verified.payloadMode());
        assertEquals(List.of(ChecksumAlgorithm.CRC32C), verified.trailerChecksums());
        // The HTTP grammar (trailers right after the last chunk, closing CRLF) and the variants seen in
        // the wild (an extra blank line before the trailers, no closing CRLF) all decode.
        for (String[] variant : new String[][] {{"", "\r\n"}, {"\r\n", "\r\n"}, {"", ""}}) {
            AwsChunkedInputStream in = (AwsChunkedInputStream) verified.payload(
                    bytes(trailerDocBody(variant[0], variant[1], "sOO8/Q==")));
            assertArrayEquals(repeat('a', 66560), readAll(in, 4096));
            assertEquals(Map.of("x-amz-checksum-crc32c", "sOO8/Q=="), in.trailers());
        }
        // The trailer signature covers the checksum value: changing it breaks the signature first.
        expectError(S3ErrorCode.SignatureDoesNotMatch,
                () -> readAll(verified.payload(bytes(trailerDocBody("", "\r\n", "sOO8/Q=A"))), 4096));
        assertArrayEquals(trailerDocBody("", "\r\n", "sOO8/Q=="), new SigV4Signer(AKID, SECRET, "us-east-1")
                .signedChunkedBody(repeat('a', 66560), 65536, "20130524T000000Z",
                        "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e", ChecksumAlgorithm.CRC32C));
    }
}
