package io.hifadhi.node.cache;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpaceSavingTest {

    @Test
    void countsExactlyWhileTheKeysFit() {
        SpaceSaving<String> s = new SpaceSaving<>(4);
        for (int i = 0; i < 10; i++) {
            s.offer("a", 1);
        }
        for (int i = 0; i < 3; i++) {
            assertNull(s.offer("b", 1));
        }
        s.offer("c", 2.5);
        List<SpaceSaving.Estimate<String>> top = s.top(10);
        assertEquals(List.of("a", "b", "c"), top.stream().map(SpaceSaving.Estimate::key).toList());
        assertEquals(10, top.get(0).count());
        assertEquals(0, top.get(0).error());
        assertEquals(2.5, s.estimate("c"));
        assertEquals(0, s.estimate("never"));
    }

    @Test
    void memoryStaysBoundedAndHeavyHittersSurviveAFloodOfDistinctKeys() {
        int capacity = 32;
        SpaceSaving<String> s = new SpaceSaving<>(capacity);
        Random random = new Random(7);
        Map<String, Integer> truth = new HashMap<>();
        long total = 0;
        for (int i = 0; i < 200_000; i++) {
            // 10% of reads to one key, 5% to another, the rest spread over 100,000 keys.
            double r = random.nextDouble();
            String key = r < 0.10 ? "hot" : r < 0.15 ? "warm" : "k" + random.nextInt(100_000);
            s.offer(key, 1);
            truth.merge(key, 1, Integer::sum);
            total++;
            assertTrue(s.size() <= capacity);
        }
        List<SpaceSaving.Estimate<String>> top = s.top(2);
        assertEquals("hot", top.get(0).key());
        assertEquals("warm", top.get(1).key());
        for (SpaceSaving.Estimate<String> e : s.top(capacity)) {
            int actual = truth.get(e.key());
            // The Space-Saving guarantee: count - error <= true <= count, and error <= total / capacity.
            assertTrue(e.count() >= actual, e + " under " + actual);
            assertTrue(e.count() - e.error() <= actual, e + " over " + actual);
            assertTrue(e.error() <= (double) total / capacity, e.toString());
        }
    }

    @Test
    void decayFadesOldReadsAndForgetsKeysThatStopped() {
        SpaceSaving<String> s = new SpaceSaving<>(8);
        s.offer("burst", 100);
        s.offer("steady", 1);
        for (int tick = 0; tick < 200; tick++) {
            s.decay(0.5);
            s.offer("steady", 1);
        }
        assertEquals(0, s.estimate("burst"), "a burst long ago is forgotten");
        // A steady 1 per tick with factor 0.5 settles at 1 / (1 - 0.5) = 2.
        assertEquals(2.0, s.estimate("steady"), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> s.decay(0));
        assertThrows(IllegalArgumentException.class, () -> s.offer("x", 0));
    }

    @Test
    void aNewKeyDisplacesTheSmallestAndInheritsItsCountAsError() {
        SpaceSaving<String> s = new SpaceSaving<>(2);
        s.offer("a", 5);
        s.offer("b", 2);
        assertEquals("b", s.offer("c", 1));
        assertEquals(3, s.estimate("c"));
        assertEquals(2, s.top(2).get(1).error());
    }
}
