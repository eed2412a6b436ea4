package io.hifadhi.node.replication;

import io.hifadhi.node.schema.LastWriterWins;
import io.hifadhi.node.schema.Versioned;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Read repair as a pure function: given what the nodes asked for an entry of a {@link Table} answered, which of the
 * key's replicas must be sent the newest version. Nodes past the replica set (stand-ins holding a hint) are never repaired.
 */
final class ReadRepair {
    private ReadRepair() {
    }

    /** The newest version seen, and the replicas that hold nothing or an older one. */
    record Plan<V extends Versioned>(V newest, List<String> stale) {
        Plan {
            stale = List.copyOf(stale);
        }
    }

    /**
     * @param replicas the key's replicas ({@link TableReplication.Reads#replicas})
     * @param seen     what each node that answered holds; null for nothing
     * @return what to send where; {@code stale} is empty when every replica that answered is up to date or nobody
     * holds the entry ({@code newest} null)
     */
    static <V extends Versioned> Plan<V> plan(List<String> replicas, Map<String, V> seen) {
        V newest = null;
        for (V r : seen.values()) {
            newest = LastWriterWins.newer(newest, r);
        }
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, V> e : seen.entrySet()) {
            V held = e.getValue();
            if (newest != null && replicas.contains(e.getKey()) && LastWriterWins.replaces(newest, held)) {
                stale.add(e.getKey());
            }
        }
        return new Plan<>(newest, stale);
    }
}
