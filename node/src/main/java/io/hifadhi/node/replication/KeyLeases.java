package io.hifadhi.node.replication;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The leases a key coordinator has granted: at most one holder per key, each lease running for a fixed TTL from its
 * grant (or its last renewal) so that a holder that crashed or lost touch gives the key back by itself. Kept in
 * memory only: a coordinator that restarts knows no leases, which {@link ClusterKeyLocks} accounts for (holders
 * renew before they commit, and a renewal the coordinator cannot match fails). Time is the coordinator's monotonic
 * clock, never a wall clock, so clock steps cannot shorten or stretch a lease.
 */
final class KeyLeases {
    /** Expired leases nobody asked about again are swept after this many grants, so the table stays small. */
    private static final int SWEEP_EVERY = 1024;

    private record Lease(String holder, long expiresAtNanos) {
    }

    private final long ttlNanos;
    private final LongSupplier nanos;
    private final Map<String, Lease> leases = new HashMap<>();
    private int grantsSinceSweep;

    KeyLeases(Duration ttl, LongSupplier nanos) {
        this.ttlNanos = ttl.toNanos();
        this.nanos = nanos;
    }

    /**
     * Grants {@code key} to {@code holder} when nobody holds it, its lease ran out, or {@code holder} already holds it
     * (an asker whose answer was lost asks again: then the lease is renewed).
     */
    synchronized boolean grant(String key, String holder) {
        long now = nanos.getAsLong();
        if (++grantsSinceSweep >= SWEEP_EVERY) {
            grantsSinceSweep = 0;
            leases.values().removeIf(l -> expired(l, now));
        }
        Lease current = leases.get(key);
        if (current != null && !expired(current, now) && !current.holder().equals(holder)) {
            return false;
        }
        leases.put(key, new Lease(holder, now + ttlNanos));
        return true;
    }

    /** Extends the lease of {@code holder} by a TTL from now, only if it holds {@code key} still. */
    synchronized boolean renew(String key, String holder) {
        long now = nanos.getAsLong();
        Lease current = leases.get(key);
        if (current == null || expired(current, now) || !current.holder().equals(holder)) {
            return false;
        }
        leases.put(key, new Lease(holder, now + ttlNanos));
        return true;
    }

    /** Gives {@code key} back; refused (false) for anyone but its holder, so a late release cannot free a later lease. */
    synchronized boolean release(String key, String holder) {
        Lease current = leases.get(key);
        if (current == null || !current.holder().equals(holder)) {
            return false;
        }
        leases.remove(key);
        return true;
    }

    /** How long the current lease of {@code key} still runs; 0 when nobody holds it. */
    synchronized long heldForMillis(String key) {
        Lease current = leases.get(key);
        long now = nanos.getAsLong();
        if (current == null || expired(current, now)) {
            return 0;
        }
        return Math.max(1, (current.expiresAtNanos() - now) / 1_000_000);
    }

    /** Leases in the table, lapsed ones not yet swept included. */
    synchronized int size() {
        return leases.size();
    }

    private static boolean expired(Lease lease, long now) {
        return now - lease.expiresAtNanos() >= 0;
    }
}
