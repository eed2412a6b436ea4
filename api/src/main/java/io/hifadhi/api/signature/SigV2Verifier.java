package io.hifadhi.api.signature;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * S3's Signature Version 2 (HMAC-SHA1): {@code Authorization: AWS <key>:<signature>} and presigned
 * query strings ({@code AWSAccessKeyId}, {@code Expires}, {@code Signature}). boto3 and the aws
 * CLI v1 presign with it by default (Debian's aws CLI 2.9 presigns with SigV4), and s3cmd signs
 * with it when configured with {@code signature_v2 = True}.
 *
 * <p>The string to sign is {@code METHOD \n Content-MD5 \n Content-Type \n Date \n} then every
 * {@code x-amz-*} header (lower-cased, sorted, values of one name joined by commas) as
 * {@code name:value\n}, then the resource: {@code /bucket} for a virtual-hosted request, the path
 * as sent ({@code /bucket/} for the bucket itself), and the subresource parameters S3 signs,
 * sorted by name, with their decoded values.
 * {@code Date} is empty when {@code x-amz-date} is sent and is the {@code Expires} value in a
 * presigned URL. The body is not covered by a V2 signature (Content-MD5, when sent, is checked by
 * the handler); a signed {@code x-amz-content-sha256} hash is verified as with SigV4.
 */
final class SigV2Verifier {
    /** The query parameters S3 includes in a V2 canonical resource. */
    private static final Set<String> SIGNED_SUBRESOURCES = Set.of("accelerate", "acl", "attributes", "cors",
            "defaultObjectAcl", "delete", "lifecycle", "location", "logging", "notification", "object-lock",
            "ownershipControls", "partNumber", "policy", "policyStatus", "publicAccessBlock", "replication",
            "requestPayment", "restore", "retention", "legal-hold", "select", "select-type", "storageClass",
            "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website",
            "analytics", "inventory", "metrics", "encryption", "response-cache-control",
            "response-content-disposition", "response-content-encoding", "response-content-language",
            "response-content-type", "response-expires");
    private static final String QUERY_NEEDS = "Query-string authentication (Signature Version 2) requires the"
            + " Signature, Expires and AWSAccessKeyId parameters";

    private final Clock clock;

    SigV2Verifier(Clock clock) {
        this.clock = clock;
    }

    static boolean isHeader(String authorization) {
        return authorization.startsWith("AWS ");
    }

    static boolean isPresigned(List<Canonical.QueryParam> params) {
        return params.stream().anyMatch(p -> p.name().equals("Signature") || p.name().equals("AWSAccessKeyId"));
    }

    VerifiedRequest verifyHeader(RequestView request, String authorization, String hostBucket, SecretLookup secrets)
            throws S3AuthException {
        String credentials = authorization.substring(4).trim();
        int colon = credentials.lastIndexOf(':');
        if (colon <= 0 || colon == credentials.length() - 1) {
            throw new S3AuthException(S3ErrorCode.InvalidArgument, "Authorization header is invalid -- one and only one"
                    + " ' ' (space) required; expected 'AWS <AccessKeyId>:<Signature>'.",
                    Map.of("ArgumentName", "Authorization"));
        }
        String accessKey = credentials.substring(0, colon);
        String signature = credentials.substring(colon + 1);
        Optional<String> amzDate = request.header("x-amz-date");
        String dateText = amzDate.or(() -> request.header("date")).orElseThrow(() -> new S3AuthException(
                S3ErrorCode.AccessDenied, "AWS authentication requires a valid Date or x-amz-date header."));
        Instant requestTime = parseDate(dateText.trim());
        Instant now = clock.instant();
        if (Duration.between(requestTime, now).abs().compareTo(SigV4Verifier.MAX_CLOCK_SKEW) > 0) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("RequestTime", dateText.trim());
            details.put("ServerTime", now.toString());
            details.put("MaxAllowedSkewMilliseconds", Long.toString(SigV4Verifier.MAX_CLOCK_SKEW.toMillis()));
            throw new S3AuthException(S3ErrorCode.RequestTimeTooSkewed, "The difference between the request time"
                    + " and the server's time is too large (more than 15 minutes); correct the client's clock.", details);
        }
        String secret = lookup(secrets, accessKey);
        // x-amz-date takes the place of Date, which is then signed as empty.
        String date = amzDate.isPresent() ? "" : request.header("date").orElse("");
        checkSignature(request, hostBucket, accessKey, secret, date, signature);
        return verified(request, accessKey, AuthStyle.HEADER, requestTime, null, signature);
    }

    VerifiedRequest verifyPresigned(RequestView request, List<Canonical.QueryParam> params, String hostBucket,
            SecretLookup secrets) throws S3AuthException {
        Map<String, String> auth = new LinkedHashMap<>();
        for (Canonical.QueryParam p : params) {
            if (p.name().equals("AWSAccessKeyId") || p.name().equals("Expires") || p.name().equals("Signature")) {
                if (auth.put(p.name(), p.value()) != null) {
                    throw new S3AuthException(S3ErrorCode.AccessDenied, QUERY_NEEDS + ", each once ("
                            + p.name() + " appears twice).");
                }
            }
        }
        for (String name : List.of("AWSAccessKeyId", "Expires", "Signature")) {
            if (auth.get(name) == null || auth.get(name).isEmpty()) {
                throw new S3AuthException(S3ErrorCode.AccessDenied, QUERY_NEEDS + " (" + name + " is missing).");
            }
        }
        String expiresText = auth.get("Expires");
        if (expiresText.length() > 12 || !expiresText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new S3AuthException(S3ErrorCode.AccessDenied, "Expires must be a time in seconds since the Unix"
                    + " epoch (UTC).");
        }
        Instant expiresAt = Instant.ofEpochSecond(Long.parseLong(expiresText));
        Instant now = clock.instant();
        if (now.isAfter(expiresAt)) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("Expires", expiresAt.toString());
            details.put("ServerTime", now.toString());
            throw new S3AuthException(S3ErrorCode.AccessDenied, "Request has expired; create a new presigned URL.",
                    details);
        }
        String accessKey = auth.get("AWSAccessKeyId");
        String secret = lookup(secrets, accessKey);
        checkSignature(request, hostBucket, accessKey, secret, expiresText, auth.get("Signature"));
        return verified(request, accessKey, AuthStyle.PRESIGNED, now, expiresAt, auth.get("Signature"));
    }

    /** The RFC 1123 form V2 clients send in Date (and x-amz-date), or the SigV4 basic form. */
    private static Instant parseDate(String value) throws S3AuthException {
        try {
            return Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value));
        } catch (DateTimeParseException e) {
            try {
                return Instant.from(SigV4Verifier.AMZ_DATE.parse(value));
            } catch (DateTimeParseException again) {
                throw new S3AuthException(S3ErrorCode.AccessDenied, "AWS authentication requires a valid Date or"
                        + " x-amz-date header (an RFC 1123 date such as 'Tue, 27 Mar 2007 19:36:42 +0000').");
            }
        }
    }

    private static String lookup(SecretLookup secrets, String accessKey) throws S3AuthException {
        return secrets.secretKey(accessKey).orElseThrow(() -> new S3AuthException(S3ErrorCode.InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records; check the access key configured"
                        + " in the client.", Map.of("AWSAccessKeyId", SigV4Verifier.printable(accessKey))));
    }

    private static void checkSignature(RequestView request, String hostBucket, String accessKey, String secret,
                                       String date, String provided) throws S3AuthException {
        List<String> resources = resources(request, hostBucket);
        String stringToSign = stringToSign(request, resources.get(0), date);
        boolean matches = false;
        for (String resource : resources) {
            String candidate = resource.equals(resources.get(0)) ? stringToSign : stringToSign(request, resource, date);
            matches |= Crypto.signaturesEqual(Base64.getEncoder().encodeToString(Crypto.hmacSha1(secret, candidate)),
                    provided);
        }
        if (!matches) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("AWSAccessKeyId", SigV4Verifier.printable(accessKey));
            details.put("StringToSign", stringToSign);
            details.put("SignatureProvided", SigV4Verifier.printable(provided));
            throw new S3AuthException(S3ErrorCode.SignatureDoesNotMatch, "The request signature we calculated does"
                    + " not match the signature you provided. Check your key and signing method.", details);
        }
    }

    /**
     * The resource path as S3 signs it, then the spelling botocore 1.28 to 1.30 signs instead
     * (Debian's boto3 1.26 has botocore 1.29): the path, a '?' and the request's first query
     * parameter (the one its operation's URI names, such as {@code uploads} or {@code list-type=2}),
     * without the bucket's trailing slash; the signed subresources follow in both.
     */
    static List<String> resources(RequestView request, String hostBucket) {
        String path = (hostBucket == null ? "" : "/" + hostBucket) + request.rawPath();
        // A request for the bucket alone is signed as "/bucket/", also in path style (as S3 and botocore do).
        String resource = path.indexOf('/', 1) < 0 && path.length() > 1 ? path + "/" : path;
        String first = request.rawQuery().split("&")[0];
        return first.isEmpty() ? List.of(resource) : List.of(resource, path + "?" + first);
    }

    static String stringToSign(RequestView request, String resource, String date) throws S3AuthException {
        StringBuilder s = new StringBuilder();
        s.append(request.method()).append('\n');
        s.append(request.header("content-md5").orElse("").trim()).append('\n');
        s.append(request.header("content-type").orElse("").trim()).append('\n');
        s.append(date.trim()).append('\n');
        TreeMap<String, List<String>> amz = new TreeMap<>();
        for (String name : request.headerNames()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-amz-")) {
                for (String v : request.headers(name)) {
                    amz.computeIfAbsent(lower, k -> new ArrayList<>()).add(v.trim().replaceAll("\\s*\r?\n\\s*", " "));
                }
            }
        }
        amz.forEach((name, values) -> s.append(name).append(':').append(String.join(",", values)).append('\n'));
        s.append(resource);
        List<String[]> signed = new ArrayList<>();
        for (String part : request.rawQuery().split("&")) {
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            if (SIGNED_SUBRESOURCES.contains(name)) {
                signed.add(new String[] {name, eq < 0 ? null : Canonical.decodeQueryComponent(part.substring(eq + 1))});
            }
        }
        signed.sort(Comparator.comparing(a -> a[0]));
        for (int i = 0; i < signed.size(); i++) {
            s.append(i == 0 ? '?' : '&').append(signed.get(i)[0]);
            if (signed.get(i)[1] != null) {
                s.append('=').append(signed.get(i)[1]);
            }
        }
        return s.toString();
    }

    /**
     * An unsigned request (for an ACL, bucket policy or IP grant to allow): nobody signed it, and its body is taken as
     * V2 takes one, checked only against a hex SHA-256 in x-amz-content-sha256 if the client sent one.
     */
    static VerifiedRequest unsigned(RequestView request, Instant now) throws S3AuthException {
        return verified(request, null, AuthStyle.NONE, now, null, "");
    }

    /**
     * V2 signs no body hash: the body is unsigned unless the client sent (and so signed, as an
     * x-amz-* header) a hex SHA-256 in x-amz-content-sha256; aws-chunked needs SigV4's chain.
     */
    private static VerifiedRequest verified(RequestView request, String accessKey, AuthStyle style, Instant time,
                                            Instant expiresAt, String signature) throws S3AuthException {
        List<String> sha = request.headers("x-amz-content-sha256");
        PayloadMode mode = sha.size() == 1 ? PayloadMode.fromHeader(sha.get(0).trim()) : PayloadMode.UNSIGNED;
        if (sha.size() > 1) {
            throw new S3AuthException(S3ErrorCode.InvalidRequest, "x-amz-content-sha256 appears more than once.");
        }
        if (mode.awsChunked()) {
            throw new S3AuthException(S3ErrorCode.InvalidRequest, "aws-chunked bodies (" + mode + ") need a"
                    + " Signature Version 4 request; this one is " + (accessKey == null ? "not signed." : "signed with Version 2."));
        }
        if (!request.headers("x-amz-trailer").isEmpty()) {
            throw new S3AuthException(S3ErrorCode.InvalidRequest, "x-amz-trailer needs an aws-chunked Signature"
                    + " Version 4 body.");
        }
        return new VerifiedRequest(accessKey, style, mode, mode == PayloadMode.SIGNED_SHA256 ? sha.get(0).trim() : null,
                OptionalLong.empty(), List.of(), time, expiresAt, new byte[0], "", "", signature);
    }
}
