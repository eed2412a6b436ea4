package io.hifadhi.ring;

import java.util.ArrayList;
import java.util.List;

/**
 * Where one key lives: its replicas, then the members that stand in for them.
 *
 * @param keyHash   the position looked up
 * @param replicas  the first n distinct members clockwise, preferring distinct zones, in walk order;
 *                  {@code replicas.get(0)} is the primary (owner of the key's token)
 * @param fallbacks further distinct members in walk order, for hinted handoff and hot-object caching
 */
public record PreferenceList(long keyHash, List<Member> replicas, List<Member> fallbacks) {

    public PreferenceList {
        replicas = List.copyOf(replicas);
        fallbacks = List.copyOf(fallbacks);
    }

    public Member primary() {
        return replicas.get(0);
    }

    /** Replicas followed by fallbacks. */
    public List<Member> all() {
        List<Member> all = new ArrayList<>(replicas.size() + fallbacks.size());
        all.addAll(replicas);
        all.addAll(fallbacks);
        return List.copyOf(all);
    }

    public boolean isReplica(String memberId) {
        for (Member m : replicas) {
            if (m.id().equals(memberId)) {
                return true;
            }
        }
        return false;
    }

    public long distinctZones() {
        return replicas.stream().map(Member::zone).distinct().count();
    }
}
