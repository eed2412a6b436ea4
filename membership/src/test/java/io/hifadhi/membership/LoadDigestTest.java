package io.hifadhi.membership;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadDigestTest {
    @Test
    void aDecayingIdleRateIsNotWorthGossipingButARealChangeIs() {
        LoadDigest idle = new LoadDigest(0.0192, 310, 52_011);
        assertFalse(idle.differsMateriallyFrom(new LoadDigest(0.0188, 300, 50_000)), "a few percent of nothing");
        assertFalse(new LoadDigest(100, 0, 0).differsMateriallyFrom(new LoadDigest(95, 0, 0)), "5 % of a busy node");
        assertTrue(new LoadDigest(100, 0, 0).differsMateriallyFrom(new LoadDigest(80, 0, 0)), "20 % of a busy node");
        assertTrue(idle.differsMateriallyFrom(new LoadDigest(3, 310, 52_011)), "requests started");
        assertTrue(idle.differsMateriallyFrom(new LoadDigest(0.0192, 310, 40_000_000)), "a download started");
    }
}
