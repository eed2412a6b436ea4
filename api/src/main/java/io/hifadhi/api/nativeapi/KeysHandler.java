package io.hifadhi.api.nativeapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.ApiContext;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.JsonBody;
import io.hifadhi.api.http.PercentDecoder;
import io.hifadhi.api.s3.BucketNames;
import io.hifadhi.api.s3.Permission;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The S3 access key admin API (SHARD-KEY): {@code GET/POST /api/v1/keys},
 * {@code GET/PUT/DELETE /api/v1/keys/<access key>}. A new key's secret is in the create answer and
 * nowhere else, ever. Root keys (every node's bootstrap key) are listed but cannot be limited or
 * deleted here: their node registers them again at every start, so a delete could not stick.
 */
public final class KeysHandler implements HttpHandler {
    public static final String PREFIX = "/api/v1/keys";
    static final int MAX_BODY = 64 * 1024;
    static final int MAX_NAME = 128;
    static final int MAX_BUCKETS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CREATE_FIELDS = Set.of("name", "buckets");
    private static final String USAGE = "POST JSON like {\"name\": \"backup-job\", \"buckets\": {\"photos\": \"read\", "
            + "\"backups\": \"readwrite\"}}; a permission is \"read\", \"write\" or \"readwrite\".";
    private static final String UPDATE_USAGE = "PUT JSON like {\"buckets\": {\"photos\": \"read\"}} (replaces all of the"
            + " key's permissions; \"name\" optional).";

    private final ApiContext context;
    private final Supplier<KeyRegistry> registry;

    public KeysHandler(ApiContext context, Supplier<KeyRegistry> registry) {
        this.context = context;
        this.registry = registry;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        String path = exchange.getRequestPath();
        boolean collection = path.equals(PREFIX) || path.equals(PREFIX + "/");
        if (!(collection ? Methods.allow(exchange, "GET", "POST") : Methods.allow(exchange, "GET", "PUT", "DELETE"))) {
            return;
        }
        // Managing keys is an admin operation, like reading the cluster map: the SHARD-KEY alone opens it.
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.CLUSTER, null);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        KeyRegistry keys = registry.get();
        if (keys == null) {
            ApiErrors.send(exchange, 503, "unavailable", "This node does not manage access keys.", "Use another node.");
            return;
        }
        String method = exchange.getRequestMethod().toString();
        if (collection) {
            if (method.equals("GET")) {
                ObjectNode out = JSON.createObjectNode();
                ArrayNode list = out.putArray("keys");
                keys.list().forEach(k -> write(list.addObject(), k));
                send(exchange, 200, out);
            } else {
                create(exchange, keys);
            }
            return;
        }
        String id;
        try {
            id = PercentDecoder.decodePath(path.substring(PREFIX.length() + 1));
        } catch (IllegalArgumentException e) {
            ApiErrors.send(exchange, 400, "invalid_key_id", "The access key in the path is not valid percent-encoded UTF-8.",
                    "Use the access_key that GET /api/v1/keys lists.");
            return;
        }
        if (id.isEmpty() || id.length() > 128 || id.contains("/") || id.chars().anyMatch(Character::isISOControl)) {
            ApiErrors.send(exchange, 400, "invalid_key_id", "That is not an access key id.", "Use the access_key that GET /api/v1/keys lists.");
            return;
        }
        switch (method) {
            case "GET" -> {
                Optional<KeyRegistry.KeyInfo> k = keys.get(id);
                if (k.isEmpty()) {
                    notFound(exchange);
                    return;
                }
                ObjectNode out = JSON.createObjectNode();
                write(out, k.get());
                send(exchange, 200, out);
            }
            case "DELETE" -> answer(exchange, keys.delete(id), id, keys);
            default -> update(exchange, keys, id);
        }
    }

    private void create(HttpServerExchange exchange, KeyRegistry keys) throws IOException {
        JsonNode json = JsonBody.read(exchange, MAX_BODY, CREATE_FIELDS, USAGE);
        if (json == null) {
            return;
        }
        JsonNode nameNode = json.get("name");
        if (nameNode == null || !nameNode.isTextual()) {
            ApiErrors.send(exchange, 400, "missing_parameter", "\"name\" (a string that says what the key is for) is required.", USAGE);
            return;
        }
        String name = validName(exchange, nameNode.asText(), USAGE);
        Map<String, Permission> buckets = name == null ? null : buckets(exchange, json.get("buckets"), USAGE);
        if (buckets == null) {
            return;
        }
        KeyRegistry.CreatedKey created = keys.create(name, buckets);
        ObjectNode out = JSON.createObjectNode();
        out.put("access_key", created.info().accessKey());
        out.put("secret_key", created.secretKey());
        write(out, created.info());
        exchange.getResponseHeaders().put(Headers.LOCATION, PREFIX + "/" + created.info().accessKey());
        send(exchange, 201, out);
    }

    private void update(HttpServerExchange exchange, KeyRegistry keys, String id) throws IOException {
        JsonNode json = JsonBody.read(exchange, MAX_BODY, CREATE_FIELDS, UPDATE_USAGE);
        if (json == null) {
            return;
        }
        String name = null;
        JsonNode nameNode = json.get("name");
        if (nameNode != null && !nameNode.isNull()) {
            if (!nameNode.isTextual()) {
                ApiErrors.send(exchange, 400, "invalid_name", "\"name\" must be a string.", UPDATE_USAGE);
                return;
            }
            name = validName(exchange, nameNode.asText(), UPDATE_USAGE);
            if (name == null) {
                return;
            }
        }
        if (json.get("buckets") == null) {
            ApiErrors.send(exchange, 400, "missing_parameter", "\"buckets\" is required: it replaces all of the key's permissions.",
                    UPDATE_USAGE);
            return;
        }
        Map<String, Permission> buckets = buckets(exchange, json.get("buckets"), UPDATE_USAGE);
        if (buckets == null) {
            return;
        }
        answer(exchange, keys.update(id, name, buckets), id, keys);
    }

    private void answer(HttpServerExchange exchange, KeyRegistry.Outcome outcome, String id, KeyRegistry keys) throws IOException {
        switch (outcome) {
            case NOT_FOUND -> notFound(exchange);
            case ROOT_KEY -> ApiErrors.send(exchange, 409, "root_key", "That is a node's bootstrap (root) key; it cannot be"
                    + " changed or deleted here (its node registers it again at every start).",
                    "To retire it, restart that node with a new --access-key/--secret-key (or remove the pair from its"
                            + " credentials.properties); create limited keys for applications instead.");
            case DONE -> {
                if (exchange.getRequestMethod().toString().equals("DELETE")) {
                    exchange.setStatusCode(204);
                    exchange.endExchange();
                    return;
                }
                Optional<KeyRegistry.KeyInfo> k = keys.get(id);
                if (k.isEmpty()) {
                    notFound(exchange);
                    return;
                }
                ObjectNode out = JSON.createObjectNode();
                write(out, k.get());
                send(exchange, 200, out);
            }
        }
    }

    private static void notFound(HttpServerExchange exchange) {
        ApiErrors.send(exchange, 404, "not_found", "No access key with that id.", "GET /api/v1/keys lists the keys.");
    }

    private static String validName(HttpServerExchange exchange, String name, String usage) {
        String n = name.strip();
        if (n.isEmpty() || n.length() > MAX_NAME || n.chars().anyMatch(Character::isISOControl)) {
            ApiErrors.send(exchange, 400, "invalid_name", "\"name\" must be 1 to " + MAX_NAME + " characters without control characters.", usage);
            return null;
        }
        return n;
    }

    /** Bucket name to permission; null after answering an error. */
    private static Map<String, Permission> buckets(HttpServerExchange exchange, JsonNode node, String usage) {
        Map<String, Permission> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            ApiErrors.send(exchange, 400, "invalid_buckets", "\"buckets\" must be an object of bucket name to permission.", usage);
            return null;
        }
        if (node.size() > MAX_BUCKETS) {
            ApiErrors.send(exchange, 400, "invalid_buckets", "A key may name at most " + MAX_BUCKETS + " buckets.", usage);
            return null;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            // ".native" is the native files' space: a permission there lets the key use the native file endpoints.
            String problem = e.getKey().equals(NativeNames.BUCKET) ? null : BucketNames.problemWith(e.getKey());
            if (problem != null) {
                ApiErrors.send(exchange, 400, "invalid_bucket", "'" + JsonBody.clip(e.getKey()) + "' is not a bucket name: " + problem, usage);
                return null;
            }
            Optional<Permission> p = e.getValue().isTextual() ? Permission.parse(e.getValue().asText()) : Optional.empty();
            if (p.isEmpty()) {
                ApiErrors.send(exchange, 400, "invalid_permission", "The permission for bucket '" + e.getKey()
                        + "' must be \"read\", \"write\" or \"readwrite\".", usage);
                return null;
            }
            out.put(e.getKey(), p.get());
        }
        return out;
    }

    private static void write(ObjectNode n, KeyRegistry.KeyInfo k) {
        n.put("access_key", k.accessKey());
        n.put("name", k.name());
        n.put("root", k.root());
        n.put("created", k.created() == null ? null : k.created().toString());
        ObjectNode b = n.putObject("buckets");
        k.buckets().forEach((bucket, p) -> b.put(bucket, p.wireName()));
    }

    private static void send(HttpServerExchange exchange, int status, ObjectNode body) throws JsonProcessingException {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(JSON.writeValueAsString(body));
    }

}
