package io.hifadhi.membership;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable snapshot of the cluster as this node sees it: every member that proved the cluster secret and has
 * the same cluster settings, including this node itself. Members that crashed stay in the view as
 * {@link Reachability#UNREACHABLE} (with the time they became so) until they come back or are forgotten;
 * members that left gracefully are gone.
 *
 * @param localId id of the node that holds this view
 * @param taken   when the snapshot was taken
 * @param members members by id, sorted by id
 */
public record ClusterView(String localId, Instant taken, Map<String, Member> members) {

    public ClusterView {
        Objects.requireNonNull(localId, "localId");
        Objects.requireNonNull(taken, "taken");
        Map<String, Member> sorted = new LinkedHashMap<>();
        members.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        members = Collections.unmodifiableMap(sorted);
    }

    public Optional<Member> member(String id) {
        return Optional.ofNullable(members.get(id));
    }

    public Member local() {
        return members.get(localId);
    }

    /** All members, sorted by id. */
    public List<Member> all() {
        return List.copyOf(members.values());
    }

    public List<Member> reachable() {
        return members.values().stream().filter(Member::isReachable).toList();
    }

    /** The member whose cluster port is {@code hostPort}, e.g. to check the sender of an internode message. */
    public Optional<Member> memberAtClusterAddress(String hostPort) {
        return members.values().stream().filter(m -> m.clusterAddress().equals(hostPort)).findFirst();
    }

    public boolean isReachable(String id) {
        Member m = members.get(id);
        return m != null && m.isReachable();
    }
}
