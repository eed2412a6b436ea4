package io.hifadhi.api.auth;

import io.hifadhi.api.http.PercentDecoder;
import io.undertow.server.HttpServerExchange;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Allows a request that carries a valid presigned link (query parameters X-Hifadhi-Expires,
 * X-Hifadhi-Method, optional X-Hifadhi-IP, X-Hifadhi-Signature) for exactly its method and object.
 * Checks, in order: the parameters are well-formed, the link can presign this endpoint, the
 * signature matches (constant time), the method matches, the link has not expired, and the client
 * address is inside the link's network. A refusal is a 403 naming the check that failed; it never
 * contains the expected signature.
 */
public final class PresignedLinkPolicy implements AccessPolicy {
    public static final Duration MAX_LIFETIME = Duration.ofDays(7);
    /** Tolerated difference between the clocks of the node that signed and the node that checks. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final String RENEW = "Ask the link's issuer for a new one (POST /api/v1/presign with the SHARD-KEY).";

    private final PresignKey key;
    private final ClientAddress clients;
    private final Clock clock;

    public PresignedLinkPolicy(PresignKey key, ClientAddress clients, Clock clock) {
        this.key = Objects.requireNonNull(key);
        this.clients = Objects.requireNonNull(clients);
        this.clock = Objects.requireNonNull(clock);
    }

    @Override
    public AccessDecision check(HttpServerExchange exchange, NativeOperation operation, String query) {
        Map<String, String> params = new HashMap<>();
        String problem = linkParameters(exchange.getQueryString(), params);
        if (problem == null && params.isEmpty()) {
            return AccessDecision.absent("This request carries no presigned link.",
                    "Add the X-Hifadhi-* parameters of a link from POST /api/v1/presign.");
        }
        if (problem != null) {
            return malformed(problem);
        }
        for (String required : new String[]{PresignedLink.EXPIRES, PresignedLink.METHOD, PresignedLink.SIGNATURE}) {
            if (!params.containsKey(required)) {
                return malformed("The link lacks the " + required + " parameter.");
            }
        }
        boolean presignable = operation == NativeOperation.RETRIEVE || operation == NativeOperation.STREAM
                || (operation == NativeOperation.STORE && query != null);
        if (!presignable) {
            return AccessDecision.forbid("presign_not_applicable", "Presigned links only open /api/v1/retrieve/, "
                    + "/api/v1/stream/ and PUT /api/v1/store/<query>; this endpoint needs the SHARD-KEY header.", null);
        }
        String expiresText = params.get(PresignedLink.EXPIRES);
        if (!expiresText.matches("[0-9]{1,12}")) {
            return malformed(PresignedLink.EXPIRES + " must be a Unix time in seconds.");
        }
        String method = params.get(PresignedLink.METHOD);
        if (!method.equals("GET") && !method.equals("PUT")) {
            return malformed(PresignedLink.METHOD + " must be GET or PUT.");
        }
        Cidr ip = null;
        if (params.containsKey(PresignedLink.IP)) {
            try {
                ip = Cidr.parse(params.get(PresignedLink.IP));
            } catch (IllegalArgumentException e) {
                return malformed(PresignedLink.IP + " is not an address or CIDR network: " + e.getMessage() + ".");
            }
        }
        String signature = params.get(PresignedLink.SIGNATURE);
        if (!signature.matches("[0-9a-f]{64}")) {
            return malformed(PresignedLink.SIGNATURE + " must be 64 lowercase hex characters.");
        }
        long expires = Long.parseLong(expiresText);
        PresignedLink link = new PresignedLink(method, PresignedLink.pathFor(operation, query), expires, ip);
        if (!key.verify(link, signature)) {
            return AccessDecision.forbid("presign_signature_mismatch", "The link's signature does not match its path "
                    + "and parameters: the link was changed after signing, or signed by another cluster.", RENEW);
        }
        String requestMethod = exchange.getRequestMethod().toString();
        boolean methodOk = method.equals("GET") ? requestMethod.equals("GET") || requestMethod.equals("HEAD")
                : requestMethod.equals(method);
        if (!methodOk) {
            return AccessDecision.forbid("presign_method_mismatch", "This link is for " + method
                    + (method.equals("GET") ? " (and HEAD)" : "") + " requests, not " + requestMethod + ".",
                    "Use the link with " + method + ", or ask for a link for " + requestMethod + ".");
        }
        Instant now = clock.instant();
        Instant expiry = Instant.ofEpochSecond(expires);
        if (!now.isBefore(expiry)) {
            return AccessDecision.forbid("presign_expired", "The link expired at " + expiry + " (it is now "
                    + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ").", RENEW);
        }
        if (expiry.isAfter(now.plus(MAX_LIFETIME).plus(CLOCK_SKEW))) {
            return AccessDecision.forbid("presign_lifetime_exceeded", "The link expires at " + expiry
                    + ", more than " + MAX_LIFETIME.toDays() + " days from now; no link may live that long.", RENEW);
        }
        if (ip != null) {
            InetAddress client = clients.of(exchange);
            if (!ip.contains(client)) {
                return AccessDecision.forbid("presign_ip_refused", "This link only works from " + ip
                        + "; this request comes from " + (client == null ? "an unknown address" : client.getHostAddress()) + ".",
                        "Use the link from an address in " + ip + ", or ask for a link without an IP restriction.");
            }
        }
        return AccessDecision.allow();
    }

    private static AccessDecision malformed(String message) {
        return AccessDecision.forbid("presign_malformed", message, "Use the URL exactly as POST /api/v1/presign returned it.");
    }

    /**
     * Collects the X-Hifadhi-* parameters (names case-insensitive, values strictly percent-decoded)
     * into {@code out} under their canonical names; other parameters are left alone. Returns what is
     * wrong, or null.
     */
    static String linkParameters(String queryString, Map<String, String> out) {
        if (queryString == null || queryString.isEmpty()) {
            return null;
        }
        for (String pair : queryString.split("&")) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String name;
            String value;
            try {
                name = PercentDecoder.decodePath(rawName);
                value = eq < 0 ? "" : PercentDecoder.decodePath(pair.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                if (rawName.toLowerCase(Locale.ROOT).startsWith("x-hifadhi-")) {
                    return "The link's " + rawName + " parameter is not valid percent-encoded UTF-8.";
                }
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("x-hifadhi-")) {
                continue;
            }
            String canonical = switch (lower) {
                case "x-hifadhi-expires" -> PresignedLink.EXPIRES;
                case "x-hifadhi-method" -> PresignedLink.METHOD;
                case "x-hifadhi-ip" -> PresignedLink.IP;
                case "x-hifadhi-signature" -> PresignedLink.SIGNATURE;
                default -> null;
            };
            if (canonical == null) {
                return "The link has an unknown parameter " + (name.length() > 40 ? name.substring(0, 40) + "..." : name) + ".";
            }
            if (out.put(canonical, value) != null) {
                return "The link repeats the " + canonical + " parameter.";
            }
        }
        return null;
    }
}
