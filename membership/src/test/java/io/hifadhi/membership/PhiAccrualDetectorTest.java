package io.hifadhi.membership;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class PhiAccrualDetectorTest {

    private final FailureDetectorSettings fd = FailureDetectorSettings.defaults();

    private PhiAccrualDetector steady(long until) {
        PhiAccrualDetector d = new PhiAccrualDetector(100, fd.minStdDev().toMillis(),
                fd.acceptablePause().toMillis(), fd.pingInterval().toMillis());
        for (long t = 0; t <= until; t += 200) {
            d.heartbeat(t);
        }
        return d;
    }

    @Test
    void lowWhileHeartbeatsArriveAndCrossesTheThresholdWellWithinThreeSeconds() {
        PhiAccrualDetector d = steady(10_000);
        assertTrue(d.phi(10_100) < 1, "phi right after a heartbeat");
        assertTrue(d.phi(10_000 + 1_000) < fd.phiThreshold(), "a 1 s stall is tolerated");
        long crossing = -1;
        for (long t = 10_000; t < 20_000; t += 10) {
            if (d.phi(t) > fd.phiThreshold()) {
                crossing = t - 10_000;
                break;
            }
        }
        assertTrue(crossing > 1_000 && crossing < 2_500, "threshold crossed after " + crossing + " ms");
    }

    @Test
    void phiGrowsMonotonicallyWithSilence() {
        PhiAccrualDetector d = steady(5_000);
        double prev = -1;
        for (long t = 5_000; t < 9_000; t += 50) {
            double phi = d.phi(t);
            assertTrue(phi >= prev, "phi decreased at " + t);
            assertTrue(Double.isFinite(phi), "phi not finite at " + t);
            prev = phi;
        }
    }

    @Test
    void jitteryIntervalsWidenTheTolerance() {
        PhiAccrualDetector calm = steady(10_000);
        PhiAccrualDetector jittery = new PhiAccrualDetector(100, fd.minStdDev().toMillis(),
                fd.acceptablePause().toMillis(), 200);
        long t = 0;
        for (int i = 0; i < 60; i++) {
            t += (i % 2 == 0) ? 50 : 650;
            jittery.heartbeat(t);
        }
        assertTrue(jittery.phi(t + 1_600) < calm.phi(10_000 + 1_600));
    }
}
