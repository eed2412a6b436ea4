package io.hifadhi.api.nativeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.ApiContext;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.auth.PresignedLink;
import io.hifadhi.api.auth.PresignedLinkPolicy;
import io.hifadhi.api.auth.Presigning;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.JsonBody;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * POST /api/v1/presign (SHARD-KEY): mints a link that opens one object for one method until it
 * expires, optionally only from one network. Body:
 * {@code {"query": "<instance>@<filename>", "expires_in": seconds, "method": "GET"|"PUT", "ip": "CIDR"}}
 * ({@code "filename"} instead of {@code "query"} means this node's instance). A GET link opens
 * /api/v1/retrieve/ (download); its twin {@code stream_url} opens /api/v1/stream/ (inline, for
 * players) - each path is signed separately, so one never serves the other. A PUT link opens
 * PUT /api/v1/store/&lt;query&gt; with the raw file as body.
 */
public final class PresignHandler implements HttpHandler {
    static final int MAX_BODY = 16 * 1024;
    static final long DEFAULT_EXPIRES_IN = 3600;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("query", "filename", "expires_in", "method", "ip");
    private static final Pattern HOST = Pattern.compile("(\\[[0-9A-Fa-f:.]{2,45}]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))(:[0-9]{1,5})?");
    private static final String USAGE = "POST JSON like {\"query\": \"node-a@movie.mp4\", \"expires_in\": 3600, \"method\": \"GET\", "
            + "\"ip\": \"203.0.113.0/24\"}; method and ip are optional, expires_in is 1.."
            + PresignedLinkPolicy.MAX_LIFETIME.toSeconds() + " seconds (default " + DEFAULT_EXPIRES_IN + ").";

    private final ApiContext context;

    public PresignHandler(ApiContext context) {
        this.context = context;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (!Methods.allow(exchange, "POST")) {
            return;
        }
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.PRESIGN, null);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        Presigning presigning = context.presigning();
        if (presigning == null) {
            ApiErrors.send(exchange, 503, "unavailable", "This node does not sign links.", "Use another node.");
            return;
        }
        JsonNode json = JsonBody.read(exchange, MAX_BODY, FIELDS, USAGE);
        if (json == null) {
            return;
        }
        String method = text(json, "method", "GET");
        if (method == null || !(method.equalsIgnoreCase("GET") || method.equalsIgnoreCase("PUT"))) {
            ApiErrors.send(exchange, 400, "invalid_method", "\"method\" must be \"GET\" or \"PUT\".", USAGE);
            return;
        }
        method = method.toUpperCase(Locale.ROOT);
        String query = text(json, "query", null);
        String fileName = text(json, "filename", null);
        if ((query == null) == (fileName == null)) {
            ApiErrors.send(exchange, 400, "missing_parameter", "Give exactly one of \"query\" (a string "
                    + "'<instance>@<filename>') or \"filename\" (this node's instance is then used).", USAGE);
            return;
        }
        if (query == null) {
            query = context.instanceName() + "@" + fileName;
        }
        String problem = NativeNames.problemWithQuery(query);
        if (problem != null) {
            ApiErrors.send(exchange, 400, "invalid_query", problem, USAGE);
            return;
        }
        JsonNode expiresNode = json.get("expires_in");
        long expiresIn = DEFAULT_EXPIRES_IN;
        if (expiresNode != null) {
            if (!expiresNode.canConvertToLong() || !expiresNode.isIntegralNumber()) {
                ApiErrors.send(exchange, 400, "invalid_expiry", "\"expires_in\" must be a whole number of seconds.", USAGE);
                return;
            }
            expiresIn = expiresNode.asLong();
        }
        if (expiresIn < 1 || expiresIn > PresignedLinkPolicy.MAX_LIFETIME.toSeconds()) {
            ApiErrors.send(exchange, 400, "invalid_expiry", "\"expires_in\" must be between 1 and "
                    + PresignedLinkPolicy.MAX_LIFETIME.toSeconds() + " seconds (7 days).", USAGE);
            return;
        }
        Cidr ip = null;
        if (json.hasNonNull("ip")) {
            String ipText = text(json, "ip", null);
            try {
                ip = Cidr.parse(ipText);
            } catch (IllegalArgumentException e) {
                ApiErrors.send(exchange, 400, "invalid_ip", "\"ip\" is not an address or CIDR network: " + e.getMessage() + ".", USAGE);
                return;
            }
        }
        long expires = context.clock().instant().getEpochSecond() + expiresIn;
        String base = presigning.clients().scheme(exchange) + "://" + host(exchange, presigning);
        ObjectNode out = JSON.createObjectNode();
        if (method.equals("GET")) {
            out.put("url", url(presigning, base, new PresignedLink("GET", PresignedLink.pathFor(NativeOperation.RETRIEVE, query), expires, ip)));
            out.put("stream_url", url(presigning, base, new PresignedLink("GET", PresignedLink.pathFor(NativeOperation.STREAM, query), expires, ip)));
        } else {
            out.put("url", url(presigning, base, new PresignedLink("PUT", PresignedLink.pathFor(NativeOperation.STORE, query), expires, ip)));
        }
        out.put("method", method);
        out.put("query", query);
        out.put("expires", expires);
        out.put("expires_at", Instant.ofEpochSecond(expires).toString());
        if (ip != null) {
            out.put("ip", ip.toString());
        }
        if (method.equals("GET")) {
            // A file stored with expires_in reads as absent from then on, whatever the link says.
            var file = context.store().get(NativeNames.BUCKET, query);
            if (file.isPresent() && file.get().info().expiresAt() != null) {
                out.put("file_expires_at", file.get().info().expiresAt().toString());
            }
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(JSON.writeValueAsString(out));
    }

    private static String url(Presigning presigning, String base, PresignedLink link) {
        return base + link.path() + "?" + link.queryString(presigning.key().sign(link));
    }

    /** The Host the request came to when it is a plain host[:port], else the node's advertised address. */
    private static String host(HttpServerExchange exchange, Presigning presigning) {
        String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
        if (host != null && HOST.matcher(host).matches()) {
            return host;
        }
        return presigning.advertisedHttpAddress().get();
    }

    private static String text(JsonNode json, String field, String fallback) {
        JsonNode n = json.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        return n.isTextual() ? n.asText() : null;
    }

}
