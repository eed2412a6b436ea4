package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterSettings;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.LoadDigest;
import io.hifadhi.membership.Member;
import io.hifadhi.membership.MemberMetadata;
import io.hifadhi.membership.MemberState;
import io.hifadhi.membership.Reachability;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Cluster views for tests that need no running cluster. */
final class Views {
    private Views() {
    }

    /** The view "a" holds of {@code ids} (1 GiB each); {@code unreachable} lists the ones it cannot reach. */
    static ClusterView heldByA(List<String> ids, String... unreachable) {
        Set<String> down = Set.of(unreachable);
        Map<String, Member> members = new LinkedHashMap<>();
        for (String id : ids) {
            MemberMetadata md = new MemberMetadata(id, "10.0.0.1:7111", "default", 1 << 30, 0, MemberState.UP,
                    LoadDigest.IDLE, ClusterSettings.defaults());
            boolean reachable = !down.contains(id);
            members.put(id, new Member(md, "1", id + ":7112", reachable ? Reachability.REACHABLE : Reachability.UNREACHABLE,
                    reachable ? null : Instant.now()));
        }
        return new ClusterView("a", Instant.now(), members);
    }
}
