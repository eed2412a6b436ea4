package io.hifadhi.node.replication;

/**
 * The bandwidth a node spends moving data after a layout change ({@code --transfer-rate}): chunk bytes it fetches
 * as a new owner and pushes when handing over, together. Zero means no limit.
 */
public final class TransferRate {
    private final long bytesPerSecond;
    private long nextFreeNanos;

    public TransferRate(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("the transfer rate must not be negative");
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    public static TransferRate unlimited() {
        return new TransferRate(0);
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Waits until {@code bytes} more fit under the rate. */
    void acquire(long bytes) throws InterruptedException {
        if (bytesPerSecond == 0 || bytes <= 0) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long start = Math.max(now, nextFreeNanos);
            nextFreeNanos = start + bytes * 1_000_000_000L / bytesPerSecond;
            wait = start - now;
        }
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
