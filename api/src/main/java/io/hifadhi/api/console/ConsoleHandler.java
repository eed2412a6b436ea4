package io.hifadhi.api.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.hifadhi.api.ApiContext;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.auth.Presigning;
import io.hifadhi.api.auth.ShardKeyPolicy;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.Json;
import io.hifadhi.api.http.JsonBody;
import io.hifadhi.api.s3.Permission;
import io.hifadhi.api.s3.Permissions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The web console under /ui/: its static page, sign-in with an access key pair and/or the SHARD-KEY,
 * and the routes its script calls. The script never holds a credential: the session cookie stands for
 * the key, and every bucket action is handed to the S3 endpoint signed with that key ({@link SignedForward}),
 * every admin action (cluster, keys, native files, IP grants) to the native endpoint with the SHARD-KEY, so their
 * own checks decide. Must run on
 * a worker thread in blocking mode.
 */
public final class ConsoleHandler implements HttpHandler {
    public static final String PREFIX = "/ui/";
    static final String COOKIE = "hifadhi_console";
    /** Requests that change something must carry this header: a cross-site form cannot set it (CSRF). */
    static final HttpString CSRF_HEADER = new HttpString("X-Hifadhi-Console");
    static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            + "media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    /** Objects are served from the console's origin: sandboxed, so a stored HTML file cannot act as the console. */
    static final String OBJECT_POLICY = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'";
    private static final Set<String> SIGN_IN_FIELDS = Set.of("access_key", "secret_key", "shard_key");
    private static final Set<String> SHARE_FIELDS = Set.of("bucket", "key", "expires_in", "ip");
    private static final String SIGN_IN_USAGE = "POST {\"access_key\":...,\"secret_key\":...} and/or {\"shard_key\":...}.";
    private static final String SHARE_USAGE = "POST {\"bucket\":...,\"key\":...,\"expires_in\":seconds (1..604800),"
            + "\"ip\":\"optional address or CIDR\"}.";
    private static final long DEFAULT_SHARE_SECONDS = 86_400;

    private final ApiContext context;
    private final ConsoleSessions sessions;
    private final ConsoleAssets assets = new ConsoleAssets();
    /**
     * The native endpoints an admin session reaches under /ui/admin/ (the path after /api/v1/): the cluster, keys,
     * native files and directories, copy and move, IP grants, and a native file's bytes. Nothing else of the native API.
     */
    private static final Set<String> ADMIN_EXACT = Set.of("cluster", "keys", "copy", "move", "grant");
    private static final Set<String> ADMIN_UNDER = Set.of("keys/", "files/", "dirs/", "grants/", "retrieve/", "stream/", "store/");
    private final SignedForward s3;
    private final HttpHandler nativeApi;
    private final ShareLinks shares;

    /**
     * @param s3        the S3 endpoint (may be null: a node without S3 has only the admin pages)
     * @param nativeApi the native API's router (/api/v1/...): admin calls are handed to it with the session's SHARD-KEY
     */
    public ConsoleHandler(ApiContext context, ConsoleSessions sessions, HttpHandler s3, HttpHandler nativeApi) {
        this.context = context;
        this.sessions = sessions;
        this.s3 = s3 == null || context.s3() == null ? null
                : new SignedForward(s3, context.s3().settings().region(), context.clock());
        this.nativeApi = nativeApi;
        Presigning p = context.presigning();
        this.shares = p == null ? null : new ShareLinks(p.key(), p.clients(), context.clock());
    }

    /** A browser opening the node's address: GET / asking for HTML, carrying no S3 credential. */
    public static boolean isBrowserVisit(HttpServerExchange exchange) {
        String accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT);
        String query = exchange.getQueryString() == null ? "" : exchange.getQueryString();
        return exchange.getRequestMethod().toString().equals("GET") && exchange.getRequestPath().equals("/")
                && accept != null && accept.contains("text/html")
                && !exchange.getRequestHeaders().contains(Headers.AUTHORIZATION)
                && !query.contains("X-Amz-") && !query.contains("Signature=");
    }

    /** Sends a browser that opened the node's address to the console. */
    public static void redirectToConsole(HttpServerExchange exchange) {
        exchange.setStatusCode(303);
        exchange.getResponseHeaders().put(Headers.LOCATION, PREFIX);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        exchange.endExchange();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        String method = exchange.getRequestMethod().toString();
        var out = exchange.getResponseHeaders();
        out.put(new HttpString("X-Content-Type-Options"), "nosniff");
        out.put(new HttpString("Referrer-Policy"), "no-referrer");
        out.put(new HttpString("X-Frame-Options"), "DENY");
        if (!path.startsWith(PREFIX)) {
            exchange.setStatusCode(308);
            out.put(Headers.LOCATION, PREFIX);
            exchange.endExchange();
            return;
        }
        String rest = path.substring(PREFIX.length());
        if (rest.startsWith("share/")) {
            out.put(new HttpString("Content-Security-Policy"), OBJECT_POLICY);
            share(exchange, rest.substring("share/".length()), method);
            return;
        }
        boolean safe = method.equals("GET") || method.equals("HEAD");
        if (rest.startsWith("api/") || rest.equals("s3") || rest.startsWith("s3/") || rest.startsWith("admin/")) {
            if (!safe && !crossSiteSafe(exchange)) {
                return;
            }
        }
        if (rest.equals("api/session")) {
            out.put(new HttpString("Content-Security-Policy"), PAGE_POLICY);
            session(exchange, method);
            return;
        }
        if (rest.equals("api/share")) {
            share(exchange, method);
            return;
        }
        if (rest.equals("s3") || rest.startsWith("s3/")) {
            out.put(new HttpString("Content-Security-Policy"), OBJECT_POLICY);
            bucketAction(exchange, rest.substring(2));
            return;
        }
        if (rest.startsWith("admin/") && isAdminRoute(rest.substring("admin/".length()))) {
            if (rest.startsWith("admin/retrieve/") || rest.startsWith("admin/stream/")) {
                // A native file's bytes, served from the console's origin: sandboxed like S3 objects.
                out.put(new HttpString("Content-Security-Policy"), OBJECT_POLICY);
            }
            admin(exchange, rest);
            return;
        }
        out.put(new HttpString("Content-Security-Policy"), PAGE_POLICY);
        if (!safe) {
            out.put(Headers.ALLOW, "GET, HEAD");
            ApiErrors.send(exchange, 405, "method_not_allowed", "The console's pages are read with GET.", null);
            return;
        }
        if (!assets.send(exchange, rest)) {
            ApiErrors.send(exchange, 404, "not_found", "The console has no page at " + JsonBody.clip(path) + ".",
                    "Open " + PREFIX + " and sign in.");
        }
    }

    /** SameSite=Strict keeps the cookie off cross-site requests; the custom header and Origin check back it up. */
    private static boolean crossSiteSafe(HttpServerExchange exchange) {
        if (!"1".equals(exchange.getRequestHeaders().getFirst(CSRF_HEADER))) {
            ApiErrors.send(exchange, 403, "csrf", "Requests that change something need the header 'X-Hifadhi-Console: 1'.",
                    "The console's own page sends it; a form on another site cannot.");
            return false;
        }
        String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
        String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
        if (origin != null && host != null) {
            String originHost;
            try {
                URI u = URI.create(origin);
                originHost = u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
            } catch (IllegalArgumentException e) {
                originHost = null;
            }
            if (originHost == null || !originHost.equalsIgnoreCase(host)) {
                ApiErrors.send(exchange, 403, "csrf", "The request came from another site's page.", null);
                return false;
            }
        }
        return true;
    }

    private void session(HttpServerExchange exchange, String method) throws Exception {
        switch (method) {
            case "GET", "HEAD" -> {
                Optional<ConsoleSessions.Session> s = current(exchange);
                if (s.isEmpty()) {
                    signInNeeded(exchange);
                } else {
                    sendJson(exchange, 200, describe(s.get()));
                }
            }
            case "POST" -> signIn(exchange);
            case "DELETE" -> {
                Cookie c = exchange.getRequestCookie(COOKIE);
                sessions.close(c == null ? null : c.getValue());
                exchange.getResponseHeaders().add(Headers.SET_COOKIE, cookie(exchange, "", 0));
                exchange.setStatusCode(204);
                exchange.endExchange();
            }
            default -> {
                exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD, POST, DELETE");
                ApiErrors.send(exchange, 405, "method_not_allowed", "Sign in with POST, out with DELETE.", SIGN_IN_USAGE);
            }
        }
    }

    private void signIn(HttpServerExchange exchange) throws Exception {
        JsonNode body = JsonBody.read(exchange, 4096, SIGN_IN_FIELDS, SIGN_IN_USAGE);
        if (body == null) {
            return;
        }
        String accessKey = text(body, "access_key");
        String secretKey = text(body, "secret_key");
        String shardKey = text(body, "shard_key");
        if (accessKey == null && shardKey == null) {
            ApiErrors.send(exchange, 400, "missing_credentials", "Give an access key and its secret key, or the SHARD-KEY.",
                    SIGN_IN_USAGE);
            return;
        }
        if (accessKey != null) {
            Optional<String> known = context.s3() == null ? Optional.empty() : context.s3().secrets().secretKey(accessKey);
            // One answer for an unknown key and a wrong secret: the console does not tell which keys exist.
            if (secretKey == null || known.isEmpty() || !MessageDigest.isEqual(known.get().getBytes(StandardCharsets.UTF_8),
                    secretKey.getBytes(StandardCharsets.UTF_8))) {
                ApiErrors.send(exchange, 401, "wrong_key", "The access key or its secret key is wrong.",
                        "Use a key pair from `java -jar hifadhi.jar key create` or the node's first-start pair; the secret is shown only at creation.");
                return;
            }
        }
        if (shardKey != null) {
            exchange.getRequestHeaders().put(ShardKeyPolicy.HEADER, shardKey);
            AccessDecision d = context.nativeAccess().check(exchange, NativeOperation.CLUSTER, null);
            exchange.getRequestHeaders().remove(ShardKeyPolicy.HEADER);
            if (!d.allowed()) {
                ApiErrors.send(exchange, 401, "wrong_key", "The SHARD-KEY does not match this cluster's.",
                        "The node's key is in credentials.properties in its data directory.");
                return;
            }
        }
        ConsoleSessions.Session s = sessions.open(accessKey, shardKey);
        exchange.getResponseHeaders().add(Headers.SET_COOKIE, cookie(exchange, s.token(), sessions.lifetime().getSeconds()));
        sendJson(exchange, 200, describe(s));
    }

    private String describe(ConsoleSessions.Session s) {
        StringBuilder b = new StringBuilder("{\"instance\":");
        Json.string(b, context.instanceName());
        b.append(",\"admin\":").append(s.admin());
        b.append(",\"s3\":").append(context.s3() != null);
        b.append(",\"expires_at\":");
        Json.string(b, s.expires().toString());
        if (s.accessKey() != null) {
            Permissions p = context.s3().permissions().of(s.accessKey());
            b.append(",\"access_key\":");
            Json.string(b, s.accessKey());
            b.append(",\"root\":").append(p.root()).append(",\"buckets\":{");
            boolean first = true;
            for (Map.Entry<String, Permission> e : p.buckets().entrySet()) {
                b.append(first ? "" : ",");
                first = false;
                Json.string(b, e.getKey());
                b.append(':');
                Json.string(b, e.getValue().wireName());
            }
            b.append('}');
        }
        return b.append('}').toString();
    }

    private void bucketAction(HttpServerExchange exchange, String rawS3Path) throws Exception {
        Optional<ConsoleSessions.Session> s = current(exchange);
        if (s.isEmpty()) {
            signInNeeded(exchange);
            return;
        }
        if (s3 == null || s.get().accessKey() == null) {
            ApiErrors.send(exchange, 403, "no_access_key", "This session has no access key, so no buckets.",
                    "Sign in with an access key pair to see buckets.");
            return;
        }
        Optional<String> secret = context.s3().secrets().secretKey(s.get().accessKey());
        if (secret.isEmpty()) {
            sessions.close(s.get().token());
            ApiErrors.send(exchange, 401, "key_deleted", "The access key this session was opened with no longer exists.",
                    "Sign in again with another key.");
            return;
        }
        String query = exchange.getQueryString() == null ? "" : exchange.getQueryString();
        s3.forward(exchange, s.get().accessKey(), secret.get(), rawS3Path.isEmpty() ? "/" : rawS3Path, query);
    }

    private static boolean isAdminRoute(String endpoint) {
        return ADMIN_EXACT.contains(endpoint) || ADMIN_UNDER.stream().anyMatch(endpoint::startsWith);
    }

    private void admin(HttpServerExchange exchange, String rest) throws Exception {
        Optional<ConsoleSessions.Session> s = current(exchange);
        if (s.isEmpty()) {
            signInNeeded(exchange);
            return;
        }
        if (!s.get().admin()) {
            ApiErrors.send(exchange, 403, "admin_only", "The cluster, key and native file pages need a session opened with the SHARD-KEY.",
                    "Sign out and sign in again giving the SHARD-KEY too.");
            return;
        }
        String target = "/api/v1/" + rest.substring("admin/".length());
        SignedForward.stripCredentials(exchange.getRequestHeaders());
        exchange.getRequestHeaders().put(ShardKeyPolicy.HEADER, s.get().shardKey());
        exchange.setRequestPath(target);
        exchange.setRelativePath(target);
        exchange.setRequestURI(target);
        nativeApi.handleRequest(exchange);
    }

    private void share(HttpServerExchange exchange, String method) throws Exception {
        if (!method.equals("POST")) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
            ApiErrors.send(exchange, 405, "method_not_allowed", "Share links are made with POST.", SHARE_USAGE);
            return;
        }
        Optional<ConsoleSessions.Session> s = current(exchange);
        if (s.isEmpty()) {
            signInNeeded(exchange);
            return;
        }
        if (shares == null || context.s3() == null) {
            ApiErrors.send(exchange, 503, "unavailable", "This node does not sign links.", null);
            return;
        }
        JsonNode body = JsonBody.read(exchange, 4096, SHARE_FIELDS, SHARE_USAGE);
        if (body == null) {
            return;
        }
        String bucket = text(body, "bucket");
        String key = text(body, "key");
        if (bucket == null || key == null) {
            ApiErrors.send(exchange, 400, "missing_field", "Name the bucket and the key of the object to share.", SHARE_USAGE);
            return;
        }
        String accessKey = s.get().accessKey();
        if (accessKey == null || !context.s3().permissions().of(accessKey).canRead(bucket)) {
            ApiErrors.send(exchange, 403, "access_denied", "This session's key may not read bucket '" + JsonBody.clip(bucket)
                    + "', so it cannot share from it.", "Ask for read permission on the bucket.");
            return;
        }
        long seconds = body.has("expires_in") ? body.get("expires_in").asLong(-1) : DEFAULT_SHARE_SECONDS;
        if (seconds < 1 || seconds > ShareLinks.MAX_LIFETIME.getSeconds()) {
            ApiErrors.send(exchange, 400, "bad_expiry", "expires_in must be 1 to 604800 seconds (7 days).", SHARE_USAGE);
            return;
        }
        Cidr ip = null;
        String ipText = text(body, "ip");
        if (ipText != null && !ipText.isBlank()) {
            try {
                ip = Cidr.parse(ipText.trim());
            } catch (IllegalArgumentException e) {
                ApiErrors.send(exchange, 400, "bad_ip", "'" + JsonBody.clip(ipText) + "' is not an IP address or CIDR: "
                        + e.getMessage(), "Examples: 203.0.113.7, 198.51.100.0/24, 2001:db8::/32.");
                return;
            }
        }
        String pathAndQuery = shares.mint(accessKey, bucket, key, Duration.ofSeconds(seconds), ip);
        Presigning p = context.presigning();
        String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
        String url = p.clients().scheme(exchange) + "://" + (host == null ? p.advertisedHttpAddress().get() : host) + pathAndQuery;
        StringBuilder b = new StringBuilder("{\"url\":");
        Json.string(b, url);
        b.append(",\"expires_at\":");
        Json.string(b, Instant.ofEpochSecond(context.clock().instant().getEpochSecond() + seconds).toString());
        b.append(",\"ip\":");
        if (ip == null) {
            b.append("null");
        } else {
            Json.string(b, ip.toString());
        }
        sendJson(exchange, 200, b.append('}').toString());
    }

    /** Someone opening a share link: verified, then served as the key that shared it. */
    private void share(HttpServerExchange exchange, String rawRest, String method) throws Exception {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            ApiErrors.send(exchange, 405, "method_not_allowed", "Share links are read with GET.", null);
            return;
        }
        if (shares == null || s3 == null) {
            ApiErrors.send(exchange, 503, "unavailable", "This node does not serve share links.", null);
            return;
        }
        ShareLinks.Shared shared;
        try {
            shared = shares.verify(rawRest, exchange.getQueryString(), exchange);
        } catch (ShareLinks.Refused e) {
            ApiErrors.send(exchange, 403, e.code, e.getMessage(), "Ask whoever shared the file for a new link.");
            return;
        }
        Optional<String> secret = context.s3().secrets().secretKey(shared.accessKey());
        if (secret.isEmpty()) {
            ApiErrors.send(exchange, 403, "share_key_deleted", "The key that shared this file no longer exists.",
                    "Ask whoever shared the file for a new link.");
            return;
        }
        String s3Path = "/" + io.hifadhi.api.auth.PresignedLink.encode(shared.bucket()) + "/"
                + io.hifadhi.api.auth.PresignedLink.encode(shared.key()).replace("%2F", "/");
        s3.forward(exchange, shared.accessKey(), secret.get(), s3Path, "");
    }

    private Optional<ConsoleSessions.Session> current(HttpServerExchange exchange) {
        Cookie c = exchange.getRequestCookie(COOKIE);
        return sessions.find(c == null ? null : c.getValue());
    }

    private static void signInNeeded(HttpServerExchange exchange) {
        ApiErrors.send(exchange, 401, "sign_in", "Sign in first: this browser has no console session, or it expired.",
                "Open " + PREFIX + " and sign in with an access key pair or the SHARD-KEY.");
    }

    private String cookie(HttpServerExchange exchange, String value, long maxAge) {
        Presigning p = context.presigning();
        boolean https = p == null ? "https".equals(exchange.getRequestScheme()) : p.clients().scheme(exchange).equals("https");
        return COOKIE + "=" + value + "; Path=" + PREFIX + "; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict"
                + (https ? "; Secure" : "");
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static void sendJson(HttpServerExchange exchange, int status, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.length);
        if (exchange.getRequestMethod().toString().equals("HEAD")) {
            exchange.endExchange();
        } else {
            exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
        }
    }
}
