package io.hifadhi.node.replication;

import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;

import java.util.List;
import java.util.Set;

/**
 * Where a {@link Table}'s entries live (Garage's table replication): for an entry's ring position and a cluster view,
 * which nodes a read asks and how many of them must answer, and how a write is placed. {@link ShardedReplication}
 * keeps each entry on the N replicas of its ring position (object records, chunks); {@link FullReplication} keeps
 * every entry on every member (buckets, access keys, uploads, grants, the layout).
 */
public interface TableReplication {
    /**
     * The nodes a read of {@code position} asks, this node's own read last among them if it is one.
     *
     * @throws StoreUnavailableException when too few of them are reachable to meet {@link Reads#quorums}
     */
    Reads reads(String what, ClusterView v, long position) throws StoreUnavailableException;

    /**
     * Writes the entry at {@code position} by the sloppy quorum ({@link QuorumWrite}), {@code sender} sending each copy
     * (this node's own included); the pending write fails with {@link StoreUnavailableException} when it cannot be
     * stored by enough nodes.
     */
    QuorumWrite.Pending write(String what, ClusterView v, long position, QuorumWrite.Sender sender);

    /**
     * A read's plan.
     *
     * @param targets  the nodes asked, this node last when it is one
     * @param replicas which of them (or of the nodes that may answer) are true replicas: only these are read-repaired;
     *                 a stand-in past the replica set holds its copy as a hint
     * @param quorums  answers that must be heard before the read returns: each group's {@code needed} of its members
     */
    record Reads(List<String> targets, List<String> replicas, List<Quorum> quorums) {
        public Reads {
            targets = List.copyOf(targets);
            replicas = List.copyOf(replicas);
            quorums = List.copyOf(quorums);
        }
    }

    /** Nodes of which at least {@code needed} must answer a read. */
    record Quorum(List<String> members, int needed) {
        public Quorum {
            members = List.copyOf(members);
        }

        boolean met(Set<String> answered) {
            int heard = 0;
            for (String id : members) {
                heard += answered.contains(id) ? 1 : 0;
            }
            return heard >= needed;
        }

        boolean lost(Set<String> failed) {
            return members.stream().filter(failed::contains).count() > members.size() - needed;
        }
    }
}
