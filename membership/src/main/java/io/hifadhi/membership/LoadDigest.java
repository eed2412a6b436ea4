package io.hifadhi.membership;

/**
 * A member's recent load as it gossips it (rates from its meters, e.g. one-minute rates). Readers use it to
 * pick the least-loaded holder of a chunk.
 */
public record LoadDigest(double requestsPerSecond, double bytesInPerSecond, double bytesOutPerSecond) {

    public static final LoadDigest IDLE = new LoadDigest(0, 0, 0);

    public LoadDigest {
        if (!(requestsPerSecond >= 0) || !(bytesInPerSecond >= 0) || !(bytesOutPerSecond >= 0)) {
            throw new IllegalArgumentException("load rates must be finite and >= 0");
        }
    }
}
