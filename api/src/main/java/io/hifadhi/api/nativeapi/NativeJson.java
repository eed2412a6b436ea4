package io.hifadhi.api.nativeapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.auth.GrantPrefix;
import io.hifadhi.api.auth.GrantStore;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.JsonBody;
import io.hifadhi.api.http.PercentDecoder;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** JSON answers and query-string parameters shared by the native admin endpoints. */
final class NativeJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private NativeJson() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static void send(HttpServerExchange exchange, int status, ObjectNode body) throws IOException {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(MAPPER.writeValueAsString(body), StandardCharsets.UTF_8);
    }

    /** Where an object lives: inline or not, its replicas, the nodes holding its record, and each chunk's holders. */
    static void putPlacement(ObjectNode out, ObjectLocator.ObjectLocation loc) {
        out.put("inline", loc.inline());
        loc.replicas().forEach(out.putArray("replicas")::add);
        loc.recordHolders().forEach(out.putArray("record_holders")::add);
        ArrayNode chunks = out.putArray("chunks");
        for (ObjectLocator.ChunkLocation c : loc.chunks()) {
            ObjectNode n = chunks.addObject();
            n.put("index", c.index());
            n.put("id", c.id());
            n.put("size", c.size());
            c.holders().forEach(n.putArray("holders")::add);
        }
    }

    /**
     * When a file expires ({@code expires_in} at store time): {@code expires} in Unix seconds and {@code expires_at},
     * or {@code expires: null} for a file that never does.
     */
    static void putFileExpiry(ObjectNode n, Instant expiresAt) {
        if (expiresAt == null) {
            n.putNull("expires");
        } else {
            n.put("expires", expiresAt.getEpochSecond());
            n.put("expires_at", expiresAt.toString());
        }
    }

    /** The network and expiry of a grant; {@code now} adds whether it has expired. */
    static void putGrant(ObjectNode n, Grant g, Instant now) {
        n.put("ip", g.network().toString());
        if (g.expiresAtMillis() == 0) {
            n.putNull("expires");
        } else {
            n.put("expires", g.expiresAtMillis() / 1000);
            n.put("expires_at", Instant.ofEpochMilli(g.expiresAtMillis()).toString());
        }
        if (now != null) {
            n.put("expired", g.expiredAt(now));
        }
    }

    /**
     * The object's own grants, then the prefix grants that cover its key, into {@code items}; each with the bucket-policy
     * statement it is evaluated as.
     */
    static void putGrants(ArrayNode items, List<Grant> own, GrantStore store, String bucket, String key, Instant now)
            throws IOException {
        for (Grant g : own) {
            ObjectNode n = items.addObject();
            n.put("scope", "object");
            putGrant(n, g, now);
            n.set("statement", io.hifadhi.api.s3.GrantPolicy.objectStatement(bucket, key, g));
        }
        for (GrantPrefix p : store.prefixGrants(bucket)) {
            if (p.covers(bucket, key)) {
                ObjectNode n = items.addObject();
                n.put("scope", "prefix");
                n.put("prefix", p.prefix());
                putGrant(n, p.grant(), now);
                n.set("statement", io.hifadhi.api.s3.GrantPolicy.prefixStatement(p));
            }
        }
    }

    /**
     * The request's query-string parameters, decoded strictly, or null after answering 400 (a
     * repeated or unknown parameter, or bad percent-encoding).
     */
    static Map<String, String> parameters(HttpServerExchange exchange, Set<String> known, String usage) {
        return parameters(exchange, known, usage, "unknown_parameter");
    }

    /** As {@link #parameters(HttpServerExchange, Set, String)}, naming an unknown parameter with {@code unknownError}. */
    static Map<String, String> parameters(HttpServerExchange exchange, Set<String> known, String usage, String unknownError) {
        Map<String, String> out = new LinkedHashMap<>();
        String qs = exchange.getQueryString();
        if (qs == null || qs.isEmpty()) {
            return out;
        }
        for (String pair : qs.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = PercentDecoder.decodePath((eq < 0 ? pair : pair.substring(0, eq)).replace("+", "%20"));
                value = eq < 0 ? "" : PercentDecoder.decodePath(pair.substring(eq + 1).replace("+", "%20"));
            } catch (IllegalArgumentException e) {
                ApiErrors.send(exchange, 400, "invalid_parameter", "A query parameter is not valid percent-encoded UTF-8.", usage);
                return null;
            }
            if (!known.contains(name)) {
                ApiErrors.send(exchange, 400, unknownError, "Unknown query parameter '" + JsonBody.clip(name) + "'.", usage);
                return null;
            }
            if (out.putIfAbsent(name, value) != null) {
                ApiErrors.send(exchange, 400, "invalid_parameter", "The parameter '" + JsonBody.clip(name) + "' is repeated.", usage);
                return null;
            }
        }
        return out;
    }
}
