package io.hifadhi.ring;

import java.util.List;

/**
 * A range of positions that all have the same replicas: the unit anti-entropy compares and a listing
 * must cover.
 *
 * @param range    the positions
 * @param replicas their replicas in walk order, primary first
 */
public record ReplicaRange(TokenRange range, List<Member> replicas) {

    public ReplicaRange {
        replicas = List.copyOf(replicas);
    }

    public boolean isReplica(String memberId) {
        return RangeTransfer.containsId(replicas, memberId);
    }
}
