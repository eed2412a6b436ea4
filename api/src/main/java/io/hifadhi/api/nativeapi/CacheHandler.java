package io.hifadhi.api.nativeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.ApiContext;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.JsonBody;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/cache} (SHARD-KEY): asks ring neighbours beyond an object's replicas to cache it now, as if
 * it were hot. Body: {@code {"query": "<instance>@<file>", "copies": 2}} or {@code {"bucket": "b", "key": "k",
 * "copies": 2}}; {@code copies} (1..16, default 2) is how many extra nodes get each chunk. The copies are dropped
 * like a hot object's once it has been read less than the hot rate for the node's cool-down.
 */
public final class CacheHandler implements HttpHandler {
    public static final String PATH = "/api/v1/cache";
    static final int MAX_BODY = 16 * 1024;
    static final int MAX_COPIES = 16;
    static final int DEFAULT_COPIES = 2;
    private static final Set<String> FIELDS = Set.of("query", "bucket", "key", "copies");
    private static final String USAGE = "POST JSON like {\"query\": \"node-a@movie.mp4\", \"copies\": 2} or {\"bucket\": "
            + "\"videos\", \"key\": \"movie.mp4\", \"copies\": 2}; \"copies\" (1.." + MAX_COPIES + ", default "
            + DEFAULT_COPIES + ") is how many nodes beyond the replicas get a copy.";

    private final ApiContext context;
    private final Supplier<CacheControl> control;

    public CacheHandler(ApiContext context, Supplier<CacheControl> control) {
        this.context = context;
        this.control = control;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (!Methods.allow(exchange, "POST")) {
            return;
        }
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.CLUSTER, null);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        CacheControl cache = control.get();
        if (cache == null) {
            ApiErrors.send(exchange, 503, "unavailable", "This node does not cache objects yet.", "Retry once the node is up.");
            return;
        }
        JsonNode json = JsonBody.read(exchange, MAX_BODY, FIELDS, USAGE);
        if (json == null) {
            return;
        }
        for (String f : new String[]{"query", "bucket", "key"}) {
            if (json.has(f) && !json.get(f).isTextual()) {
                ApiErrors.send(exchange, 400, "invalid_parameter", "\"" + f + "\" must be a string.", USAGE);
                return;
            }
        }
        String query = json.has("query") ? json.get("query").asText() : null;
        String bucket = json.has("bucket") ? json.get("bucket").asText() : null;
        String key = json.has("key") ? json.get("key").asText() : null;
        if ((query == null) == (key == null) || (key != null && bucket == null) || (query != null && bucket != null)) {
            ApiErrors.send(exchange, 400, "missing_parameter", "Name exactly one object: \"query\", or \"bucket\" and \"key\".", USAGE);
            return;
        }
        int copies = DEFAULT_COPIES;
        JsonNode copiesNode = json.get("copies");
        if (copiesNode != null) {
            if (!copiesNode.isIntegralNumber() || !copiesNode.canConvertToInt() || copiesNode.asInt() < 1
                    || copiesNode.asInt() > MAX_COPIES) {
                ApiErrors.send(exchange, 400, "invalid_copies", "\"copies\" must be a whole number from 1 to " + MAX_COPIES + ".", USAGE);
                return;
            }
            copies = copiesNode.asInt();
        }
        if (query != null) {
            String problem = query.isEmpty() ? "The query is empty." : NativeNames.problemWithQuery(query);
            if (problem != null) {
                ApiErrors.send(exchange, 400, "invalid_query", problem, USAGE);
                return;
            }
            bucket = NativeNames.BUCKET;
            key = query;
        } else {
            String problem = bucket.isEmpty() || key.isEmpty() ? "The bucket or key is empty." : NativeNames.problemWith(key);
            if (problem != null) {
                ApiErrors.send(exchange, 400, "invalid_name", problem.replace("filename", "key"), USAGE);
                return;
            }
            if (context.s3() == null || context.s3().buckets().get(bucket).isEmpty()) {
                ApiErrors.send(exchange, 404, "no_such_bucket", "There is no bucket named '" + JsonBody.clip(bucket) + "'.",
                        "Name an existing S3 bucket, or a native file with \"query\".");
                return;
            }
        }
        Optional<CacheControl.CacheOutcome> outcome = cache.cache(bucket, key, copies);
        if (outcome.isEmpty()) {
            ApiErrors.send(exchange, 404, "not_found", "No object is stored under this name.",
                    "Name an existing object: the query /api/v1/store returned, or an S3 bucket and key.");
            return;
        }
        ObjectNode out = NativeJson.object();
        if (query != null) {
            out.put("query", query);
        } else {
            out.put("bucket", bucket);
            out.put("key", key);
        }
        out.put("copies", copies);
        out.put("chunks", outcome.get().chunks());
        out.put("placed", outcome.get().placed());
        outcome.get().holders().forEach(out.putArray("holders")::add);
        if (outcome.get().chunks() == 0) {
            out.put("note", "The object is small enough to live inside its record, which every read fetches anyway: nothing to cache.");
        }
        NativeJson.send(exchange, 200, out);
    }
}
