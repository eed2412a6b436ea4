package io.hifadhi.api.auth;

import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What minting presigned links needs: the derived key, the proxy rules (for the scheme a proxy
 * reports) and the node's advertised HTTP address, used when a request names no usable Host.
 *
 * @param advertisedHttpAddress "host:port" other machines reach this node's HTTP at
 */
public record Presigning(PresignKey key, ClientAddress clients, Supplier<String> advertisedHttpAddress) {
    public Presigning {
        Objects.requireNonNull(key);
        Objects.requireNonNull(clients);
        Objects.requireNonNull(advertisedHttpAddress);
    }

    /** The policy that accepts the links this key signs. */
    public PresignedLinkPolicy policy(Clock clock) {
        return new PresignedLinkPolicy(key, clients, clock);
    }
}
