package io.hifadhi.node.replication;

import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.storage.ObjectRecord;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadRepairTest {
    static ObjectRecord version(long wall, String node) {
        return ObjectRecord.tombstone("b", "k", new VersionStamp(wall, 0, node));
    }

    @Test
    void replicasHoldingAnOlderVersionOrNothingGetTheNewest() {
        ObjectRecord old = version(10, "a");
        ObjectRecord newest = version(20, "b");
        Map<String, ObjectRecord> seen = new LinkedHashMap<>();
        seen.put("a", old);
        seen.put("b", newest);
        seen.put("c", null);
        seen.put("stand-in", old); // past the replica set: holds a hint, never repaired
        ReadRepair.Plan<ObjectRecord> plan = ReadRepair.plan(List.of("a", "b", "c"), seen);
        assertEquals(List.of("a", "c"), plan.stale());
        assertSame(newest, plan.newest());
    }

    @Test
    void agreeingOrEmptyReplicasNeedNothing() {
        ObjectRecord same = version(10, "a");
        assertTrue(ReadRepair.plan(List.of("a", "b"), Map.of("a", same, "b", version(10, "a"))).stale().isEmpty());
        Map<String, ObjectRecord> none = new LinkedHashMap<>();
        none.put("a", null);
        none.put("b", null);
        ReadRepair.Plan<ObjectRecord> nothing = ReadRepair.plan(List.of("a", "b"), none);
        assertTrue(nothing.stale().isEmpty());
        assertEquals(null, nothing.newest());
    }
}
