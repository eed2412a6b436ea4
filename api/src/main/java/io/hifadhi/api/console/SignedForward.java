package io.hifadhi.api.console;

import io.hifadhi.api.signature.S3AuthException;
import io.hifadhi.api.signature.SigV4Signer;
import io.hifadhi.api.signature.SimpleRequestView;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Hands a console request to the S3 endpoint as a request signed with the session's access key, so
 * the S3 endpoint's own signature check and {@code PermissionCheck} decide what the key may do: the
 * console has no permission logic of its own. The body is passed on untouched (UNSIGNED-PAYLOAD);
 * whatever credentials the browser sent are removed first.
 */
final class SignedForward {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final HttpString AMZ_DATE_HEADER = new HttpString("x-amz-date");
    private static final HttpString AMZ_CONTENT = new HttpString("x-amz-content-sha256");
    private static final HttpString SHARD_KEY = new HttpString("SHARD-KEY");

    private final HttpHandler s3;
    private final String region;
    private final Clock clock;

    SignedForward(HttpHandler s3, String region, Clock clock) {
        this.s3 = s3;
        this.region = region;
        this.clock = clock;
    }

    /**
     * @param rawPath  the S3 path, percent-encoded: "/", "/bucket" or "/bucket/key"
     * @param rawQuery the S3 query string, encoded, or ""
     */
    void forward(HttpServerExchange exchange, String accessKey, String secretKey, String rawPath, String rawQuery)
            throws Exception {
        HeaderMap headers = exchange.getRequestHeaders();
        stripCredentials(headers);
        exchange.setRequestPath(rawPath);
        exchange.setRelativePath(rawPath);
        exchange.setRequestURI(rawPath);
        exchange.setQueryString(rawQuery);
        exchange.getQueryParameters().clear();
        headers.put(AMZ_DATE_HEADER, AMZ_DATE.format(clock.instant()));
        headers.put(AMZ_CONTENT, "UNSIGNED-PAYLOAD");
        String host = headers.getFirst(Headers.HOST);
        SimpleRequestView view = new SimpleRequestView(exchange.getRequestMethod().toString(), rawPath, rawQuery,
                Map.of("host", List.of(host == null ? "" : host),
                        "x-amz-date", List.of(headers.getFirst(AMZ_DATE_HEADER)),
                        "x-amz-content-sha256", List.of("UNSIGNED-PAYLOAD")));
        try {
            headers.put(Headers.AUTHORIZATION, new SigV4Signer(accessKey, secretKey, region)
                    .authorization(view, List.of("x-amz-date", "x-amz-content-sha256")));
        } catch (S3AuthException e) {
            throw new IllegalStateException("cannot sign the console's request: " + e.getMessage(), e);
        }
        s3.handleRequest(exchange);
    }

    /** The browser's cookie, and any signature or key it might carry, never reach the endpoint behind. */
    static void stripCredentials(HeaderMap headers) {
        headers.remove(Headers.AUTHORIZATION);
        headers.remove(Headers.COOKIE);
        headers.remove(SHARD_KEY);
        List<HttpString> amz = new ArrayList<>();
        for (HeaderValues v : headers) {
            if (v.getHeaderName().toString().toLowerCase(Locale.ROOT).startsWith("x-amz-")) {
                amz.add(v.getHeaderName());
            }
        }
        amz.forEach(headers::remove);
    }
}
