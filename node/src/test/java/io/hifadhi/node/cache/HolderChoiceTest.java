package io.hifadhi.node.cache;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HolderChoiceTest {
    private static final List<String> WALK = List.of("a", "b", "c", "d", "e");

    @Test
    void theBusiestHolderIsNeverAskedFirstAndEveryNodeStaysInTheList() {
        Map<String, Double> load = Map.of("a", 1.0, "b", 100.0, "c", 5.0, "d", 0.0, "e", 0.0);
        Random random = new Random(3);
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            List<String> order = HolderChoice.order(WALK, 3, List.of(), id -> true, load::get, random);
            assertEquals(Set.copyOf(WALK), Set.copyOf(order));
            assertEquals(5, order.size());
            assertTrue(Set.of("a", "b", "c").contains(order.get(0)), "only replicas (no extra holders known)");
            firsts.merge(order.get(0), 1, Integer::sum);
        }
        assertEquals(null, firsts.get("b"), "the busiest of three loses every pair it is drawn in");
        // a wins both its pairs (2/3 of draws), c wins only against b (1/3).
        assertEquals(2000, firsts.get("a"), 150);
        assertEquals(1000, firsts.get("c"), 150);
    }

    @Test
    void announcedExtraHoldersShareTheReadsAndUnusableNodesAreNotChosen() {
        Random random = new Random(5);
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
            List<String> order = HolderChoice.order(WALK, 3, List.of("d", "e"), id -> !id.equals("a"), id -> 0.0, random);
            firsts.merge(order.get(0), 1, Integer::sum);
        }
        assertEquals(Set.of("b", "c", "d", "e"), firsts.keySet(), "a (this node, or unreachable) is never asked first");
        for (int n : firsts.values()) {
            assertEquals(1250, n, 200, "equal loads: the reads spread evenly over replicas and extra holders " + firsts);
        }
    }

    @Test
    void holderTableForgetsExpiredAnnouncementsAndStaysBounded() {
        AtomicLong now = new AtomicLong(1000);
        HolderTable table = new HolderTable(2, now::get);
        table.announce("x", List.of("d"), 2000);
        table.announce("x", List.of("e"), 3000);
        assertEquals(List.of("d", "e"), table.holders("x"));
        now.set(2500);
        assertEquals(List.of("e"), table.holders("x"));
        table.announce("y", List.of("d"), 9000);
        table.announce("z", List.of("d"), 9000);
        assertEquals(2, table.size());
        assertEquals(List.of(), table.holders("x"), "the oldest announced chunk made room");
        now.set(9000);
        assertEquals(List.of(), table.holders("z"));
    }
}
