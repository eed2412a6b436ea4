package io.hifadhi.api.signature;

import static io.hifadhi.api.signature.TestSupport.AKID;
import static io.hifadhi.api.signature.TestSupport.SECRET;
import static io.hifadhi.api.signature.TestSupport.bytes;
import static io.hifadhi.api.signature.TestSupport.expectError;
import static io.hifadhi.api.signature.TestSupport.headers;
import static io.hifadhi.api.signature.TestSupport.readAll;
import static io.hifadhi.api.signature.TestSupport.verifierAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** aws-chunked decoding: round trips and every way the framing or the data can be wrong. */
class AwsChunkedTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final String AMZ_NOW = "20250301T120000Z";

    private static byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** Unsigned aws-chunked framing as the AWS SDK for Java v2 writes it: "size CRLF data CRLF ... 0 CRLF trailer CRLF CRLF". */
    static byte[] unsignedBody(byte[] data, int chunkSize, String trailerLines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 0; off < data.length; off += chunkSize) {
            int n = Math.min(chunkSize, data.length - off);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data, off, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("0\r\n" + trailerLines + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A header-signed PUT request in the given streaming mode. */
    private static SimpleRequestView request(String mode, long decodedLength, String trailer) throws Exception {
        Map<String, List<String>> h = new LinkedHashMap<>(headers("Host", "127.0.0.1:9000", "x-amz-date", AMZ_NOW,
                "x-amz-content-sha256", mode, "Content-Encoding", "aws-chunked",
                "x-amz-decoded-content-length", Long.toString(decodedLength)));
        List<String> toSign = new java.util.ArrayList<>(List.of("x-amz-date", "x-amz-content-sha256",
                "content-encoding", "x-amz-decoded-content-length"));
        if (trailer != null) {
            h.put("x-amz-trailer", List.of(trailer));
            toSign.add("x-amz-trailer");
        }
        String auth = new SigV4Signer(AKID, SECRET, "us-east-1").authorization(
                SimpleRequestView.of("PUT", "/bucket/object", h), toSign);
        h.put("Authorization", List.of(auth));
        return SimpleRequestView.of("PUT", "/bucket/object", h);
    }

    private static InputStream unsignedTrailer(byte[] body, long decodedLength, ChecksumAlgorithm algorithm)
            throws Exception {
        return verifierAt(NOW).verify(request("STREAMING-UNSIGNED-PAYLOAD-TRAILER", decodedLength,
                algorithm.headerName())).payload(bytes(body));
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void unsignedTrailerRoundTrip(ChecksumAlgorithm algorithm) throws Exception {
        for (int size : new int[] {0, 1, 8191, 65536, 200_001}) {
            byte[] data = data(size);
            String trailer = algorithm.headerName() + ":" + algorithm.base64Of(data) + "\r\n";
            AwsChunkedInputStream in = (AwsChunkedInputStream) unsignedTrailer(unsignedBody(data, 65536, trailer),
                    size, algorithm);
            assertArrayEquals(data, readAll(in, 3000));
            assertEquals(algorithm.base64Of(data), in.trailers().get(algorithm.headerName()));
        }
    }

    @Test
    void unsignedTrailerRejectsCorruption() throws Exception {
        ChecksumAlgorithm crc = ChecksumAlgorithm.CRC32;
        byte[] data = data(150_000);
        String trailer = "x-amz-checksum-crc32:" + crc.base64Of(data) + "\r\n";
        byte[] good = unsignedBody(data, 65536, trailer);
        assertArrayEquals(data, readAll(unsignedTrailer(good, data.length, crc), 8192));

        byte[] flipped = good.clone();
        flipped[70_000] ^= 0x10; // a data byte of the second chunk
        expectError(S3ErrorCode.BadDigest, () -> readAll(unsignedTrailer(flipped, data.length, crc), 8192));

        byte[] otherChecksum = unsignedBody(data, 65536, "x-amz-checksum-crc32:AAAAAA==\r\n");
        expectError(S3ErrorCode.BadDigest, () -> readAll(unsignedTrailer(otherChecksum, data.length, crc), 8192));

        byte[] badBase64 = unsignedBody(data, 65536, "x-amz-checksum-crc32:AAAA\r\n");
        expectError(S3ErrorCode.InvalidRequest, () -> readAll(unsignedTrailer(badBase64, data.length, crc), 8192));

        byte[] noTrailer = unsignedBody(data, 65536, "");
        expectError(S3ErrorCode.IncompleteBody, () -> readAll(unsignedTrailer(noTrailer, data.length, crc), 8192));

        byte[] otherTrailer = unsignedBody(data, 65536, "x-amz-checksum-sha256:" + ChecksumAlgorithm.SHA256.base64Of(data) + "\r\n");
        expectError(S3ErrorCode.MalformedTrailerError, () -> readAll(unsignedTrailer(otherTrailer, data.length, crc), 8192));

        byte[] signedTrailerInUnsigned = unsignedBody(data, 65536, trailer + "x-amz-trailer-signature:" + "0".repeat(64) + "\r\n");
        expectError(S3ErrorCode.MalformedTrailerError,
                () -> readAll(unsignedTrailer(signedTrailerInUnsigned, data.length, crc), 8192));
    }

    @Test
    void decodedLengthMustMatch() throws Exception {
        ChecksumAlgorithm crc = ChecksumAlgorithm.CRC32C;
        byte[] data = data(100_000);
        byte[] body = unsignedBody(data, 65536, "x-amz-checksum-crc32c:" + crc.base64Of(data) + "\r\n");
        expectError(S3ErrorCode.IncompleteBody, () -> readAll(unsignedTrailer(body, data.length + 1, crc), 8192));
        expectError(S3ErrorCode.InvalidRequest, () -> readAll(unsignedTrailer(body, data.length - 1, crc), 8192));
        // Missing or non-numeric x-amz-decoded-content-length is refused before any body is read.
        Map<String, List<String>> h = new LinkedHashMap<>(headers("Host", "127.0.0.1:9000", "x-amz-date", AMZ_NOW,
                "x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-trailer", "x-amz-checksum-crc32c"));
        h.put("Authorization", List.of(new SigV4Signer(AKID, SECRET, "us-east-1").authorization(
                SimpleRequestView.of("PUT", "/bucket/object", h), List.of("x-amz-date", "x-amz-content-sha256",
                        "x-amz-trailer"))));
        expectError(S3ErrorCode.MissingContentLength, () -> verifierAt(NOW).verify(new SimpleRequestView("PUT",
                "/bucket/object", "", h)));
    }

    @Test
    void truncatedBodiesAreIncomplete() throws Exception {
        ChecksumAlgorithm crc = ChecksumAlgorithm.CRC32;
        byte[] data = data(70_000);
        byte[] body = unsignedBody(data, 65536, "x-amz-checksum-crc32:" + crc.base64Of(data) + "\r\n");
        // Cut everywhere interesting: inside a size line, inside data, before the final chunk, inside the trailer.
        for (int cut : new int[] {0, 2, 6, 1000, 65_543, 65_545, 70_011, body.length - 20, body.length - 3}) {
            byte[] truncated = Arrays.copyOf(body, cut);
            expectError(S3ErrorCode.IncompleteBody, () -> readAll(unsignedTrailer(truncated, data.length, crc), 8192));
        }
        // Only the closing CRLF missing: tolerated (some encoders omit it), data intact.
        assertArrayEquals(data, readAll(unsignedTrailer(Arrays.copyOf(body, body.length - 2), data.length, crc), 8192));
    }

    @Test
    void malformedFramingIsRefused() throws Exception {
        ChecksumAlgorithm crc = ChecksumAlgorithm.CRC32;
        byte[] data = data(10);
        String trailer = "x-amz-checksum-crc32:" + crc.base64Of(data) + "\r\n";
        String tail = "0\r\n" + trailer + "\r\n";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("oversized size line", "0".repeat(5000) + "a\r\n");
        cases.put("size too many digits", "0000000000000000a\r\n");
        cases.put("non-hex size", "zz\r\n");
        cases.put("empty size", "\r\n");
        cases.put("bare LF", "a\n");
        cases.put("CR without LF", "a\rx");
        cases.put("extension in unsigned body", "a;chunk-signature=" + "0".repeat(64) + "\r\n");
        cases.put("data not followed by CRLF", "9\r\n");
        cases.put("garbage after the body", "a\r\n");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(c.getValue().getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(data);
            out.writeBytes(("\r\n" + tail).getBytes(StandardCharsets.US_ASCII));
            if (c.getKey().equals("garbage after the body")) {
                out.writeBytes("junk".getBytes(StandardCharsets.US_ASCII));
            }
            byte[] body = out.toByteArray();
            S3AuthException e = expectError(S3ErrorCode.InvalidRequest,
                    () -> readAll(unsignedTrailer(body, data.length, crc), 8192));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("Malformed aws-chunked body"),
                    c.getKey() + ": " + e.getMessage());
        }
        // A long trailer line is refused as well.
        byte[] longTrailer = unsignedBody(data, 10, "x-amz-checksum-crc32:" + "A".repeat(5000) + "\r\n");
        expectError(S3ErrorCode.InvalidRequest, () -> readAll(unsignedTrailer(longTrailer, data.length, crc), 8192));
    }

    private static VerifiedRequest signedRequest(String mode, long decodedLength, String trailer) throws Exception {
        return verifierAt(NOW).verify(request(mode, decodedLength, trailer));
    }

    private static String seedOf(SimpleRequestView r) {
        String auth = r.header("authorization").orElseThrow();
        return auth.substring(auth.indexOf("Signature=") + 10);
    }

    @Test
    void signedChunksRoundTripAndTamper() throws Exception {
        SigV4Signer signer = new SigV4Signer(AKID, SECRET, "us-east-1");
        byte[] data = data(300_000);
        SimpleRequestView r = request("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", data.length, null);
        VerifiedRequest v = verifierAt(NOW).verify(r);
        byte[] body = signer.signedChunkedBody(data, 65536, AMZ_NOW, seedOf(r), null);
        assertArrayEquals(data, readAll(v.payload(bytes(body)), 10_000));

        byte[] flipped = body.clone();
        flipped[200_000] ^= 1;
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> readAll(v.payload(bytes(flipped)), 10_000));
        byte[] badSig = body.clone();
        badSig[30] = (byte) (badSig[30] == 'a' ? 'b' : 'a'); // inside the first chunk-signature
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> readAll(v.payload(bytes(badSig)), 10_000));
        // A body signed for another request (another seed) does not verify.
        byte[] otherSeed = signer.signedChunkedBody(data, 65536, AMZ_NOW, "0".repeat(64), null);
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> readAll(v.payload(bytes(otherSeed)), 10_000));
        // Missing chunk signature in a signed body.
        byte[] unsignedFraming = unsignedBody(data, 65536, "");
        expectError(S3ErrorCode.InvalidRequest, () -> readAll(v.payload(bytes(unsignedFraming)), 10_000));
        expectError(S3ErrorCode.IncompleteBody,
                () -> readAll(v.payload(bytes(Arrays.copyOf(body, body.length - 3))), 10_000));
    }

    @Test
    void signedTrailerRoundTripAndTamper() throws Exception {
        SigV4Signer signer = new SigV4Signer(AKID, SECRET, "us-east-1");
        byte[] data = data(150_000);
        SimpleRequestView r = request("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", data.length, "x-amz-checksum-sha256");
        VerifiedRequest v = verifierAt(NOW).verify(r);
        byte[] body = signer.signedChunkedBody(data, 65536, AMZ_NOW, seedOf(r), ChecksumAlgorithm.SHA256);
        AwsChunkedInputStream in = (AwsChunkedInputStream) v.payload(bytes(body));
        assertArrayEquals(data, readAll(in, 1 << 20));
        assertEquals(ChecksumAlgorithm.SHA256.base64Of(data), in.trailers().get("x-amz-checksum-sha256"));

        String text = new String(body, StandardCharsets.ISO_8859_1);
        int sigAt = text.indexOf("x-amz-trailer-signature:") + 30;
        byte[] badTrailerSig = body.clone();
        badTrailerSig[sigAt] = (byte) (badTrailerSig[sigAt] == '0' ? '1' : '0');
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> readAll(v.payload(bytes(badTrailerSig)), 8192));
        byte[] noTrailerSig = text.substring(0, text.indexOf("x-amz-trailer-signature:")).concat("\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        expectError(S3ErrorCode.MalformedTrailerError, () -> readAll(v.payload(bytes(noTrailerSig)), 8192));
    }

    @Test
    void checksumKnownValues() throws Exception {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals("cbf43926", Crypto.hex(digest(ChecksumAlgorithm.CRC32, check)));
        assertEquals("e3069283", Crypto.hex(digest(ChecksumAlgorithm.CRC32C, check)));
        assertEquals("ae8b14860a799888", Crypto.hex(digest(ChecksumAlgorithm.CRC64NVME, check)));
        assertEquals("f7c3bc1d808e04732adf679965ccc34ca7ae3441", Crypto.hex(digest(ChecksumAlgorithm.SHA1, check)));
        assertEquals(ChecksumAlgorithm.CRC32, ChecksumAlgorithm.fromHeaderName("X-Amz-Checksum-CRC32").orElseThrow());
        assertEquals(ChecksumAlgorithm.CRC64NVME, ChecksumAlgorithm.fromAlgorithmName("crc64nvme").orElseThrow());
        expectError(S3ErrorCode.InvalidRequest, () -> ChecksumAlgorithm.CRC32.decode("not base64!"));
    }

    private static byte[] digest(ChecksumAlgorithm a, byte[] data) {
        Digester d = a.newDigester();
        d.update(data, 0, data.length);
        return d.finish();
    }

    @Test
    void contentMd5AndChecksumVerifyingStream() throws Exception {
        byte[] data = data(50_000);
        String md5 = ContentMd5.base64Of(data);
        ChecksumVerifyingInputStream ok = new ChecksumVerifyingInputStream(bytes(data),
                List.of(ExpectedDigest.contentMd5(md5), ExpectedDigest.checksum(ChecksumAlgorithm.CRC32C,
                        ChecksumAlgorithm.CRC32C.base64Of(data))), true, List.of(ChecksumAlgorithm.SHA256));
        assertArrayEquals(data, readAll(ok, 999));
        assertEquals(md5, java.util.Base64.getEncoder().encodeToString(ok.md5()));
        assertEquals(ChecksumAlgorithm.SHA256.base64Of(data),
                java.util.Base64.getEncoder().encodeToString(ok.checksums().get(ChecksumAlgorithm.SHA256)));

        byte[] other = data.clone();
        other[0] ^= 1;
        expectError(S3ErrorCode.BadDigest, () -> readAll(new ChecksumVerifyingInputStream(bytes(other),
                List.of(ExpectedDigest.contentMd5(md5)), false, List.of()), 999));
        expectError(S3ErrorCode.BadDigest, () -> readAll(new ChecksumVerifyingInputStream(bytes(other),
                List.of(ExpectedDigest.checksum(ChecksumAlgorithm.CRC64NVME, ChecksumAlgorithm.CRC64NVME.base64Of(data))),
                false, List.of()), 999));
        expectError(S3ErrorCode.InvalidDigest, () -> ExpectedDigest.contentMd5("abc"));
        expectError(S3ErrorCode.InvalidDigest, () -> ContentMd5.parse("AAAA"));
    }
}
