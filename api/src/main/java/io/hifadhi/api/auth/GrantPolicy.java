package io.hifadhi.api.auth;

import io.undertow.server.HttpServerExchange;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Allows reading an object (native retrieve/stream, S3 GET/HEAD) from an address one of its grants
 * covers: the object's own grants or a prefix grant of its bucket. The client address is what
 * {@link ClientAddress} decides (proxy headers only from trusted proxies). An object nobody granted
 * yields "nothing presented" (the caller's other credentials decide, 401 for native); an object that
 * has live grants, read from another address, is refused with 403 {@code grant_ip_refused}.
 */
public final class GrantPolicy implements AccessPolicy {
    /** The record-table namespace of native files (NativeNames.BUCKET; repeated to keep auth free of nativeapi). */
    static final String NATIVE_BUCKET = ".native";

    private final GrantStore grants;
    private final ClientAddress clients;
    private final Clock clock;

    public GrantPolicy(GrantStore grants, ClientAddress clients, Clock clock) {
        this.grants = Objects.requireNonNull(grants);
        this.clients = Objects.requireNonNull(clients);
        this.clock = Objects.requireNonNull(clock);
    }

    public GrantStore store() {
        return grants;
    }

    @Override
    public AccessDecision check(HttpServerExchange exchange, NativeOperation operation, String query) {
        if ((operation != NativeOperation.RETRIEVE && operation != NativeOperation.STREAM) || query == null || query.isEmpty()) {
            return none();
        }
        String method = exchange.getRequestMethod().toString();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return none();
        }
        return check(exchange, NATIVE_BUCKET, query);
    }

    /** The decision for reading {@code bucket}/{@code key} from this exchange's client address. */
    public AccessDecision check(HttpServerExchange exchange, String bucket, String key) {
        return check(exchange, bucket, key, false);
    }

    /**
     * The decision for reading an S3 object from this exchange's client address.
     *
     * @param ignoreEveryone the bucket's Public Access Block ignores public ACLs: grants to every address (an object's
     *                       public-read ACL) count for nothing
     */
    public AccessDecision check(HttpServerExchange exchange, String bucket, String key, boolean ignoreEveryone) {
        InetAddress client = clients.of(exchange);
        try {
            return decide(client, bucket, key, clock.instant(), ignoreEveryone);
        } catch (IOException e) {
            return new AccessDecision(false, true, 503, "unavailable",
                    "The object's grants could not be read: " + e.getMessage(), "Retry in a few seconds.");
        }
    }

    AccessDecision decide(InetAddress client, String bucket, String key, Instant now) throws IOException {
        return decide(client, bucket, key, now, false);
    }

    private AccessDecision decide(InetAddress client, String bucket, String key, Instant now, boolean ignoreEveryone)
            throws IOException {
        boolean anyLive = false;
        for (GrantPrefix p : grants.prefixGrants(bucket)) {
            if (p.covers(bucket, key) && !p.grant().expiredAt(now) && !(ignoreEveryone && p.grant().toEveryone())) {
                if (p.grant().allows(client, now)) {
                    return AccessDecision.allow();
                }
                anyLive = true;
            }
        }
        Optional<List<Grant>> own = grants.objectGrants(bucket, key);
        if (own.isPresent()) {
            for (Grant g : own.get()) {
                if (ignoreEveryone && g.toEveryone()) {
                    continue;
                }
                if (g.allows(client, now)) {
                    return AccessDecision.allow();
                }
                anyLive |= !g.expiredAt(now);
            }
        }
        if (!anyLive) {
            return none();
        }
        return AccessDecision.forbid("grant_ip_refused", "This object is shared only with certain addresses; "
                + (client == null ? "this request's address is unknown" : client.getHostAddress() + " is not one of them") + ".",
                "Read it from a granted address, or ask its owner for a grant (POST /api/v1/grant) or a presigned link.");
    }

    private static AccessDecision none() {
        return AccessDecision.absent("No IP grant covers this request.",
                "Send the SHARD-KEY header, use a presigned link, or read from an address granted with POST /api/v1/grant.");
    }
}
