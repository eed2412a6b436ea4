package io.hifadhi.api.signature;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small SigV4 signer for S3, built on the very canonicalisation code the verifier uses: for
 * presigned URLs generated server-side and for our own tests and tools.
 */
public final class SigV4Signer {
    private final String accessKeyId;
    private final String secretKey;
    private final String region;

    public SigV4Signer(String accessKeyId, String secretKey, String region) {
        this.accessKeyId = accessKeyId;
        this.secretKey = secretKey;
        this.region = region;
    }

    /**
     * Presigns a request: returns the complete query string for the URL (the request's own
     * parameters plus the X-Amz-* ones and X-Amz-Signature), already encoded; append it after '?'.
     *
     * @param host the Host header the client will send (with ":port" when not the default)
     * @param rawPath the URL path, percent-encoded as it will be sent
     * @param rawQuery the request's own query string (encoded, without '?'), or ""
     * @param signedHeaders further headers the client must send unchanged (e.g. content-type), may be empty
     */
    public String presign(String method, String host, String rawPath, String rawQuery,
            Map<String, String> signedHeaders, Instant time, Duration expires) throws S3AuthException {
        long seconds = expires.getSeconds();
        if (seconds < 1 || seconds > SigV4Verifier.MAX_PRESIGNED_EXPIRES_SECONDS) {
            throw new IllegalArgumentException("expiry must be 1 second to 7 days, was " + expires);
        }
        Map<String, List<String>> headers = new TreeMap<>();
        signedHeaders.forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.of(v)));
        headers.put("host", List.of(host));
        List<String> names = List.copyOf(headers.keySet());
        String amzDate = SigV4Verifier.AMZ_DATE.format(time);
        String date = amzDate.substring(0, 8);
        String scope = Canonical.scope(date, region);

        List<Canonical.QueryParam> params = new ArrayList<>(Canonical.parseQuery(rawQuery));
        params.add(new Canonical.QueryParam("X-Amz-Algorithm", Canonical.ALGORITHM));
        params.add(new Canonical.QueryParam("X-Amz-Credential", accessKeyId + "/" + scope));
        params.add(new Canonical.QueryParam("X-Amz-Date", amzDate));
        params.add(new Canonical.QueryParam("X-Amz-Expires", Long.toString(seconds)));
        params.add(new Canonical.QueryParam("X-Amz-SignedHeaders", String.join(";", names)));

        RequestView view = new SimpleRequestView(method, rawPath, "", headers);
        String canonicalRequest = Canonical.canonicalRequest(view, params, names, "UNSIGNED-PAYLOAD");
        String signature = sign(date, Canonical.stringToSign(amzDate, scope, canonicalRequest));
        return Canonical.canonicalQuery(params) + "&X-Amz-Signature=" + signature;
    }

    /**
     * The Authorization header value for a request that already carries its x-amz-date and
     * x-amz-content-sha256 headers (and host); signs the given headers plus host.
     */
    public String authorization(RequestView request, List<String> headersToSign) throws S3AuthException {
        String amzDate = request.header("x-amz-date").orElseThrow(
                () -> new IllegalArgumentException("the request needs an x-amz-date header")).trim();
        String payloadHash = request.header("x-amz-content-sha256").orElseThrow(
                () -> new IllegalArgumentException("the request needs an x-amz-content-sha256 header")).trim();
        Map<String, Boolean> names = new TreeMap<>();
        names.put("host", true);
        headersToSign.forEach(h -> names.put(h.toLowerCase(Locale.ROOT), true));
        List<String> signed = List.copyOf(names.keySet());
        String date = amzDate.substring(0, 8);
        String scope = Canonical.scope(date, region);
        String canonicalRequest = Canonical.canonicalRequest(request, Canonical.parseQuery(request.rawQuery()),
                signed, payloadHash);
        String signature = sign(date, Canonical.stringToSign(amzDate, scope, canonicalRequest));
        return Canonical.ALGORITHM + " Credential=" + accessKeyId + "/" + scope + ", SignedHeaders="
                + String.join(";", signed) + ", Signature=" + signature;
    }

    /**
     * Encodes a body as signed aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, optionally with a
     * signed checksum trailer), continuing the chain from {@code seedSignature}. In memory: for tests
     * and small bodies.
     */
    public byte[] signedChunkedBody(byte[] data, int chunkSize, String amzDate, String seedSignature,
            ChecksumAlgorithm trailer) {
        String date = amzDate.substring(0, 8);
        ChunkSignatureChain chain = new ChunkSignatureChain(SigningKeyCache.derive(secretKey, date, region), amzDate,
                Canonical.scope(date, region), seedSignature);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(data.length + 256);
        int offset = 0;
        while (true) {
            int n = Math.min(chunkSize, data.length - offset);
            byte[] chunk = java.util.Arrays.copyOfRange(data, offset, offset + n);
            String sig = chain.nextChunk(Crypto.sha256(chunk));
            out.writeBytes((Integer.toHexString(n) + ";chunk-signature=" + sig + "\r\n").getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII));
            if (n == 0) {
                break;
            }
            out.writeBytes(chunk);
            out.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            offset += n;
        }
        if (trailer == null) {
            out.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } else {
            String line = trailer.headerName() + ":" + trailer.base64Of(data);
            String sig = chain.trailer(Crypto.sha256((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            out.writeBytes((line + "\r\nx-amz-trailer-signature:" + sig + "\r\n\r\n").getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private String sign(String date, String stringToSign) {
        return Crypto.hex(Crypto.hmacSha256(SigningKeyCache.derive(secretKey, date, region), stringToSign));
    }

    @Override
    public String toString() {
        return "SigV4Signer[" + accessKeyId + ", " + region + "]";
    }
}
