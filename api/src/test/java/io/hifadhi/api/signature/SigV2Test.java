package io.hifadhi.api.signature;

import static io.hifadhi.api.signature.TestSupport.AKID;
import static io.hifadhi.api.signature.TestSupport.expectError;
import static io.hifadhi.api.signature.TestSupport.headers;
import static io.hifadhi.api.signature.TestSupport.verifierAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Signature Version 2 against the examples in Amazon's S3 documentation ("Signing and
 * authenticating REST requests", bucket johnsmith, key AKIAIOSFODNN7EXAMPLE); the real clients
 * (aws CLI, boto3, s3cmd) are driven against a node in S3SigV2ClientsTest.
 */
class SigV2Test {
    private static final Instant DOC_NOW = Instant.parse("2007-03-27T19:36:42Z");
    private static final String DATE = "Tue, 27 Mar 2007 19:36:42 +0000";

    @Test
    void documentedHeaderSignatureVerifies() throws Exception {
        VerifiedRequest v = verifierAt(DOC_NOW).verify(new SimpleRequestView("GET", "/photos/puppy.jpg", "",
                headers("Host", "johnsmith.s3.amazonaws.com", "Date", DATE,
                        "Authorization", "AWS " + AKID + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=")), "johnsmith");
        assertEquals(AKID, v.accessKeyId());
        assertEquals(AuthStyle.HEADER, v.authStyle());
        assertEquals(PayloadMode.UNSIGNED, v.payloadMode());
        // Path style names the bucket in the path: the same resource, the same signature.
        verifierAt(DOC_NOW).verify(new SimpleRequestView("GET", "/johnsmith/photos/puppy.jpg", "",
                headers("Host", "s3.amazonaws.com", "Date", DATE,
                        "Authorization", "AWS " + AKID + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=")), null);
    }

    @Test
    void documentedPresignedUrlVerifiesUntilItExpires() throws Exception {
        String query = "AWSAccessKeyId=" + AKID + "&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D";
        SimpleRequestView r = new SimpleRequestView("GET", "/photos/puppy.jpg", query,
                headers("Host", "johnsmith.s3.amazonaws.com"));
        assertEquals(SigV4Verifier.authStyle(r), AuthStyle.PRESIGNED);
        VerifiedRequest v = verifierAt(DOC_NOW).verify(r, "johnsmith");
        assertEquals(Instant.ofEpochSecond(1175139620), v.expiresAt().orElseThrow());
        S3AuthException expired = expectError(S3ErrorCode.AccessDenied,
                () -> verifierAt(Instant.ofEpochSecond(1175139621)).verify(r, "johnsmith"));
        assertTrue(expired.getMessage().contains("expired"), expired.getMessage());
        // Another key, another method or a changed expiry all break the signature.
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> verifierAt(DOC_NOW).verify(new SimpleRequestView("GET",
                "/photos/kitten.jpg", query, headers("Host", "h")), "johnsmith"));
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> verifierAt(DOC_NOW).verify(new SimpleRequestView("DELETE",
                "/photos/puppy.jpg", query, headers("Host", "h")), "johnsmith"));
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> verifierAt(DOC_NOW).verify(new SimpleRequestView("GET",
                "/photos/puppy.jpg", query.replace("1175139620", "1175139629"), headers("Host", "h")), "johnsmith"));
    }

    @Test
    void refusals() throws Exception {
        String auth = "AWS " + AKID + ":bWq2s1WEIj+Ydj0vQ697zp+IXMU=";
        // A changed x-amz-* header is part of the signature.
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> verifierAt(DOC_NOW).verify(new SimpleRequestView("GET",
                "/photos/puppy.jpg", "", headers("Date", DATE, "x-amz-meta-a", "1", "Authorization", auth)), "johnsmith"));
        // A subresource is part of it, other parameters are not.
        expectError(S3ErrorCode.SignatureDoesNotMatch, () -> verifierAt(DOC_NOW).verify(new SimpleRequestView("GET",
                "/photos/puppy.jpg", "acl", headers("Date", DATE, "Authorization", auth)), "johnsmith"));
        verifierAt(DOC_NOW).verify(new SimpleRequestView("GET", "/photos/puppy.jpg", "cachebuster=1",
                headers("Date", DATE, "Authorization", auth)), "johnsmith");
        expectError(S3ErrorCode.RequestTimeTooSkewed, () -> verifierAt(DOC_NOW.plusSeconds(16 * 60)).verify(
                new SimpleRequestView("GET", "/photos/puppy.jpg", "", headers("Date", DATE, "Authorization", auth)),
                "johnsmith"));
        expectError(S3ErrorCode.InvalidAccessKeyId, () -> verifierAt(DOC_NOW).verify(new SimpleRequestView("GET",
                "/photos/puppy.jpg", "", headers("Date", DATE, "Authorization", "AWS NOPE:abc=")), "johnsmith"));
        expectError(S3ErrorCode.InvalidArgument, () -> verifierAt(DOC_NOW).verify(new SimpleRequestView("GET",
                "/photos/puppy.jpg", "", headers("Date", DATE, "Authorization", "AWS " + AKID)), "johnsmith"));
        expectError(S3ErrorCode.AccessDenied, () -> verifierAt(DOC_NOW).verify(new SimpleRequestView("GET",
                "/photos/puppy.jpg", "", headers("Authorization", auth)), "johnsmith"));
        expectError(S3ErrorCode.AccessDenied, () -> verifierAt(DOC_NOW).verify(new SimpleRequestView("GET",
                "/photos/puppy.jpg", "AWSAccessKeyId=" + AKID + "&Signature=x", headers("Host", "h")), null));
        expectError(S3ErrorCode.AccessDenied, () -> verifierAt(DOC_NOW).verify(new SimpleRequestView("GET",
                "/photos/puppy.jpg", "AWSAccessKeyId=" + AKID + "&Expires=soon&Signature=x", headers("Host", "h")), null));
        // aws-chunked bodies need SigV4's signature chain; a signed body hash is checked as with SigV4.
        expectError(S3ErrorCode.InvalidRequest, () -> verifierAt(DOC_NOW).verify(signed("PUT",
                headers("Date", DATE, "x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")), "johnsmith"));
        String emptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        VerifiedRequest v = verifierAt(DOC_NOW).verify(signed("PUT", headers("Date", DATE, "x-amz-content-sha256", emptySha)),
                "johnsmith");
        assertEquals(PayloadMode.SIGNED_SHA256, v.payloadMode());
    }

    /** A request for /photos/puppy.jpg in bucket johnsmith, signed with V2 over the given headers. */
    private static SimpleRequestView signed(String method, java.util.Map<String, java.util.List<String>> h) throws Exception {
        String sts = SigV2Verifier.stringToSign(new SimpleRequestView(method, "/photos/puppy.jpg", "", h), "/johnsmith/photos/puppy.jpg",
                h.containsKey("x-amz-date") ? "" : h.get("Date").get(0));
        h.put("Authorization", java.util.List.of("AWS " + AKID + ":"
                + java.util.Base64.getEncoder().encodeToString(Crypto.hmacSha1(TestSupport.SECRET, sts))));
        return new SimpleRequestView(method, "/photos/puppy.jpg", "", h);
    }
}
