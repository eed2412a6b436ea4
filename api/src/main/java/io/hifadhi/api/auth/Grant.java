package io.hifadhi.api.auth;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Read access for one network: an address or CIDR, until {@code expiresAtMillis} (0: no expiry).
 * Expired grants are ignored when checked and dropped on the next change of the list they are in.
 */
public record Grant(Cidr network, long expiresAtMillis) {
    public Grant {
        Objects.requireNonNull(network, "network");
        if (expiresAtMillis < 0) {
            throw new IllegalArgumentException("expiry must be >= 0");
        }
    }

    /** The networks that hold every address: a grant to both is an S3 object's public-read ACL. */
    public static final List<Cidr> EVERYWHERE = List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0"));

    /** Whether this grant is to every address of its family, which S3's Public Access Block counts as public. */
    public boolean toEveryone() {
        return network.prefixLength() == 0;
    }

    public boolean expiredAt(Instant now) {
        return expiresAtMillis != 0 && now.toEpochMilli() >= expiresAtMillis;
    }

    /** Whether this grant, still valid at {@code now}, covers {@code client}. */
    public boolean allows(InetAddress client, Instant now) {
        return !expiredAt(now) && network.contains(client);
    }

    /** {@code grants} with {@code added} in place of any grant for the same network, expired ones dropped. */
    public static List<Grant> with(List<Grant> grants, Grant added, Instant now) {
        List<Grant> out = new ArrayList<>();
        for (Grant g : grants) {
            if (!g.network().equals(added.network()) && !g.expiredAt(now)) {
                out.add(g);
            }
        }
        out.add(added);
        return List.copyOf(out);
    }

    /** {@code grants} without the grant for {@code network}, expired ones dropped. */
    public static List<Grant> without(List<Grant> grants, Cidr network, Instant now) {
        List<Grant> out = new ArrayList<>();
        for (Grant g : grants) {
            if (!g.network().equals(network) && !g.expiredAt(now)) {
                out.add(g);
            }
        }
        return List.copyOf(out);
    }
}
