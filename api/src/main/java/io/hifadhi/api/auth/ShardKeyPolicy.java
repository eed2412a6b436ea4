package io.hifadhi.api.auth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Allows requests that carry the cluster secret in the {@code SHARD-KEY} header. */
public final class ShardKeyPolicy implements AccessPolicy {
    public static final HttpString HEADER = new HttpString("SHARD-KEY");

    private final byte[] expected;

    public ShardKeyPolicy(String shardKey) {
        if (shardKey == null || shardKey.isEmpty()) {
            throw new IllegalArgumentException("empty shard key");
        }
        this.expected = shardKey.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public AccessDecision check(HttpServerExchange exchange, NativeOperation operation, String query) {
        String given = exchange.getRequestHeaders().getFirst(HEADER);
        if (given == null) {
            return AccessDecision.absent("This request needs the SHARD-KEY header (or a presigned link, where one applies).",
                    "Send the cluster's shard key as 'SHARD-KEY: <key>'; a new node prints it on first start "
                            + "and keeps it in credentials.properties in its data directory.");
        }
        // MessageDigest.isEqual is constant-time for equal lengths and leaks only the length otherwise.
        if (!MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            return AccessDecision.deny("The SHARD-KEY header does not match this cluster's key.",
                    "Check for a stale or truncated key; the node's key is in credentials.properties in its data directory.");
        }
        return AccessDecision.allow();
    }
}
