package io.hifadhi.node.replication;

import io.hifadhi.node.storage.ObjectRecord;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read repair as a pure function: given what the nodes asked for a record answered, which of the key's replicas
 * must be sent the newest version. Nodes past the replica set (stand-ins holding a hint) are never repaired.
 */
final class ReadRepair {
    private ReadRepair() {
    }

    /**
     * @param replicas the key's replicas (the read ring's, and the newest ring's during a layout change)
     * @param seen     what each node that answered holds; null for nothing
     * @return the replicas that hold nothing or an older version, each mapped to the newest record (empty when
     * nobody holds one)
     */
    static Map<String, ObjectRecord> repairs(List<String> replicas, Map<String, ObjectRecord> seen) {
        ObjectRecord newest = null;
        for (ObjectRecord r : seen.values()) {
            newest = newer(newest, r);
        }
        Map<String, ObjectRecord> out = new LinkedHashMap<>();
        if (newest == null) {
            return out;
        }
        for (Map.Entry<String, ObjectRecord> e : seen.entrySet()) {
            ObjectRecord held = e.getValue();
            if (replicas.contains(e.getKey()) && (held == null || newest.version().isNewerThan(held.version()))) {
                out.put(e.getKey(), newest);
            }
        }
        return out;
    }

    /** The newer of two versions of a record (either may be null); the first on a tie. */
    static ObjectRecord newer(ObjectRecord a, ObjectRecord b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.version().isNewerThan(a.version()) ? b : a;
    }
}
