package io.hifadhi.membership;

/**
 * Phi-accrual failure detector (Hayashibara et al.) for one peer, over heartbeat arrival times in milliseconds.
 * Not thread-safe: the membership thread owns it. Time is passed in so it can be tested without sleeping.
 */
final class PhiAccrualDetector {

    private final double minStdDevMillis;
    private final double acceptablePauseMillis;
    private final double[] intervals;
    private int count;
    private int next;
    private double sum;
    private double sumSquares;
    private long lastHeartbeat = -1;

    PhiAccrualDetector(int windowSize, double minStdDevMillis, double acceptablePauseMillis, double firstIntervalMillis) {
        this.intervals = new double[windowSize];
        this.minStdDevMillis = minStdDevMillis;
        this.acceptablePauseMillis = acceptablePauseMillis;
        // Seed with a plausible interval (and its spread) so the first seconds behave like steady state.
        add(firstIntervalMillis - firstIntervalMillis / 4);
        add(firstIntervalMillis + firstIntervalMillis / 4);
    }

    void heartbeat(long nowMillis) {
        if (lastHeartbeat >= 0) {
            add(nowMillis - lastHeartbeat);
        }
        lastHeartbeat = nowMillis;
    }

    boolean hasHeartbeat() {
        return lastHeartbeat >= 0;
    }

    long lastHeartbeatMillis() {
        return lastHeartbeat;
    }

    /** Phi now; 0 before the first heartbeat. */
    double phi(long nowMillis) {
        if (lastHeartbeat < 0) {
            return 0.0;
        }
        double elapsed = nowMillis - lastHeartbeat;
        double mean = sum / count + acceptablePauseMillis;
        double variance = Math.max(0.0, sumSquares / count - (sum / count) * (sum / count));
        double stdDev = Math.max(Math.sqrt(variance), minStdDevMillis);
        // Logistic approximation of the normal CDF tail (as in Akka/Cassandra), numerically safe far out.
        double y = (elapsed - mean) / stdDev;
        double logE = -y * (1.5976 + 0.070566 * y * y); // ln of e below; e itself underflows after long silence
        if (elapsed > mean) {
            // -log10(e / (1 + e)), kept finite
            return -logE / Math.log(10) + Math.log10(1.0 + Math.exp(logE));
        }
        double e = Math.exp(logE);
        return -Math.log10(1.0 - 1.0 / (1.0 + e));
    }

    private void add(double interval) {
        if (count == intervals.length) {
            double old = intervals[next];
            sum -= old;
            sumSquares -= old * old;
        } else {
            count++;
        }
        intervals[next] = interval;
        next = (next + 1) % intervals.length;
        sum += interval;
        sumSquares += interval * interval;
    }
}
