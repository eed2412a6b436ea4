package io.hifadhi.api.signature;

import java.util.Base64;
import java.util.Map;

/**
 * The signature of a browser form upload (S3 POST Object): the form carries its policy base64-encoded and a signature
 * of exactly that text, SigV4 (x-amz-algorithm AWS4-HMAC-SHA256, x-amz-credential, x-amz-date, x-amz-signature: hex
 * HMAC-SHA256 under the scope's signing key) or Version 2 (AWSAccessKeyId, signature: base64 HMAC-SHA1 under the
 * secret). What the policy allows is the caller's to check.
 */
public final class PostPolicySignature {
    private final SecretLookup secrets;
    private final String region;

    public PostPolicySignature(SecretLookup secrets, String region) {
        this.secrets = secrets;
        this.region = region;
    }

    /** Who signed the form, as a verified request whose body (the form) is the caller's to read. */
    public VerifiedRequest signedBy(String accessKeyId, java.time.Instant now) {
        return new VerifiedRequest(accessKeyId, AuthStyle.HEADER, PayloadMode.UNSIGNED, null, java.util.OptionalLong.empty(),
                java.util.List.of(), now, null, new byte[0], "", "", "");
    }

    /** Returns the access key that signed {@code policy} with SigV4. */
    public String verifyV4(String policy, String algorithm, String credential, String amzDate, String signature)
            throws S3AuthException {
        if (!"AWS4-HMAC-SHA256".equals(algorithm)) {
            throw new S3AuthException(S3ErrorCode.InvalidArgument, "x-amz-algorithm must be AWS4-HMAC-SHA256.",
                    Map.of("ArgumentName", "x-amz-algorithm"));
        }
        String[] scope = credential == null ? new String[0] : credential.split("/", -1);
        if (scope.length != 5 || !scope[3].equals("s3") || !scope[4].equals("aws4_request") || !scope[1].matches("[0-9]{8}")) {
            throw new S3AuthException(S3ErrorCode.InvalidArgument, "x-amz-credential must be"
                    + " KEY/yyyyMMdd/region/s3/aws4_request.", Map.of("ArgumentName", "x-amz-credential"));
        }
        if (!scope[2].equals(region)) {
            throw new S3AuthException(S3ErrorCode.InvalidArgument, "x-amz-credential names region '"
                    + SigV4Verifier.printable(scope[2]) + "'; this endpoint is '" + region + "'.",
                    Map.of("ArgumentName", "x-amz-credential"));
        }
        if (amzDate == null || !amzDate.startsWith(scope[1])) {
            throw new S3AuthException(S3ErrorCode.InvalidArgument, "x-amz-date must be the credential's day in"
                    + " yyyyMMdd'T'HHmmss'Z' form.", Map.of("ArgumentName", "x-amz-date"));
        }
        String secret = secretOf(scope[0]);
        String expected = Crypto.hex(Crypto.hmacSha256(SigningKeyCache.derive(secret, scope[1], region), policy));
        if (signature == null || !Crypto.signaturesEqual(expected, signature)) {
            throw new S3AuthException(S3ErrorCode.SignatureDoesNotMatch, "The form's x-amz-signature is not the"
                    + " signature of its policy under this credential. Check the key and the signing of the policy.");
        }
        return scope[0];
    }

    /** Returns the access key that signed {@code policy} with Signature Version 2. */
    public String verifyV2(String policy, String accessKeyId, String signature) throws S3AuthException {
        String secret = secretOf(accessKeyId);
        String expected = Base64.getEncoder().encodeToString(Crypto.hmacSha1(secret, policy));
        if (signature == null || !Crypto.signaturesEqual(expected, signature)) {
            throw new S3AuthException(S3ErrorCode.SignatureDoesNotMatch, "The form's signature is not the"
                    + " signature of its policy under this AWSAccessKeyId. Check the key and the signing of the policy.");
        }
        return accessKeyId;
    }

    private String secretOf(String accessKeyId) throws S3AuthException {
        return secrets.secretKey(accessKeyId).orElseThrow(() -> new S3AuthException(S3ErrorCode.InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."));
    }
}
