package io.hifadhi.ring;

import java.util.List;

/**
 * One range whose replica set differs between two rings.
 *
 * @param range       the positions concerned
 * @param oldReplicas replicas in the old ring, in walk order (the holders to stream from; empty if the
 *                    old ring had no members)
 * @param newReplicas replicas in the new ring, in walk order
 */
public record RangeTransfer(TokenRange range, List<Member> oldReplicas, List<Member> newReplicas) {

    public RangeTransfer {
        oldReplicas = List.copyOf(oldReplicas);
        newReplicas = List.copyOf(newReplicas);
    }

    /** Members that must receive the range: new replicas that were not old ones (compared by id). */
    public List<Member> targets() {
        return newReplicas.stream().filter(m -> !containsId(oldReplicas, m.id())).toList();
    }

    /** Members that may drop the range once the targets hold it: old replicas no longer replicas. */
    public List<Member> retiring() {
        return oldReplicas.stream().filter(m -> !containsId(newReplicas, m.id())).toList();
    }

    static boolean containsId(List<Member> list, String id) {
        for (Member m : list) {
            if (m.id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return range + " " + oldReplicas + " -> " + newReplicas;
    }
}
