package io.hifadhi.membership;

/**
 * A member's recent load as it gossips it (rates from its meters, e.g. one-minute rates). Readers use it to
 * pick the least-loaded holder of a chunk; the console shows it per node.
 *
 * @param hotObjects objects the member currently spreads to its neighbours because they are read hot
 */
public record LoadDigest(double requestsPerSecond, double bytesInPerSecond, double bytesOutPerSecond, int hotObjects) {

    public static final LoadDigest IDLE = new LoadDigest(0, 0, 0, 0);

    public LoadDigest {
        if (!(requestsPerSecond >= 0) || !(bytesInPerSecond >= 0) || !(bytesOutPerSecond >= 0) || hotObjects < 0) {
            throw new IllegalArgumentException("load rates must be finite and >= 0, hot objects >= 0");
        }
    }

    /** Rates only, nothing hot. */
    public LoadDigest(double requestsPerSecond, double bytesInPerSecond, double bytesOutPerSecond) {
        this(requestsPerSecond, bytesInPerSecond, bytesOutPerSecond, 0);
    }

    /**
     * Whether {@code other} differs enough from this digest to be worth gossiping: some rate moved by more than
     * 10 % of the larger value and by more than a floor (0.5 request/s, 64 KiB/s). A decaying one-minute rate
     * changes a little every second; announcing each such change to every member would be most of the cluster's
     * idle traffic, and nobody places load on a difference of a few percent. Any change in the hot objects counts
     * (it is rare, and a person watching the console expects to see it).
     */
    public boolean differsMateriallyFrom(LoadDigest other) {
        return hotObjects != other.hotObjects || moved(requestsPerSecond, other.requestsPerSecond, 0.5)
                || moved(bytesInPerSecond, other.bytesInPerSecond, 64 * 1024)
                || moved(bytesOutPerSecond, other.bytesOutPerSecond, 64 * 1024);
    }

    private static boolean moved(double a, double b, double floor) {
        double d = Math.abs(a - b);
        return d > floor && d > 0.1 * Math.max(a, b);
    }
}
