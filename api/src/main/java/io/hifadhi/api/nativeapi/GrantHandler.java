package io.hifadhi.api.nativeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.ApiContext;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.auth.GrantPrefix;
import io.hifadhi.api.auth.GrantStore;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.JsonBody;
import io.hifadhi.api.http.PercentDecoder;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * IP grants (SHARD-KEY): {@code POST /api/v1/grant} adds one, {@code DELETE /api/v1/grant} (same
 * JSON body, or the same fields as query parameters) revokes it, {@code GET /api/v1/grants/<query>}
 * (or {@code /api/v1/grants/<bucket>/<key>}) lists the grants that cover an object. Body:
 * {@code {"query": "<instance>@<file>", "ip": "203.0.113.7" | CIDR, "expires_in": seconds}}; instead of
 * {@code query}: {@code "bucket"} + {@code "key"} (an S3 object), {@code "prefix"} (native files whose
 * query starts with it) or {@code "bucket"} + {@code "prefix"} (S3 keys starting with it). A grant is evaluated as the
 * bucket-policy statement the answers show ({@code "statement"}): the same engine decides grants and bucket policies.
 */
public final class GrantHandler implements HttpHandler {
    public static final String GRANT_PATH = "/api/v1/grant";
    public static final String LIST_PREFIX = "/api/v1/grants/";
    static final int MAX_BODY = 16 * 1024;
    /** Ten years: "no expiry" is spelled by leaving expires_in out. */
    static final long MAX_EXPIRES_IN = 10L * 365 * 24 * 3600;
    private static final Set<String> FIELDS = Set.of("query", "bucket", "key", "prefix", "ip", "expires_in");
    private static final String USAGE = "POST or DELETE JSON like {\"query\": \"node-a@movie.mp4\", \"ip\": \"203.0.113.7\", "
            + "\"expires_in\": 3600}; \"ip\" is an IPv4/IPv6 address or CIDR; \"expires_in\" (seconds, 1.." + MAX_EXPIRES_IN
            + ") is optional (no expiry). Instead of \"query\": \"bucket\"+\"key\" (S3 object), \"prefix\" (native files whose "
            + "query starts with it) or \"bucket\"+\"prefix\" (S3 keys starting with it).";

    private final ApiContext context;
    private final Supplier<GrantStore> grants;

    public GrantHandler(ApiContext context, Supplier<GrantStore> grants) {
        this.context = context;
        this.grants = grants;
    }

    /** What a request names: one object, or the keys of a bucket under a prefix. */
    record Target(String bucket, String key, String prefix) {
        boolean isPrefix() {
            return prefix != null;
        }
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        boolean list = exchange.getRequestPath().startsWith(LIST_PREFIX);
        if (!(list ? Methods.allow(exchange, "GET") : Methods.allow(exchange, "POST", "DELETE"))) {
            return;
        }
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.GRANT, null);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        GrantStore store = grants.get();
        if (store == null) {
            ApiErrors.send(exchange, 503, "unavailable", "This node does not keep IP grants.", "Use another node.");
            return;
        }
        if (list) {
            list(exchange, store);
            return;
        }
        JsonNode json = body(exchange);
        if (json == null) {
            return;
        }
        Target target = target(exchange, json);
        if (target == null) {
            return;
        }
        String ipText = text(json, "ip");
        if (ipText == null) {
            ApiErrors.send(exchange, 400, "invalid_ip", "\"ip\" (an address or CIDR network, as a string) is required.", USAGE);
            return;
        }
        Cidr network;
        try {
            network = Cidr.parse(ipText);
        } catch (IllegalArgumentException e) {
            ApiErrors.send(exchange, 400, "invalid_ip", "\"ip\" is not an address or CIDR network: " + e.getMessage() + ".", USAGE);
            return;
        }
        if (exchange.getRequestMethod().toString().equals("DELETE")) {
            if (json.has("expires_in")) {
                ApiErrors.send(exchange, 400, "unknown_field", "\"expires_in\" has no meaning when revoking.", USAGE);
                return;
            }
            revoke(exchange, store, target, network);
            return;
        }
        long expiresAt = 0;
        JsonNode expiresNode = json.get("expires_in");
        if (expiresNode != null && !expiresNode.isNull()) {
            if (!expiresNode.isIntegralNumber() || !expiresNode.canConvertToLong()
                    || expiresNode.asLong() < 1 || expiresNode.asLong() > MAX_EXPIRES_IN) {
                ApiErrors.send(exchange, 400, "invalid_expiry", "\"expires_in\" must be a whole number of seconds, 1.."
                        + MAX_EXPIRES_IN + " (leave it out for a grant that does not expire).", USAGE);
                return;
            }
            expiresAt = context.clock().millis() + expiresNode.asLong() * 1000;
        }
        Grant grant = new Grant(network, expiresAt);
        if (target.isPrefix()) {
            store.grantPrefix(new GrantPrefix(target.bucket(), target.prefix(), grant));
        } else if (store.grantObject(target.bucket(), target.key(), grant).isEmpty()) {
            notFound(exchange, target);
            return;
        }
        ObjectNode out = describe(target);
        NativeJson.putGrant(out, grant, null);
        out.set("statement", target.isPrefix()
                ? io.hifadhi.api.s3.GrantPolicy.prefixStatement(new GrantPrefix(target.bucket(), target.prefix(), grant))
                : io.hifadhi.api.s3.GrantPolicy.objectStatement(target.bucket(), target.key(), grant));
        NativeJson.send(exchange, 200, out);
    }

    private void revoke(HttpServerExchange exchange, GrantStore store, Target target, Cidr network) throws IOException {
        boolean removed;
        if (target.isPrefix()) {
            removed = store.revokePrefix(target.bucket(), target.prefix(), network);
        } else {
            Optional<Boolean> r = store.revokeObject(target.bucket(), target.key(), network);
            if (r.isEmpty()) {
                notFound(exchange, target);
                return;
            }
            removed = r.get();
        }
        if (!removed) {
            ApiErrors.send(exchange, 404, "no_such_grant", "There is no grant for " + network + " on this "
                    + (target.isPrefix() ? "prefix" : "object") + ".", "List the grants with GET " + LIST_PREFIX
                    + "<query>; revoke with exactly the address or CIDR that was granted.");
            return;
        }
        ObjectNode out = describe(target);
        out.put("ip", network.toString());
        out.put("revoked", true);
        NativeJson.send(exchange, 200, out);
    }

    private void list(HttpServerExchange exchange, GrantStore store) throws IOException {
        String raw = exchange.getRequestPath().substring(LIST_PREFIX.length());
        String bucket;
        String key;
        try {
            int slash = raw.indexOf('/');
            bucket = slash < 0 ? NativeNames.BUCKET : PercentDecoder.decodePath(raw.substring(0, slash));
            key = PercentDecoder.decodePath(slash < 0 ? raw : raw.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            ApiErrors.send(exchange, 400, "invalid_name", "The name in the URL is not valid percent-encoded UTF-8 ("
                    + e.getMessage() + ").", "Use " + LIST_PREFIX + "<query> or " + LIST_PREFIX + "<bucket>/<key>, percent-encoded.");
            return;
        }
        if (bucket.isEmpty() || key.isEmpty()) {
            ApiErrors.send(exchange, 400, "invalid_name", "The bucket or key is empty.",
                    "Use " + LIST_PREFIX + "<query> or " + LIST_PREFIX + "<bucket>/<key>.");
            return;
        }
        Target target = new Target(bucket, key, null);
        Optional<List<Grant>> own = store.objectGrants(bucket, key);
        if (own.isEmpty()) {
            notFound(exchange, target);
            return;
        }
        ObjectNode out = describe(target);
        var object = context.store().get(bucket, key);
        if (object.isPresent() && object.get().info().expiresAt() != null) {
            out.put("file_expires_at", object.get().info().expiresAt().toString());
        }
        NativeJson.putGrants(out.putArray("grants"), own.get(), store, bucket, key, context.clock().instant());
        NativeJson.send(exchange, 200, out);
    }

    /** The object or prefix the body names, validated; null after answering 400/404. */
    private Target target(HttpServerExchange exchange, JsonNode json) throws IOException {
        String query = text(json, "query");
        String bucket = text(json, "bucket");
        String key = text(json, "key");
        String prefix = text(json, "prefix");
        for (String f : new String[]{"query", "bucket", "key", "prefix"}) {
            if (json.hasNonNull(f) && !json.get(f).isTextual()) {
                ApiErrors.send(exchange, 400, "invalid_parameter", "\"" + f + "\" must be a string.", USAGE);
                return null;
            }
        }
        int forms = (query != null ? 1 : 0) + (key != null ? 1 : 0) + (prefix != null ? 1 : 0);
        if (forms != 1 || (key != null && bucket == null) || (query != null && bucket != null)) {
            ApiErrors.send(exchange, 400, "missing_parameter", "Name exactly one target: \"query\", \"bucket\"+\"key\", "
                    + "\"prefix\" or \"bucket\"+\"prefix\".", USAGE);
            return null;
        }
        if (bucket != null) {
            if (context.s3() == null || context.s3().buckets().get(bucket).isEmpty()) {
                ApiErrors.send(exchange, 404, "no_such_bucket", "There is no bucket named '" + JsonBody.clip(bucket) + "'.",
                        "Create it with S3 first, or grant native files with \"query\" or \"prefix\".");
                return null;
            }
        }
        if (query != null) {
            String problem = query.isEmpty() ? "The query is empty." : NativeNames.problemWithQuery(query);
            if (problem != null) {
                ApiErrors.send(exchange, 400, "invalid_query", problem, USAGE);
                return null;
            }
            return new Target(NativeNames.BUCKET, query, null);
        }
        String name = key != null ? key : prefix;
        boolean emptyAllowed = prefix != null && bucket != null;
        String problem = name.isEmpty() ? (emptyAllowed ? null : "The " + (key != null ? "key" : "prefix") + " is empty.")
                : NativeNames.problemWith(name);
        if (problem != null) {
            ApiErrors.send(exchange, 400, "invalid_name", problem.replace("filename", key != null ? "key" : "prefix"), USAGE);
            return null;
        }
        return key != null ? new Target(bucket, key, null) : new Target(bucket == null ? NativeNames.BUCKET : bucket, null, prefix);
    }

    /** The JSON body, or for DELETE without a body the same fields from the query string; null after a 4xx. */
    private JsonNode body(HttpServerExchange exchange) throws IOException {
        byte[] body = JsonBody.readBounded(exchange.getInputStream(), MAX_BODY);
        if (body == null) {
            JsonBody.refuseTooLarge(exchange, MAX_BODY, USAGE);
            return null;
        }
        if (body.length == 0 && exchange.getRequestMethod().toString().equals("DELETE")) {
            JsonNode json = fromQueryString(exchange);
            return json == null ? null : JsonBody.check(exchange, json, FIELDS, USAGE);
        }
        return JsonBody.parse(exchange, body, FIELDS, USAGE);
    }

    private static JsonNode fromQueryString(HttpServerExchange exchange) {
        java.util.Map<String, String> parameters = NativeJson.parameters(exchange, FIELDS, USAGE, "unknown_field");
        if (parameters == null) {
            return null;
        }
        ObjectNode json = NativeJson.object();
        parameters.forEach(json::put);
        return json;
    }

    private static ObjectNode describe(Target t) {
        ObjectNode out = NativeJson.object();
        boolean nativeFiles = t.bucket().equals(NativeNames.BUCKET);
        out.put("scope", t.isPrefix() ? "prefix" : "object");
        if (!nativeFiles) {
            out.put("bucket", t.bucket());
        }
        if (t.isPrefix()) {
            out.put("prefix", t.prefix());
        } else {
            out.put(nativeFiles ? "query" : "key", t.key());
        }
        return out;
    }

    private static void notFound(HttpServerExchange exchange, Target t) {
        ApiErrors.send(exchange, 404, "not_found", "No object is stored under this name.",
                "Grant an existing object: the query /api/v1/store returned, or an S3 bucket and key. "
                        + "A \"prefix\" grant also covers objects written later.");
    }

    private static String text(JsonNode json, String field) {
        JsonNode n = json.get(field);
        return n == null || n.isNull() || !n.isTextual() ? null : n.asText();
    }

}
