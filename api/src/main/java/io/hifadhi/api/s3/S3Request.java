package io.hifadhi.api.s3;

import io.hifadhi.api.signature.VerifiedRequest;
import io.undertow.server.HttpServerExchange;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One authenticated S3 request: the exchange, the bucket and key it names (decoded), its decoded
 * query parameters, and who signed it.
 *
 * @param bucket        null for service-level requests
 * @param key           null for bucket-level requests
 * @param checkedBucket the bucket as this request's access check read it, so a handler that only needs it to exist
 *                      need not read it again; null when not read (or there is no such bucket)
 */
public record S3Request(HttpServerExchange exchange, String method, String bucket, String key,
                        Map<String, List<String>> query, VerifiedRequest auth, String requestId,
                        BucketCatalog.Bucket checkedBucket) {

    public S3Request {
        query = Map.copyOf(query);
    }

    public S3Request(HttpServerExchange exchange, String method, String bucket, String key,
                     Map<String, List<String>> query, VerifiedRequest auth, String requestId) {
        this(exchange, method, bucket, key, query, auth, requestId, null);
    }

    /** This request with its bucket as the access check read it (null: none). */
    S3Request withCheckedBucket(BucketCatalog.Bucket b) {
        return new S3Request(exchange, method, bucket, key, query, auth, requestId, b);
    }

    /** The signing key's id; null for an unsigned read an IP grant allowed. */
    public String accessKey() {
        return auth == null ? null : auth.accessKeyId();
    }

    public boolean has(String param) {
        return query.containsKey(param);
    }

    public Optional<String> param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /** The resource named in error documents. */
    public String resource() {
        return "/" + (bucket == null ? "" : bucket + (key == null ? "" : "/" + key));
    }
}
