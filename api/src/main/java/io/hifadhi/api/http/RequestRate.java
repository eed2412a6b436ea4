package io.hifadhi.api.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A request-rate limit per client (an address, an access key): up to {@code rate} requests a second,
 * in bursts of up to {@code rate} more, as a token bucket per client. Buckets idle for a minute are
 * forgotten (they are full again by then), so the map holds only recent clients.
 *
 * @param <K> what a client is identified by
 */
public final class RequestRate<K> {
    private static final long FORGET_NANOS = 60_000_000_000L;

    private final int rate;
    private final Map<K, TokenBucket> buckets = new ConcurrentHashMap<>();

    public RequestRate(int rate) {
        if (rate < 1) {
            throw new IllegalArgumentException("a request rate must be at least 1 a second, got " + rate);
        }
        this.rate = rate;
    }

    public int perSecond() {
        return rate;
    }

    /** Takes one request from the client's allowance: 0 when allowed, else the seconds to wait (at least 1). */
    public long take(K client) {
        long now = System.nanoTime();
        long waitNanos = buckets.computeIfAbsent(client, c -> new TokenBucket(rate, now)).take(now);
        return waitNanos == 0 ? 0 : Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    }

    /** Forgets clients idle for a minute. */
    public void sweep() {
        long now = System.nanoTime();
        buckets.values().removeIf(b -> b.idleSince(now) > FORGET_NANOS);
    }

    private static final class TokenBucket {
        private final double perNano;
        private final double capacity;
        private double tokens;
        private long last;

        TokenBucket(int rate, long now) {
            this.perNano = rate / 1e9;
            this.capacity = rate;
            this.tokens = capacity;
            this.last = now;
        }

        /** Takes one token; returns 0, or the nanoseconds until one is available (none taken). */
        synchronized long take(long now) {
            tokens = Math.min(capacity, tokens + Math.max(0, now - last) * perNano);
            last = Math.max(last, now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / perNano);
        }

        synchronized long idleSince(long now) {
            return now - last;
        }
    }
}
