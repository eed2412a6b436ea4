package io.hifadhi.membership;

import java.util.ArrayList;
import java.util.List;

/**
 * The settings a cluster was started with. Every member must agree on all of them: a member with different
 * settings would place and acknowledge data by different rules, so it is refused.
 */
public record ClusterSettings(int replication, int writeQuorum, int readQuorum, int chunkSize) {

    public ClusterSettings {
        if (replication < 1) {
            throw new IllegalArgumentException("replication must be >= 1, was " + replication);
        }
        if (writeQuorum < 1 || writeQuorum > replication) {
            throw new IllegalArgumentException("write quorum must be in 1.." + replication + ", was " + writeQuorum);
        }
        if (readQuorum < 1 || readQuorum > replication) {
            throw new IllegalArgumentException("read quorum must be in 1.." + replication + ", was " + readQuorum);
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1, was " + chunkSize);
        }
    }

    /** Replication 3, quorums 2/2, 4 MiB chunks. */
    public static ClusterSettings defaults() {
        return new ClusterSettings(3, 2, 2, 4 * 1024 * 1024);
    }

    /**
     * Human-readable list of the settings that differ, e.g. {@code "replication: cluster has 3, this node has 2"}.
     * Empty when the settings agree.
     */
    public List<String> differences(ClusterSettings cluster) {
        List<String> out = new ArrayList<>();
        diff(out, "replication", cluster.replication, replication);
        diff(out, "write-quorum", cluster.writeQuorum, writeQuorum);
        diff(out, "read-quorum", cluster.readQuorum, readQuorum);
        diff(out, "chunk-size", cluster.chunkSize, chunkSize);
        return out;
    }

    private static void diff(List<String> out, String name, int cluster, int mine) {
        if (cluster != mine) {
            out.add(name + ": cluster has " + cluster + ", this node has " + mine);
        }
    }

    /** Canonical text form; it is covered by the join handshake MAC, so it must be stable. */
    String canonical() {
        return "replication=" + replication + ",write-quorum=" + writeQuorum + ",read-quorum=" + readQuorum
                + ",chunk-size=" + chunkSize;
    }
}
