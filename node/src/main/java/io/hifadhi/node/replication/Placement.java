package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterSettings;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.Member;
import io.hifadhi.node.transport.Peer;
import io.hifadhi.ring.PreferenceList;
import io.hifadhi.ring.Ring;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The ring as this node sees it, and the effective replication settings: N, W and R capped at
 * the member count (so a lone node runs with 1/1/1). The ring is built from every listed member,
 * reachable or not: a transient failure does not move data, hinted handoff covers it.
 */
final class Placement {
    private record Cached(List<io.hifadhi.ring.Member> members, Ring ring) {
    }

    private final Supplier<ClusterView> view;
    private final ClusterSettings settings;
    private volatile Cached cached;

    Placement(Supplier<ClusterView> view, ClusterSettings settings) {
        this.view = view;
        this.settings = settings;
    }

    ClusterView view() {
        return view.get();
    }

    /** The view's ring (rebuilt only when the member set, zones or capacities change). */
    Ring ring(ClusterView v) {
        List<io.hifadhi.ring.Member> members = new ArrayList<>();
        for (Member m : v.all()) {
            members.add(new io.hifadhi.ring.Member(m.id(), m.metadata().zone(), Math.max(1, m.metadata().capacityBytes())));
        }
        Cached c = cached;
        if (c == null || !c.members().equals(members)) {
            c = new Cached(List.copyOf(members), Ring.of(members));
            cached = c;
        }
        return c.ring();
    }

    int n(ClusterView v) {
        return Math.max(1, Math.min(settings.replication(), v.members().size()));
    }

    int w(ClusterView v) {
        return Math.min(settings.writeQuorum(), n(v));
    }

    int r(ClusterView v) {
        return Math.min(settings.readQuorum(), n(v));
    }

    /** Member ids in preference order from {@code position}: the N replicas first, then every other member. */
    List<String> walk(ClusterView v, long position) {
        PreferenceList list = ring(v).preferenceList(position, n(v), Integer.MAX_VALUE);
        List<String> ids = new ArrayList<>();
        list.replicas().forEach(m -> ids.add(m.id()));
        list.fallbacks().forEach(m -> ids.add(m.id()));
        return ids;
    }

    static Peer peer(ClusterView v, String id) {
        Member m = v.member(id).orElseThrow(() -> new IllegalStateException("unknown member " + id));
        return new Peer(id, m.clusterAddress());
    }
}
