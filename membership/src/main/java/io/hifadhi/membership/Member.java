package io.hifadhi.membership;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One member as this node sees it.
 *
 * @param metadata         what the member gossips (last value known)
 * @param incarnation      random id of the member's current process; changes on every restart
 * @param clusterAddress   {@code host:port} of its cluster (Atomix messaging) port
 * @param reachability     verdict of our failure detector; the local member is always reachable
 * @param unreachableSince when it became unreachable, null while reachable (the node applies dead-after to it)
 */
public record Member(MemberMetadata metadata, String incarnation, String clusterAddress, Reachability reachability,
                     Instant unreachableSince) {

    public Member {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(incarnation, "incarnation");
        Objects.requireNonNull(clusterAddress, "clusterAddress");
        Objects.requireNonNull(reachability, "reachability");
        if ((reachability == Reachability.UNREACHABLE) != (unreachableSince != null)) {
            throw new IllegalArgumentException("unreachableSince is set exactly when unreachable");
        }
    }

    public String id() {
        return metadata.id();
    }

    public MemberState state() {
        return metadata.state();
    }

    public boolean isReachable() {
        return reachability == Reachability.REACHABLE;
    }

    public Optional<Instant> unreachableSinceTime() {
        return Optional.ofNullable(unreachableSince);
    }
}
