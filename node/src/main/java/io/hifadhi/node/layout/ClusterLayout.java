package io.hifadhi.node.layout;

import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.ring.Member;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The cluster layout as this node knows it: which nodes own a share of the ring (explicit changes only), for each
 * node the ring it routes requests by (its <em>routing ack</em>), and the ring it last confirmed holding all its data
 * for (its <em>sync ack</em>).
 * <p>
 * A ring change is a transition, as Garage's layout versions are: while some owner has not confirmed the newest
 * ring, the rings the owners did confirm stay live. Writes go to the replicas of every live ring (a write quorum in
 * each), reads go to the oldest one (it holds everything acknowledged before the change). When every owner confirmed
 * the newest ring, it is the only one left, and nodes hand over and drop what they no longer own.
 * <p>
 * An owner syncs towards confirming a ring only once every reachable node routes by it ({@link #routedByAll}): a node
 * still writing by the previous ring could otherwise put a record on old owners only after the new owners synced,
 * and once they confirmed, reads would ask the new owners alone (Garage's ack map plays this part).
 *
 * @param members every node ever in the layout, by id
 * @param acks    each node's confirmed ring, with the stamp of the confirmation
 * @param routes  each node's routing ack: the ring by which it places every write it has in flight
 */
public record ClusterLayout(Map<String, LayoutMember> members, Map<String, Ack> acks, Map<String, Ack> routes) {

    /** A node's confirmation that it holds everything it owns under {@code ring}. */
    public record Ack(List<Member> ring, VersionStamp at) {
        public Ack {
            ring = sorted(ring);
        }

        static byte[] encode(List<Member> ring) {
            StringBuilder b = new StringBuilder();
            for (Member m : sorted(ring)) {
                b.append(m.id()).append('\t').append(m.zone()).append('\t').append(m.capacity()).append('\n');
            }
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }

        static List<Member> decodeRing(byte[] value) {
            List<Member> ring = new ArrayList<>();
            for (String line : new String(value, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty()) {
                    String[] f = line.split("\t", -1);
                    ring.add(new Member(f[0], f[1], Long.parseLong(f[2])));
                }
            }
            return ring;
        }
    }

    public static final ClusterLayout EMPTY = new ClusterLayout(Map.of(), Map.of(), Map.of());

    public ClusterLayout {
        members = Map.copyOf(members);
        acks = Map.copyOf(acks);
        routes = Map.copyOf(routes);
    }

    public Optional<LayoutMember> member(String id) {
        return Optional.ofNullable(members.get(id));
    }

    /** Whether node {@code id} is gone for good: it left, or was removed; its share was re-replicated. */
    public boolean removed(String id) {
        LayoutMember m = members.get(id);
        return m != null && m.role() == LayoutRole.REMOVED;
    }

    public boolean isEmpty() {
        return owners().isEmpty();
    }

    /** The ring members now: every node whose role is MEMBER, sorted by id. */
    public List<Member> owners() {
        return sorted(members.values().stream().filter(m -> m.role() == LayoutRole.MEMBER).map(LayoutMember::ringMember).toList());
    }

    /** The live rings, the newest first: it, then the rings some owner still stands at, oldest confirmation first. */
    public List<List<Member>> liveRings() {
        List<Member> current = owners();
        List<List<Member>> rings = new ArrayList<>();
        rings.add(current);
        acks.entrySet().stream()
                .filter(e -> members.containsKey(e.getKey()) && members.get(e.getKey()).role() == LayoutRole.MEMBER)
                .map(Map.Entry::getValue)
                .sorted(Comparator.comparing(Ack::at))
                .map(Ack::ring)
                .filter(r -> !r.isEmpty())
                .forEach(r -> {
                    if (!rings.contains(r)) {
                        rings.add(r);
                    }
                });
        return rings;
    }

    /** The ring reads consult: the oldest still live (the newest once every owner confirmed it). */
    public List<Member> readRing() {
        List<List<Member>> live = liveRings();
        return live.size() == 1 ? live.get(0) : live.get(1);
    }

    public boolean inTransition() {
        return liveRings().size() > 1;
    }

    /**
     * Whether every node that may coordinate requests (an owner or a leaving node) and that {@code reachable} says is
     * up routes by the newest ring. An unreachable node writes nowhere; once back, it learns the layout before it
     * serves (the rejoin gate).
     */
    public boolean routedByAll(java.util.function.Predicate<String> reachable) {
        List<Member> current = owners();
        for (LayoutMember m : members.values()) {
            boolean coordinates = m.role() == LayoutRole.MEMBER || m.role() == LayoutRole.LEAVING;
            if (coordinates && reachable.test(m.id())) {
                Ack r = routes.get(m.id());
                if (r == null || !r.ring().equals(current)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Owners that confirmed the newest ring. */
    public int ownersConfirmed() {
        List<Member> current = owners();
        int n = 0;
        for (Member m : current) {
            Ack a = acks.get(m.id());
            n += a != null && a.ring().equals(current) ? 1 : 0;
        }
        return n;
    }

    static List<Member> sorted(List<Member> ring) {
        List<Member> s = new ArrayList<>(ring);
        s.sort(Comparator.comparing(Member::id));
        return List.copyOf(s);
    }

    /** Builds a layout from table entries: {@code member/ID}, {@code ack/ID} and {@code routes/ID}. */
    static ClusterLayout of(Map<String, byte[]> entries, Map<String, VersionStamp> stamps) {
        Map<String, LayoutMember> members = new TreeMap<>();
        Map<String, Ack> acks = new TreeMap<>();
        Map<String, Ack> routes = new TreeMap<>();
        entries.forEach((key, value) -> {
            if (key.startsWith(MEMBER_PREFIX)) {
                String id = key.substring(MEMBER_PREFIX.length());
                members.put(id, LayoutMember.decode(id, value));
            } else if (key.startsWith(ACK_PREFIX)) {
                acks.put(key.substring(ACK_PREFIX.length()), new Ack(Ack.decodeRing(value), stamps.get(key)));
            } else if (key.startsWith(ROUTES_PREFIX)) {
                routes.put(key.substring(ROUTES_PREFIX.length()), new Ack(Ack.decodeRing(value), stamps.get(key)));
            }
        });
        return new ClusterLayout(members, acks, routes);
    }

    static final String MEMBER_PREFIX = "member/";
    static final String ACK_PREFIX = "ack/";
    static final String ROUTES_PREFIX = "routes/";
}
