package io.hifadhi.ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What moves when the ring changes from one member set to another, for replication factor n.
 *
 * <p>The union of both rings' token positions cuts the circle into elementary ranges. Within one such
 * range every key starts its walk at the same token in both rings, so the replica set is constant there;
 * the plan lists the ranges whose replica <em>set</em> (by member id) differs, merging neighbours with the
 * same old and new replicas. A change only in replica order moves no data and is not listed.
 *
 * @param replication the n the plan was computed for
 * @param transfers   disjoint ranges in ring order (the first may wrap past the largest position)
 */
public record TransferPlan(int replication, List<RangeTransfer> transfers) {

    public TransferPlan {
        transfers = List.copyOf(transfers);
    }

    /** The plan for changing ring {@code from} into ring {@code to}. Either may be empty. */
    public static TransferPlan between(Ring from, Ring to, int replication) {
        Objects.requireNonNull(from, "from ring");
        Objects.requireNonNull(to, "to ring");
        if (replication < 1) {
            throw new IllegalArgumentException("replication must be at least 1, was " + replication);
        }
        long[] bounds = union(from.tokenPositions(), to.tokenPositions());
        List<RangeTransfer> out = new ArrayList<>();
        if (bounds.length == 0) {
            return new TransferPlan(replication, out);
        }
        int oldCount = Math.min(replication, from.size());
        int newCount = Math.min(replication, to.size());
        int[] oldPick = new int[oldCount];
        int[] newPick = new int[newCount];
        int[] lastOld = new int[oldCount];
        int[] lastNew = new int[newCount];
        boolean open = false;
        long openStart = 0;
        long openEnd = 0;
        for (int j = 0; j < bounds.length; j++) {
            long end = bounds[j];
            long start = bounds[j == 0 ? bounds.length - 1 : j - 1];
            if (oldCount > 0) {
                from.select(end, replication, 0, oldPick);
            }
            if (newCount > 0) {
                to.select(end, replication, 0, newPick);
            }
            boolean changed = !sameIds(from, oldPick, to, newPick);
            if (changed && open && Arrays.equals(oldPick, lastOld)
                    && Arrays.equals(newPick, lastNew)) {
                openEnd = end;
                continue;
            }
            if (open) {
                out.add(transfer(from, lastOld, to, lastNew, openStart, openEnd));
                open = false;
            }
            if (changed) {
                open = true;
                openStart = start;
                openEnd = end;
                System.arraycopy(oldPick, 0, lastOld, 0, oldCount);
                System.arraycopy(newPick, 0, lastNew, 0, newCount);
            }
        }
        if (open) {
            out.add(transfer(from, lastOld, to, lastNew, openStart, openEnd));
        }
        return new TransferPlan(replication, out);
    }

    /** The transfer covering {@code keyHash}, if its replica set changes. */
    public Optional<RangeTransfer> transferFor(long keyHash) {
        int lo = 0;
        int hi = transfers.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (transfers.get(mid).range().endInclusive() < keyHash) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < transfers.size() && transfers.get(lo).range().contains(keyHash)) {
            return Optional.of(transfers.get(lo));
        }
        // Only the first range can wrap past the largest position and contain keys above every end.
        if (!transfers.isEmpty() && transfers.get(0).range().contains(keyHash)) {
            return Optional.of(transfers.get(0));
        }
        return Optional.empty();
    }

    public boolean isEmpty() {
        return transfers.isEmpty();
    }

    /** Share of the ring (0..1) whose replica set changes. */
    public double movedFraction() {
        double sum = 0;
        for (RangeTransfer t : transfers) {
            sum += t.range().fraction();
        }
        return sum;
    }

    /**
     * Share of all replica copies that must be created elsewhere: sum over ranges of
     * size x targets / n. For one join the ideal is the joiner's fair share, 1 / (members after join).
     */
    public double movedReplicaFraction() {
        double sum = 0;
        for (RangeTransfer t : transfers) {
            sum += t.range().fraction() * t.targets().size();
        }
        return sum / replication;
    }

    /** Transfers in which {@code memberId} receives data. */
    public List<RangeTransfer> transfersTo(String memberId) {
        return transfers.stream().filter(t -> RangeTransfer.containsId(t.targets(), memberId)).toList();
    }

    /** Transfers in which {@code memberId} is an old replica (a possible source). */
    public List<RangeTransfer> transfersFrom(String memberId) {
        return transfers.stream().filter(t -> RangeTransfer.containsId(t.oldReplicas(), memberId)).toList();
    }

    private static RangeTransfer transfer(Ring from, int[] oldPick, Ring to, int[] newPick, long start, long end) {
        return new RangeTransfer(new TokenRange(start, end), members(from, oldPick), members(to, newPick));
    }

    private static List<Member> members(Ring ring, int[] picks) {
        List<Member> list = new ArrayList<>(picks.length);
        for (int p : picks) {
            list.add(ring.member(p));
        }
        return list;
    }

    private static boolean sameIds(Ring from, int[] oldPick, Ring to, int[] newPick) {
        if (oldPick.length != newPick.length) {
            return false;
        }
        for (int o : oldPick) {
            String id = from.member(o).id();
            boolean found = false;
            for (int n : newPick) {
                if (to.member(n).id().equals(id)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    /** Sorted distinct union of two sorted arrays. */
    private static long[] union(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length || j < b.length) {
            long next;
            if (j >= b.length || (i < a.length && a[i] <= b[j])) {
                next = a[i++];
            } else {
                next = b[j++];
            }
            if (k == 0 || out[k - 1] != next) {
                out[k++] = next;
            }
        }
        return Arrays.copyOf(out, k);
    }
}

