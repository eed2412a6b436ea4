package io.hifadhi.api.s3;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Bucket CORS: PutBucketCors / GetBucketCors / DeleteBucketCors, the unauthenticated OPTIONS
 * preflight, and the Access-Control-* headers on actual requests from an allowed origin (a browser
 * using a presigned URL needs them).
 */
final class Cors {
    private static final int MAX_BODY = 64 * 1024;
    private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
    private static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
    private static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
    private static final HttpString EXPOSE_HEADERS = new HttpString("Access-Control-Expose-Headers");
    private static final HttpString MAX_AGE = new HttpString("Access-Control-Max-Age");
    private static final HttpString VARY = new HttpString("Vary");

    private final S3Services services;
    private final XmlReader xml = new XmlReader(MAX_BODY, 20 * CorsConfiguration.MAX_RULES + 10);

    Cors(S3Services services) {
        this.services = services;
    }

    /** PutBucketCors, GetBucketCors, DeleteBucketCors. */
    BucketDocument rules() {
        return new BucketDocument(services, xml, root -> CorsConfiguration.parse(root).toXml(), BucketCatalog.Bucket::cors,
                BucketCatalog::setCors, S3Error.NoSuchCORSConfiguration, "CORS configuration");
    }

    /** OPTIONS: answered from the bucket's rules without authentication, as browsers send no credentials. */
    void preflight(HttpServerExchange exchange, String bucket) throws IOException, S3Exception {
        HeaderMap req = exchange.getRequestHeaders();
        String origin = req.getFirst("Origin");
        String method = req.getFirst("Access-Control-Request-Method");
        if (origin == null || method == null) {
            throw new S3Exception(S3Error.InvalidRequest,
                    "Insufficient information. Origin and Access-Control-Request-Method request headers are needed.");
        }
        List<String> headers = Optional.ofNullable(req.getFirst("Access-Control-Request-Headers"))
                .map(h -> Arrays.stream(h.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
        Optional<CorsConfiguration.Rule> rule = bucket == null ? Optional.empty()
                : configuration(bucket).flatMap(c -> c.match(origin, method, headers));
        if (rule.isEmpty()) {
            throw new S3Exception(S3Error.AccessForbidden, "CORSResponse: This CORS request is not allowed. This is usually because"
                    + " the evaluation of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers"
                    + " are not whitelisted by the resource's CORS spec.");
        }
        HeaderMap res = exchange.getResponseHeaders();
        CorsConfiguration.Rule r = rule.get();
        res.put(ALLOW_ORIGIN, r.allowOriginValue(origin));
        res.put(ALLOW_METHODS, String.join(", ", r.allowedMethods()));
        if (!headers.isEmpty()) {
            res.put(ALLOW_HEADERS, String.join(", ", headers));
        }
        if (!r.exposeHeaders().isEmpty()) {
            res.put(EXPOSE_HEADERS, String.join(", ", r.exposeHeaders()));
        }
        if (r.maxAgeSeconds() >= 0) {
            res.put(MAX_AGE, r.maxAgeSeconds());
        }
        res.add(VARY, "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
        S3Responses.empty(exchange, 200);
    }

    /** Adds Access-Control-* headers to an actual request's answer when its Origin is allowed. */
    void decorate(S3Request r) throws IOException {
        String origin = r.header("Origin");
        if (origin == null || r.bucket() == null) {
            return;
        }
        Optional<CorsConfiguration.Rule> rule = configuration(r.bucket()).flatMap(c -> c.match(origin, r.method(), List.of()));
        if (rule.isEmpty()) {
            return;
        }
        HeaderMap res = r.exchange().getResponseHeaders();
        res.put(ALLOW_ORIGIN, rule.get().allowOriginValue(origin));
        res.put(ALLOW_METHODS, String.join(", ", rule.get().allowedMethods()));
        if (!rule.get().exposeHeaders().isEmpty()) {
            res.put(EXPOSE_HEADERS, String.join(", ", rule.get().exposeHeaders()));
        }
        if (rule.get().maxAgeSeconds() >= 0) {
            res.put(MAX_AGE, rule.get().maxAgeSeconds());
        }
        res.add(VARY, "Origin");
    }

    private Optional<CorsConfiguration> configuration(String bucket) throws IOException {
        Optional<BucketCatalog.Bucket> b = services.buckets().get(bucket);
        if (b.isEmpty() || b.get().cors() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(CorsConfiguration.parse(xml.parse(b.get().cors().getBytes(StandardCharsets.UTF_8))));
        } catch (S3Exception e) {
            return Optional.empty(); // stored documents were validated on the way in
        }
    }
}
