package io.hifadhi.api;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbePoolTest {

    @Test
    void probesBeyondTheWaitingRoomAreRefusedAndTheRoomFreesWhenAThreadStartsOne() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch allRan = new CountDownLatch(3);
        try (ProbePool pool = new ProbePool(1, 2)) {
            assertTrue(pool.enter());
            pool.execute(() -> {
                started.countDown();
                await(release);
                allRan.countDown();
            });
            assertTrue(started.await(5, TimeUnit.SECONDS));
            // The one thread is busy; its probe left the waiting room when it started.
            assertTrue(pool.enter());
            pool.execute(allRan::countDown);
            assertTrue(pool.enter());
            pool.execute(allRan::countDown);
            assertFalse(pool.enter(), "a third waiting probe must be refused");
            release.countDown();
            assertTrue(allRan.await(5, TimeUnit.SECONDS));
            // Both waiting probes have started (and finished): the room is free again.
            assertTrue(pool.enter());
            assertTrue(pool.enter());
            assertFalse(pool.enter());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
