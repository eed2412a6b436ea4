package io.hifadhi.api.auth;

import io.undertow.server.HttpServerExchange;

/**
 * Decides whether a native request may proceed: the SHARD-KEY header ({@link ShardKeyPolicy}) and
 * presigned links ({@link PresignedLinkPolicy}) are combined with {@link #anyOf}.
 */
@FunctionalInterface
public interface AccessPolicy {

    /** @param query the decoded object query, or null for operations without one */
    AccessDecision check(HttpServerExchange exchange, NativeOperation operation, String query);

    /**
     * Allows when any policy allows. Otherwise reports the first denial of credentials the caller
     * actually presented (a wrong key, a tampered link), else the first policy's "nothing sent".
     */
    static AccessPolicy anyOf(AccessPolicy first, AccessPolicy... more) {
        return (exchange, op, query) -> {
            AccessDecision d = first.check(exchange, op, query);
            if (d.allowed()) {
                return d;
            }
            AccessDecision report = d;
            for (AccessPolicy p : more) {
                AccessDecision next = p.check(exchange, op, query);
                if (next.allowed()) {
                    return next;
                }
                if (!report.presented() && next.presented()) {
                    report = next;
                }
            }
            return report;
        };
    }
}
