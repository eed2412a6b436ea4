package io.hifadhi.api.signature;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks S3 SigV4 signatures, in the Authorization header and in presigned URLs (and hands
 * Signature Version 2 requests to {@link SigV2Verifier}), and tells the
 * HTTP layer how the body is protected ({@link VerifiedRequest#payload}). One instance serves all
 * requests; it is thread-safe.
 *
 * <p>Checked, in order, each with the S3 error a client expects: the form of the credentials
 * (AuthorizationHeaderMalformed / AuthorizationQueryParametersError), service {@code s3} and the
 * configured region, the request time against the clock (RequestTimeTooSkewed beyond 15 minutes;
 * for presigned URLs "not valid yet" / "expired"), the credential date against the request date,
 * the access key (InvalidAccessKeyId), that {@code host} and every {@code x-amz-*} header present
 * are signed, and finally the signature itself, compared in constant time (SignatureDoesNotMatch,
 * which carries the canonical request and string-to-sign as S3 does: neither contains a secret).
 */
public final class SigV4Verifier {
    public static final String DEFAULT_REGION = "us-east-1";
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(15);
    public static final long MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;

    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
            .withResolverStyle(ResolverStyle.STRICT).withZone(ZoneOffset.UTC);
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final List<String> PRESIGN_PARAMS = List.of("X-Amz-Algorithm", "X-Amz-Credential",
            "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires");

    private final SecretLookup secrets;
    private final String region;
    private final Clock clock;
    private final SigningKeyCache signingKeys = new SigningKeyCache(1024);
    private final ThreadMacs macs = new ThreadMacs();
    private final SigV2Verifier v2;

    public SigV4Verifier(SecretLookup secrets, String region, Clock clock) {
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("region is required");
        }
        this.secrets = secrets;
        this.region = region;
        this.clock = clock;
        this.v2 = new SigV2Verifier(clock);
    }

    public SigV4Verifier(SecretLookup secrets, Clock clock) {
        this(secrets, DEFAULT_REGION, clock);
    }

    public String region() {
        return region;
    }

    /** Where the request carries credentials; NONE means anonymous (the caller decides if that is allowed). */
    public static AuthStyle authStyle(RequestView request) {
        if (!request.headers("authorization").isEmpty()) {
            return AuthStyle.HEADER;
        }
        String q = request.rawQuery();
        if (q.startsWith("X-Amz-Algorithm=") || q.contains("&X-Amz-Algorithm=")
                || q.startsWith("Signature=") || q.contains("&Signature=")
                || q.startsWith("AWSAccessKeyId=") || q.contains("&AWSAccessKeyId=")) {
            return AuthStyle.PRESIGNED;
        }
        return AuthStyle.NONE;
    }

    /**
     * An anonymous request, taken as it is: the caller allows it only where an ACL, a bucket policy or an IP grant
     * opens the resource to everyone. Its accessKeyId is null.
     */
    public VerifiedRequest anonymous(RequestView request) throws S3AuthException {
        return SigV2Verifier.unsigned(request, clock.instant());
    }

    /**
     * Verifies the request's signature.
     *
     * @throws S3AuthException with the S3 error to send back; AccessDenied for an anonymous request
     */
    public VerifiedRequest verify(RequestView request) throws S3AuthException {
        return verify(request, null);
    }

    /**
     * Verifies the request's signature, SigV4 or (for older clients) Signature Version 2.
     *
     * @param hostBucket the bucket named by a virtual-hosted request's Host, else null: SigV2 signs it
     *                   as part of the resource
     * @throws S3AuthException with the S3 error to send back; AccessDenied for an anonymous request
     */
    public VerifiedRequest verify(RequestView request, String hostBucket) throws S3AuthException {
        return verify(request, hostBucket, secrets);
    }

    /**
     * As {@link #verify(RequestView, String)}, with the access key's secret from {@code secrets} instead of this
     * verifier's own lookup: the S3 endpoint's, which keeps what it read for the request's access check.
     */
    public VerifiedRequest verify(RequestView request, String hostBucket, SecretLookup secrets) throws S3AuthException {
        boolean hasHeader = !request.headers("authorization").isEmpty();
        List<Canonical.QueryParam> params = Canonical.parseQuery(request.rawQuery());
        boolean hasQuery = params.stream().anyMatch(p -> p.name().equals("X-Amz-Algorithm"));
        boolean hasV2Query = SigV2Verifier.isPresigned(params);
        if (hasHeader && (hasQuery || hasV2Query) || hasQuery && hasV2Query) {
            throw new S3AuthException(S3ErrorCode.InvalidArgument, "Only one auth mechanism allowed; only the"
                    + " X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization"
                    + " header should be specified.", Map.of("ArgumentName", "Authorization"));
        }
        if (hasHeader) {
            List<String> values = request.headers("authorization");
            if (values.size() == 1 && SigV2Verifier.isHeader(values.get(0).trim())) {
                return v2.verifyHeader(request, values.get(0).trim(), hostBucket, secrets);
            }
            return verifyHeader(request, params, secrets);
        }
        if (hasQuery) {
            return verifyPresigned(request, params, secrets);
        }
        if (hasV2Query) {
            return v2.verifyPresigned(request, params, hostBucket, secrets);
        }
        throw new S3AuthException(S3ErrorCode.AccessDenied, "Access Denied: the request is not signed. Sign it"
                + " with AWS Signature Version 4 or 2 (an access key and secret are required).");
    }

    private record Credential(String accessKeyId, String date, String region) {
    }

    private record Failure(S3ErrorCode code, String prefix) {
        S3AuthException of(String message) {
            return new S3AuthException(code, prefix + message);
        }

        S3AuthException of(String message, Map<String, String> details) {
            return new S3AuthException(code, prefix + message, details);
        }
    }

    private static final Failure HEADER_MALFORMED =
            new Failure(S3ErrorCode.AuthorizationHeaderMalformed, "The authorization header is malformed; ");
    private static final Failure QUERY_MALFORMED =
            new Failure(S3ErrorCode.AuthorizationQueryParametersError, "Error parsing the X-Amz-Credential parameter; ");

    // ---- Authorization header ----

    private VerifiedRequest verifyHeader(RequestView request, List<Canonical.QueryParam> params, SecretLookup secrets)
            throws S3AuthException {
        List<String> authValues = request.headers("authorization");
        if (authValues.size() != 1) {
            throw HEADER_MALFORMED.of("send exactly one Authorization header.");
        }
        String auth = authValues.get(0).trim();
        if (!auth.startsWith(Canonical.ALGORITHM + " ")) {
            throw HEADER_MALFORMED.of("the algorithm must be AWS4-HMAC-SHA256.");
        }
        Map<String, String> parts = new HashMap<>();
        for (String piece : auth.substring(Canonical.ALGORITHM.length() + 1).split(",", -1)) {
            String p = piece.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw HEADER_MALFORMED.of("expected 'Credential=..., SignedHeaders=..., Signature=...'.");
            }
            String key = p.substring(0, eq);
            if (!key.equals("Credential") && !key.equals("SignedHeaders") && !key.equals("Signature")) {
                throw HEADER_MALFORMED.of("unknown component '" + printable(key)
                        + "'; expected Credential, SignedHeaders and Signature.");
            }
            if (parts.put(key, p.substring(eq + 1)) != null) {
                throw HEADER_MALFORMED.of("component '" + key + "' appears twice.");
            }
        }
        for (String required : List.of("Credential", "SignedHeaders", "Signature")) {
            if (!parts.containsKey(required)) {
                throw HEADER_MALFORMED.of("missing component '" + required + "'.");
            }
        }
        Credential credential = parseCredential(parts.get("Credential"), HEADER_MALFORMED);
        List<String> signedHeaders = parseSignedHeaders(parts.get("SignedHeaders"), HEADER_MALFORMED);

        String amzDate = headerDate(request);
        Instant requestTime = parseAmzDate(amzDate);
        Instant now = clock.instant();
        if (Duration.between(requestTime, now).abs().compareTo(MAX_CLOCK_SKEW) > 0) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("RequestTime", amzDate);
            details.put("ServerTime", now.toString());
            details.put("MaxAllowedSkewMilliseconds", Long.toString(MAX_CLOCK_SKEW.toMillis()));
            throw new S3AuthException(S3ErrorCode.RequestTimeTooSkewed, "The difference between the request time"
                    + " and the server's time is too large (more than 15 minutes); correct the client's clock.",
                    details);
        }
        if (!amzDate.startsWith(credential.date())) {
            throw HEADER_MALFORMED.of("Invalid credential date \"" + credential.date()
                    + "\". This date is not the same as X-Amz-Date: \"" + amzDate.substring(0, 8) + "\".");
        }
        String secret = lookup(secrets, credential);

        List<String> contentSha = request.headers("x-amz-content-sha256");
        if (contentSha.isEmpty()) {
            throw new S3AuthException(S3ErrorCode.InvalidRequest,
                    "Missing required header for this request: x-amz-content-sha256.");
        }
        if (contentSha.size() > 1) {
            throw new S3AuthException(S3ErrorCode.InvalidRequest, "x-amz-content-sha256 appears more than once.");
        }
        String payloadHash = contentSha.get(0).trim();
        PayloadMode mode = PayloadMode.fromHeader(payloadHash);

        checkHeadersSigned(request, signedHeaders, Set.of("x-amz-content-sha256", "x-amz-date"));
        String signature = parts.get("Signature");
        byte[] key = checkSignature(request, params, signedHeaders, payloadHash, credential, secret, amzDate,
                signature);
        return finish(request, credential, AuthStyle.HEADER, mode, payloadHash, requestTime, null, key, amzDate,
                signature);
    }

    /** The request time from x-amz-date, else Date, in the basic ISO 8601 form used by the signature. */
    private static String headerDate(RequestView request) throws S3AuthException {
        Optional<String> xAmzDate = request.header("x-amz-date");
        if (xAmzDate.isPresent()) {
            String value = xAmzDate.get().trim();
            if (parseAmzDate(value) == null) {
                throw new S3AuthException(S3ErrorCode.AccessDenied, "AWS authentication requires a valid Date or"
                        + " x-amz-date header; x-amz-date must look like 20130524T000000Z.");
            }
            return value;
        }
        Optional<String> date = request.header("date");
        if (date.isPresent()) {
            try {
                Instant t = Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(date.get().trim()));
                return AMZ_DATE.format(t);
            } catch (DateTimeParseException e) {
                throw new S3AuthException(S3ErrorCode.AccessDenied, "AWS authentication requires a valid Date or"
                        + " x-amz-date header; the Date header is not an RFC 1123 date.");
            }
        }
        throw new S3AuthException(S3ErrorCode.AccessDenied, "AWS authentication requires a valid Date or"
                + " x-amz-date header.");
    }

    /**
     * The basic ISO 8601 form ({@code 20130524T000000Z}) as {@link #AMZ_DATE} reads it strictly (a real calendar day,
     * hours 00-23, no leap second), or null. By hand: the formatter took more CPU than the rest of a small GET's
     * signature check.
     */
    static Instant parseAmzDate(String value) {
        if (value.length() != 16 || value.charAt(8) != 'T' || value.charAt(15) != 'Z') {
            return null;
        }
        for (int i = 0; i < 15; i++) {
            char c = value.charAt(i);
            if (i != 8 && (c < '0' || c > '9')) {
                return null;
            }
        }
        try {
            return LocalDateTime.of(digits(value, 0, 4), digits(value, 4, 6), digits(value, 6, 8), digits(value, 9, 11),
                    digits(value, 11, 13), digits(value, 13, 15)).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static int digits(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n = n * 10 + s.charAt(i) - '0';
        }
        return n;
    }

    // ---- presigned URL ----

    private VerifiedRequest verifyPresigned(RequestView request, List<Canonical.QueryParam> params, SecretLookup secrets)
            throws S3AuthException {
        Map<String, String> auth = new HashMap<>();
        for (Canonical.QueryParam p : params) {
            if (PRESIGN_PARAMS.contains(p.name()) || p.name().equals("X-Amz-Content-Sha256")) {
                if (auth.put(p.name(), p.value()) != null) {
                    throw new S3AuthException(S3ErrorCode.AuthorizationQueryParametersError,
                            "The query parameter " + p.name() + " appears more than once.");
                }
            }
        }
        if (!Canonical.ALGORITHM.equals(auth.get("X-Amz-Algorithm"))) {
            throw new S3AuthException(S3ErrorCode.AuthorizationQueryParametersError,
                    "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\".");
        }
        for (String name : PRESIGN_PARAMS) {
            if (auth.get(name) == null || auth.get(name).isEmpty()) {
                throw new S3AuthException(S3ErrorCode.AuthorizationQueryParametersError, "Query-string"
                        + " authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential,"
                        + " X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters"
                        + " (" + name + " is missing).");
            }
        }
        Credential credential = parseCredential(auth.get("X-Amz-Credential"), QUERY_MALFORMED);
        String amzDate = auth.get("X-Amz-Date");
        Instant requestTime = parseAmzDate(amzDate);
        if (requestTime == null) {
            throw new S3AuthException(S3ErrorCode.AuthorizationQueryParametersError,
                    "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".");
        }
        long expires = parseExpires(auth.get("X-Amz-Expires"));
        if (!amzDate.startsWith(credential.date())) {
            throw QUERY_MALFORMED.of("Invalid credential date \"" + credential.date()
                    + "\". This date is not the same as X-Amz-Date: \"" + amzDate.substring(0, 8) + "\".");
        }
        List<String> signedHeaders = parseSignedHeaders(auth.get("X-Amz-SignedHeaders"),
                new Failure(S3ErrorCode.AuthorizationQueryParametersError, "Error parsing X-Amz-SignedHeaders; "));
        Instant now = clock.instant();
        Instant expiresAt = requestTime.plusSeconds(expires);
        if (requestTime.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            throw new S3AuthException(S3ErrorCode.AccessDenied, "Request is not valid yet: X-Amz-Date " + amzDate
                    + " is in the future; check the clock of whoever created the URL.",
                    Map.of("X-Amz-Date", amzDate, "ServerTime", now.toString()));
        }
        if (now.isAfter(expiresAt)) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("X-Amz-Expires", Long.toString(expires));
            details.put("Expires", expiresAt.toString());
            details.put("ServerTime", now.toString());
            throw new S3AuthException(S3ErrorCode.AccessDenied, "Request has expired; create a new presigned URL.",
                    details);
        }
        String secret = lookup(secrets, credential);
        String payloadHash = auth.getOrDefault("X-Amz-Content-Sha256", UNSIGNED_PAYLOAD);
        PayloadMode mode = PayloadMode.fromHeader(payloadHash);
        if (mode.awsChunked()) {
            throw new S3AuthException(S3ErrorCode.InvalidRequest,
                    "aws-chunked streaming payloads cannot be used with presigned URLs.");
        }
        checkHeadersSigned(request, signedHeaders, Set.of());
        List<Canonical.QueryParam> canonicalParams = new ArrayList<>(params);
        canonicalParams.removeIf(p -> p.name().equals("X-Amz-Signature"));
        String signature = auth.get("X-Amz-Signature");
        byte[] key = checkSignature(request, canonicalParams, signedHeaders, payloadHash, credential, secret,
                amzDate, signature);
        return finish(request, credential, AuthStyle.PRESIGNED, mode, payloadHash, requestTime, expiresAt, key,
                amzDate, signature);
    }

    private static long parseExpires(String value) throws S3AuthException {
        if (!value.chars().allMatch(c -> c >= '0' && c <= '9') || value.length() > 12) {
            throw new S3AuthException(S3ErrorCode.AuthorizationQueryParametersError,
                    "X-Amz-Expires should be a number of seconds between 1 and 604800.");
        }
        long expires = Long.parseLong(value);
        if (expires < 1) {
            throw new S3AuthException(S3ErrorCode.AuthorizationQueryParametersError,
                    "X-Amz-Expires must be positive (1 to 604800 seconds).");
        }
        if (expires > MAX_PRESIGNED_EXPIRES_SECONDS) {
            throw new S3AuthException(S3ErrorCode.AuthorizationQueryParametersError,
                    "X-Amz-Expires must be less than a week (in seconds) that is 604800.");
        }
        return expires;
    }

    // ---- shared ----

    private Credential parseCredential(String value, Failure failure) throws S3AuthException {
        String[] parts = value.split("/", -1);
        if (parts.length != 5 || parts[0].isEmpty() || !isEightDigits(parts[1]) || parts[2].isEmpty()) {
            throw failure.of("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
        }
        if (!parts[3].equals("s3")) {
            throw failure.of("incorrect service \"" + printable(parts[3]) + "\". This endpoint belongs to \"s3\".");
        }
        if (!parts[4].equals("aws4_request")) {
            throw failure.of("incorrect terminal \"" + printable(parts[4]) + "\". This endpoint uses \"aws4_request\".");
        }
        if (!parts[2].equals(region)) {
            throw failure.of("the region '" + printable(parts[2]) + "' is wrong; expecting '" + region + "'",
                    Map.of("Region", region));
        }
        return new Credential(parts[0], parts[1], parts[2]);
    }

    private static boolean isEightDigits(String s) {
        return s.length() == 8 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static List<String> parseSignedHeaders(String value, Failure failure) throws S3AuthException {
        TreeSet<String> names = new TreeSet<>();
        for (String name : value.split(";", -1)) {
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')) {
                throw failure.of("SignedHeaders must be header names separated by ';'.");
            }
            if (!names.add(name.toLowerCase(Locale.ROOT))) {
                throw failure.of("SignedHeaders lists '" + name + "' twice.");
            }
        }
        if (!names.contains("host")) {
            throw failure.of("SignedHeaders must include 'host'.");
        }
        return List.copyOf(names);
    }

    private static String lookup(SecretLookup secrets, Credential credential) throws S3AuthException {
        return secrets.secretKey(credential.accessKeyId()).orElseThrow(() -> new S3AuthException(
                S3ErrorCode.InvalidAccessKeyId, "The AWS Access Key Id you provided does not exist in our records;"
                        + " check the access key configured in the client.",
                Map.of("AWSAccessKeyId", credential.accessKeyId())));
    }

    /**
     * Every x-amz-* header present must be signed: otherwise whoever holds a signed request (a
     * presigned URL, say) could add e.g. x-amz-copy-source or x-amz-acl and change what it does.
     */
    private static void checkHeadersSigned(RequestView request, List<String> signedHeaders, Set<String> exempt)
            throws S3AuthException {
        // Sorted and each name once, for the error message.
        TreeSet<String> unsigned = new TreeSet<>();
        for (String name : request.headerNames()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-amz-") && !exempt.contains(lower) && !signedHeaders.contains(lower)) {
                unsigned.add(lower);
            }
        }
        if (!unsigned.isEmpty()) {
            throw new S3AuthException(S3ErrorCode.AccessDenied, "There were headers present in the request which"
                    + " were not signed: " + String.join(", ", unsigned) + ". Sign every x-amz-* header.",
                    Map.of("HeadersNotSigned", String.join(", ", unsigned)));
        }
        for (String name : signedHeaders) {
            if (request.headers(name).isEmpty()) {
                throw new S3AuthException(S3ErrorCode.AccessDenied, "The header '" + name + "' is listed in"
                        + " SignedHeaders but is not in the request.");
            }
        }
    }

    private static final java.util.regex.Pattern ENCODED_SLASH = java.util.regex.Pattern.compile("%2[fF]");

    private static Map<String, List<String>> headerMap(RequestView request) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : request.headerNames()) {
            out.put(name, request.headers(name));
        }
        return out;
    }

    /** Recomputes the signature; returns the signing key (needed to continue a chunk chain). */
    private byte[] checkSignature(RequestView request, List<Canonical.QueryParam> params, List<String> signedHeaders,
            String payloadHash, Credential credential, String secret, String amzDate, String providedSignature)
            throws S3AuthException {
        String canonicalRequest = Canonical.canonicalRequest(request, params, signedHeaders, payloadHash);
        String scope = Canonical.scope(credential.date(), credential.region());
        String stringToSign = Canonical.stringToSign(amzDate, scope, canonicalRequest);
        byte[] key = signingKeys.signingKey(credential.accessKeyId(), secret, credential.date(), credential.region());
        String expected = Crypto.hex(macs.hmacSha256(key, stringToSign));
        boolean matches = Crypto.signaturesEqual(expected, providedSignature);
        if (!matches && ENCODED_SLASH.matcher(request.rawPath()).find()) {
            // The AWS SDKs send a key's "//" as "/%2F" (so HTTP stacks do not merge the slashes) but sign
            // the path with the plain slash, and S3 accepts that. Both spell the same key once decoded.
            RequestView plainSlashes = new SimpleRequestView(request.method(),
                    ENCODED_SLASH.matcher(request.rawPath()).replaceAll("/"), request.rawQuery(), headerMap(request));
            String alternative = Canonical.stringToSign(amzDate, scope,
                    Canonical.canonicalRequest(plainSlashes, params, signedHeaders, payloadHash));
            matches = Crypto.signaturesEqual(Crypto.hex(macs.hmacSha256(key, alternative)), providedSignature);
        }
        if (!matches) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("AWSAccessKeyId", credential.accessKeyId());
            details.put("StringToSign", stringToSign);
            details.put("SignatureProvided", providedSignature);
            details.put("CanonicalRequest", canonicalRequest);
            throw new S3AuthException(S3ErrorCode.SignatureDoesNotMatch, "The request signature we calculated does"
                    + " not match the signature you provided. Check your key and signing method.", details);
        }
        return key;
    }

    private VerifiedRequest finish(RequestView request, Credential credential, AuthStyle style, PayloadMode mode,
            String payloadHash, Instant requestTime, Instant expiresAt, byte[] key, String amzDate, String signature)
            throws S3AuthException {
        OptionalLong decodedLength = OptionalLong.empty();
        List<ChecksumAlgorithm> trailers = List.of();
        List<String> trailerHeader = request.headers("x-amz-trailer");
        if (mode.awsChunked()) {
            Optional<String> decoded = request.header("x-amz-decoded-content-length");
            if (decoded.isEmpty()) {
                throw new S3AuthException(S3ErrorCode.MissingContentLength, "aws-chunked uploads must send"
                        + " x-amz-decoded-content-length, the size of the object in bytes.");
            }
            String d = decoded.get().trim();
            if (d.isEmpty() || d.length() > 18 || !d.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new S3AuthException(S3ErrorCode.InvalidArgument,
                        "x-amz-decoded-content-length must be a non-negative number of bytes.",
                        Map.of("ArgumentName", "x-amz-decoded-content-length"));
            }
            decodedLength = OptionalLong.of(Long.parseLong(d));
        }
        if (mode.hasTrailer()) {
            if (trailerHeader.isEmpty()) {
                throw new S3AuthException(S3ErrorCode.InvalidRequest, mode + " bodies must announce their"
                        + " trailers in x-amz-trailer (e.g. x-amz-checksum-crc32).");
            }
            List<ChecksumAlgorithm> announced = new ArrayList<>();
            for (String v : trailerHeader) {
                for (String name : v.split(",", -1)) {
                    ChecksumAlgorithm a = ChecksumAlgorithm.fromHeaderName(name).orElseThrow(() -> new S3AuthException(
                            S3ErrorCode.InvalidRequest, "x-amz-trailer names '" + printable(name.trim()) + "'; only"
                                    + " x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1 and -sha256 trailers are supported."));
                    if (announced.contains(a)) {
                        throw new S3AuthException(S3ErrorCode.InvalidRequest, "x-amz-trailer names " + a.headerName()
                                + " twice.");
                    }
                    announced.add(a);
                }
            }
            if (announced.size() > 1) {
                throw new S3AuthException(S3ErrorCode.InvalidRequest,
                        "Send at most one checksum trailer (x-amz-trailer names several).");
            }
            trailers = announced;
        } else if (!trailerHeader.isEmpty()) {
            throw new S3AuthException(S3ErrorCode.InvalidRequest, "x-amz-trailer is only allowed with"
                    + " x-amz-content-sha256 STREAMING-UNSIGNED-PAYLOAD-TRAILER or"
                    + " STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER.");
        }
        String scope = Canonical.scope(credential.date(), credential.region());
        return new VerifiedRequest(credential.accessKeyId(), style, mode,
                mode == PayloadMode.SIGNED_SHA256 ? payloadHash : null, decodedLength, trailers, requestTime,
                expiresAt, key, amzDate, scope, signature);
    }

    static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
