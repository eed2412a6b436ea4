package io.hifadhi.api.auth;

import io.undertow.server.HttpServerExchange;

/**
 * Decides whether a native request may proceed. Today only the SHARD-KEY header; presigned links
 * and IP grants will be further policies combined with {@link #anyOf}.
 *
 * @see ShardKeyPolicy
 */
@FunctionalInterface
public interface AccessPolicy {

    /** @param query the decoded object query, or null for operations without one */
    AccessDecision check(HttpServerExchange exchange, NativeOperation operation, String query);

    /** Allows when any policy allows; otherwise reports the first policy's denial. */
    static AccessPolicy anyOf(AccessPolicy first, AccessPolicy... more) {
        return (exchange, op, query) -> {
            AccessDecision d = first.check(exchange, op, query);
            if (d.allowed()) {
                return d;
            }
            for (AccessPolicy p : more) {
                if (p.check(exchange, op, query).allowed()) {
                    return AccessDecision.allow();
                }
            }
            return d;
        };
    }
}
