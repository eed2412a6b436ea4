package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterSettings;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.Member;
import io.hifadhi.node.layout.ClusterLayout;
import io.hifadhi.node.transport.Peer;
import io.hifadhi.ring.PreferenceList;
import io.hifadhi.ring.Ring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The rings as this node sees them, and the effective replication settings: N, W and R capped at a ring's member
 * count (so a lone node runs with 1/1/1). The rings come from the cluster layout ({@link ClusterLayout}), which
 * only explicit changes move: a transient failure moves no data, hinted handoff covers it. While a change is
 * under way several rings are live: writes go to each ({@link #writeWalks}), reads to the oldest ({@link #walk}).
 * Before the layout knows any owner (a node still starting) the ring is the membership view's.
 */
final class Placement {
    private static final int RINGS_CACHED = 8;

    private final Supplier<ClusterView> view;
    private final Supplier<ClusterLayout> layout;
    private final ClusterSettings settings;
    /** Rings by member list: building one hashes every member's tokens, so each is built once. */
    private final Map<List<io.hifadhi.ring.Member>, Ring> rings = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<io.hifadhi.ring.Member>, Ring> eldest) {
            return size() > RINGS_CACHED;
        }
    };

    private volatile LiveRings lastLive;

    Placement(Supplier<ClusterView> view, Supplier<ClusterLayout> layout, ClusterSettings settings) {
        this.view = view;
        this.layout = layout;
        this.settings = settings;
    }

    ClusterView view() {
        return view.get();
    }

    ClusterLayout layout() {
        return layout.get();
    }

    /** The newest ring: who owns what once the change under way (if any) is done. */
    Ring ring(ClusterView v) {
        return live(v).newest();
    }

    /** Every live ring, the newest first. */
    List<Ring> rings(ClusterView v) {
        return live(v).all();
    }

    /** The ring reads consult: the oldest live one, which holds everything acknowledged before a change. */
    Ring readRing(ClusterView v) {
        return live(v).read();
    }

    /**
     * The live rings of one layout snapshot, or before the layout knows an owner of one membership view ({@code view}
     * null otherwise): every request asks for them several times, and working them out (the layout's owners sorted,
     * its acks compared, each ring looked up by its member list) cost more than a small GET's own read.
     */
    private record LiveRings(ClusterLayout layout, ClusterView view, Ring newest, Ring read, List<Ring> all) {
        boolean of(ClusterLayout l, ClusterView v) {
            return layout == l && (view == null || view == v);
        }
    }

    private LiveRings live(ClusterView v) {
        ClusterLayout l = layout.get();
        LiveRings known = lastLive;
        if (known != null && known.of(l, v)) {
            return known;
        }
        LiveRings fresh;
        if (l.isEmpty()) {
            Ring ring = viewRing(v);
            fresh = new LiveRings(l, v, ring, ring, List.of(ring));
        } else {
            List<Ring> all = new ArrayList<>();
            for (List<io.hifadhi.ring.Member> members : l.liveRings()) {
                all.add(ringOf(members));
            }
            fresh = new LiveRings(l, null, all.get(0), ringOf(l.readRing()), List.copyOf(all));
        }
        lastLive = fresh;
        return fresh;
    }

    private Ring viewRing(ClusterView v) {
        List<io.hifadhi.ring.Member> members = new ArrayList<>();
        for (Member m : v.all()) {
            members.add(new io.hifadhi.ring.Member(m.id(), m.metadata().zone(), Math.max(1, m.metadata().capacityBytes())));
        }
        return ringOf(members);
    }

    private Ring ringOf(List<io.hifadhi.ring.Member> members) {
        synchronized (rings) {
            return rings.computeIfAbsent(List.copyOf(members), Ring::of);
        }
    }

    int n(Ring ring) {
        return Math.max(1, Math.min(settings.replication(), ring.size()));
    }

    int w(Ring ring) {
        return Math.min(settings.writeQuorum(), n(ring));
    }

    int r(Ring ring) {
        return Math.min(settings.readQuorum(), n(ring));
    }

    /**
     * How many nodes this node must reach to serve reads and listings: the largest R of the live rings. While a
     * layout change is under way the read ring may still be the one-node ring a cluster was founded on, and a founder
     * cut off during the change must not take its R=1 for a licence to serve alone.
     */
    int servingQuorum(ClusterView v) {
        int most = r(v);
        for (Ring ring : rings(v)) {
            most = Math.max(most, r(ring));
        }
        return most;
    }

    /** N of the read ring (the ring {@link #walk} follows). */
    int n(ClusterView v) {
        return n(readRing(v));
    }

    /** W of the newest ring. */
    int w(ClusterView v) {
        return w(ring(v));
    }

    /** R of the read ring. */
    int r(ClusterView v) {
        return r(readRing(v));
    }

    /**
     * Member ids of the read ring in preference order from {@code position}: the N replicas first, then every other
     * member; while a layout change is under way, then the members only the newest ring has.
     */
    List<String> walk(ClusterView v, long position) {
        return walk(readRing(v), ring(v), position);
    }

    /** As {@link #walk(ClusterView, long)}, for the read ring and newest ring given. */
    List<String> walk(Ring read, Ring newest, long position) {
        List<String> walk = walk(read, position);
        if (newest != read) {
            for (String id : walk(newest, position)) {
                if (!walk.contains(id)) {
                    walk.add(id);
                }
            }
        }
        return walk;
    }

    /**
     * While a layout change is under way (the newest ring is not the read ring): the N replicas of {@code position}
     * in the newest ring. Otherwise empty: the read ring's replicas are the owners, and a read needs no second walk.
     */
    List<String> newOwners(ClusterView v, long position) {
        Ring newest = ring(v);
        if (newest == readRing(v)) {
            return List.of();
        }
        return walk(newest, position).subList(0, n(newest));
    }

    /**
     * One walk per live ring, the newest first: a write needs its quorum in each. An older ring's walk goes on with the
     * newest ring's members after its own, so a small old ring (the two nodes a cluster had a moment ago) still finds
     * stand-ins for a replica that is down.
     */
    List<List<String>> writeWalks(List<Ring> live, long position) {
        List<String> newest = walk(live.get(0), position);
        List<List<String>> out = new ArrayList<>();
        for (Ring ring : live) {
            List<String> walk = walk(ring, position);
            for (String id : newest) {
                if (!walk.contains(id)) {
                    walk.add(id);
                }
            }
            out.add(walk);
        }
        return out;
    }

    List<String> walk(Ring ring, long position) {
        PreferenceList list = ring.preferenceList(position, n(ring), Integer.MAX_VALUE);
        List<String> ids = new ArrayList<>();
        list.replicas().forEach(m -> ids.add(m.id()));
        list.fallbacks().forEach(m -> ids.add(m.id()));
        return ids;
    }

    /** Whether {@code id} is one of the N replicas of {@code position} in {@code ring}. */
    boolean replicates(Ring ring, long position, String id, int[] scratch) {
        int count = ring.preferenceIndexes(position, n(ring), 0, scratch);
        for (int i = 0; i < count; i++) {
            if (ring.member(scratch[i]).id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    static Peer peer(ClusterView v, String id) {
        Member m = v.member(id).orElseThrow(() -> new IllegalStateException("unknown member " + id));
        return new Peer(id, m.clusterAddress());
    }
}
