package io.hifadhi.node.replication;

import io.hifadhi.api.store.KeyBusyException;
import io.hifadhi.api.store.KeyLease;
import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.node.replication.Messages.LeaseAnswer;
import io.hifadhi.node.replication.Messages.LeaseAsk;
import io.hifadhi.node.replication.Messages.LeaseRelease;
import io.hifadhi.node.replication.Messages.LeaseReleased;
import io.hifadhi.node.transport.Transport;
import io.hifadhi.ring.KeyHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Cluster-wide locks for conditional writes ({@link io.hifadhi.api.store.ObjectStore#lock}). One node decides for
 * each key, its coordinator ({@link KeyCoordinator}: the first reachable node of the key's preference list). The node
 * a conditional write came to asks it for a lease on the key over the transport (to itself without the network),
 * holds it through the check of the condition and the record's write, then gives it back, also after an error.
 *
 * <p>Bounds, so that nothing hangs: the asker waits at most {@link #WAIT} for a lease, asking again every few
 * milliseconds while another write holds the key; then the write is refused with 503 (SlowDown when another write
 * kept the key, ServiceUnavailable when no node may decide now), with what to retry. A lease runs one TTL (30 s)
 * from its grant or renewal, so a holder that crashed keeps the key at most that long.
 *
 * <p>Coordinator changes. A coordinator keeps its leases in memory ({@link KeyLeases}): a node that becomes a key's
 * coordinator (the previous one died or is suspected, a layout change moved the key, or the node just started) knows
 * none of its predecessor's. So ({@link KeyCoordinator}):
 * <ul>
 * <li>a node grants only for keys it has decided, in its own view and reaching a majority of the members, for a
 * whole TTL since it started: before that it refuses and says when to retry, while every lease its predecessor
 * granted runs out. A node in a minority grants nothing, since the majority may have moved its keys;</li>
 * <li>the holder confirms just before committing ({@link KeyLease#confirm}): in its view the key's coordinator is
 * still the node that granted the lease, and that node renews the lease, which it does only if it still holds it
 * and has decided for the key without a break since. A coordinator that restarted meanwhile does not know the lease, so the write is
 * refused rather than committed.</li>
 * </ul>
 * What stays open: (1) two nodes that each reach a majority but not each other (an asymmetric partition lasting
 * more than a TTL) can both take themselves for a key's coordinator and both grant it; (2) a coordinator that
 * restarts after a holder confirmed and grants the key again while that holder's record is still being written
 * (milliseconds, against a restart's seconds); (3) a holder that stalls between its confirmation and its record
 * write for longer than a TTL (a long GC pause: replicas time out after 5 s); (4) a write whose outcome is unknown
 * (503 after its record went out to fewer than W replicas) gives its lease back, and its record may still reach the
 * replicas later, after a next writer's check. Closing (1) to (3) needs leases granted by a majority, or a consensus
 * log; not done.
 */
final class ClusterKeyLocks {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterKeyLocks.class);
    static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    /** How long a conditional write waits for its key's lease: well below the SDKs' request timeouts. */
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);
    private static final long MIN_ASK_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Pauses between asks while another write holds the key: short, because a holder keeps it for milliseconds. */
    private static final long MAX_BUSY_PAUSE_MILLIS = 50;
    /** Pauses while no node may decide: a view settles in hundreds of milliseconds, a new coordinator in one TTL. */
    private static final long MAX_UNDECIDED_PAUSE_MILLIS = 500;

    /** Why a node may not grant a lease now, and after how many milliseconds asking again may succeed. */
    record Refusal(String reason, long retryMillis) {
    }

    /** Who decides for a key, and whether this node may grant leases on it now. */
    interface Coordination {
        String coordinatorOf(long position);

        /** Null when this node may grant a lease on the key at {@code position} now. */
        Refusal refusal(long position);
    }

    /** Delivers a lease message to a node and completes with its answer: the transport (tests: a direct call). */
    @FunctionalInterface
    interface Courier {
        CompletableFuture<?> send(String node, String type, Object message);
    }

    private final String localId;
    private final KeyLeases leases;
    private final Coordination coordination;
    private final Courier courier;
    private final Duration wait;

    ClusterKeyLocks(String localId, KeyLeases leases, Coordination coordination, Courier courier, Duration wait) {
        this.localId = localId;
        this.leases = leases;
        this.coordination = coordination;
        this.courier = courier;
        this.wait = wait;
    }

    void register(Transport transport) {
        transport.handle(Messages.LEASE_ASK, LeaseAsk.class, this::answer);
        transport.handle(Messages.LEASE_RELEASE, LeaseRelease.class, this::release);
    }

    // ---- as a key's coordinator ----

    LeaseAnswer answer(LeaseAsk ask) {
        long position = KeyHash.ofObject(ask.bucket(), ask.key());
        String name = name(ask.bucket(), ask.key());
        Refusal refusal = coordination.refusal(position);
        if (ask.renew()) {
            // Renewed only while this node has decided for the key without a break since the grant: after a break
            // another node may have begun to decide, and its wait counts from then, not from this renewal.
            if (refusal != null) {
                return refused(false, refusal.reason(), 0);
            }
            return leases.renew(name, ask.holder()) ? granted()
                    : refused(false, "node " + localId + " no longer holds the lease (it ran out, or the node restarted)", 0);
        }
        if (refusal != null) {
            return refused(false, refusal.reason(), refusal.retryMillis());
        }
        if (leases.grant(name, ask.holder())) {
            return granted();
        }
        return refused(true, "another conditional write of the key holds its lease", leases.heldForMillis(name));
    }

    LeaseReleased release(LeaseRelease release) {
        return new LeaseReleased(leases.release(name(release.bucket(), release.key()), release.holder()));
    }

    private LeaseAnswer granted() {
        return new LeaseAnswer(true, false, 0, null);
    }

    private static LeaseAnswer refused(boolean held, String why, long retryMillis) {
        return new LeaseAnswer(false, held, retryMillis, why);
    }

    private static String name(String bucket, String key) {
        return bucket + '\u0000' + key;
    }

    // ---- as the node a conditional write came to ----

    /** Waits at most {@link #WAIT} for the key's lease from its coordinator. */
    KeyLease lock(String bucket, String key) throws IOException {
        long position = KeyHash.ofObject(bucket, key);
        LeaseAsk ask = new LeaseAsk(bucket, key, localId + "/" + UUID.randomUUID(), false);
        long deadline = System.nanoTime() + wait.toNanos();
        long busyPause = 2;
        while (true) {
            String coordinator = coordination.coordinatorOf(position);
            LeaseAnswer answer;
            try {
                answer = ask(coordinator, ask, deadline);
            } catch (IOException e) {
                // The grant may have been made and only its answer lost: give back what may be ours.
                giveBack(coordinator, ask.bucket(), ask.key(), ask.holder());
                if (e instanceof InterruptedIOException) {
                    throw e;
                }
                answer = refused(false, "node " + coordinator + ", which decides for the key, did not answer ("
                        + e.getMessage() + ")", 0);
            }
            if (answer.granted()) {
                return new Held(ask, position, coordinator);
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            long pause = answer.held() ? busyPause : Math.min(Math.max(answer.retryMillis(), 20), MAX_UNDECIDED_PAUSE_MILLIS);
            if (left <= 0 || (!answer.held() && answer.retryMillis() > left)) {
                throw gaveUp(bucket, key, coordinator, answer);
            }
            sleep(Math.min(pause, left));
            busyPause = Math.min(busyPause * 2, MAX_BUSY_PAUSE_MILLIS);
        }
    }

    private IOException gaveUp(String bucket, String key, String coordinator, LeaseAnswer last) {
        if (last.held()) {
            return new KeyBusyException("Other conditional writes of " + bucket + "/" + key + " kept the key busy for"
                    + " the whole " + wait.toSeconds() + " s this one may wait (node " + coordinator + " decides for"
                    + " it); nothing was written. Retry the request, with fewer concurrent writers of this key.");
        }
        long retry = Math.max(1, (last.retryMillis() + 999) / 1000);
        return new StoreUnavailableException("Cannot run the conditional write of " + bucket + "/" + key + " now: "
                + last.refusal() + ". Nothing was written; retry in about " + retry + " s.");
    }

    private LeaseAnswer ask(String coordinator, LeaseAsk ask, long deadline) throws IOException {
        // Never shorter than a slow answer takes: the last ask of a wait must still be able to tell "busy" from "silent".
        long timeout = Math.min(ASK_TIMEOUT.toNanos(), Math.max(MIN_ASK_TIMEOUT_NANOS, deadline - System.nanoTime()));
        try {
            return (LeaseAnswer) courier.send(coordinator, Messages.LEASE_ASK, ask).get(timeout, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while asking for the key's lease");
        } catch (TimeoutException e) {
            throw new IOException("no answer within " + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms");
        } catch (ExecutionException | RuntimeException e) {
            throw new IOException(String.valueOf(Transport.unwrap(e).getMessage()), e);
        }
    }

    private void giveBack(String coordinator, String bucket, String key, String holder) {
        try {
            courier.send(coordinator, Messages.LEASE_RELEASE, new LeaseRelease(bucket, key, holder)).whenComplete((r, e) -> {
                if (e != null) {
                    LOG.debug("lease on {}/{} not given back to {} (it runs out by itself): {}", bucket, key, coordinator,
                            Transport.unwrap(e).toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("lease on {}/{} not given back to {}: {}", bucket, key, coordinator, e.toString());
        }
    }

    private static void sleep(long millis) throws InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the key's lease");
        }
    }

    /** A lease this node holds for one conditional write. */
    private final class Held implements KeyLease {
        private final LeaseAsk granted;
        private final long position;
        private final String coordinator;

        Held(LeaseAsk granted, long position, String coordinator) {
            this.granted = granted;
            this.position = position;
            this.coordinator = coordinator;
        }

        @Override
        public void confirm() throws IOException {
            String what = "the conditional write of " + granted.bucket() + "/" + granted.key();
            String now = coordination.coordinatorOf(position);
            if (!now.equals(coordinator)) {
                throw new StoreUnavailableException("The node deciding for " + what + " changed from " + coordinator
                        + " to " + now + " while it ran; nothing was written. Retry the request.");
            }
            LeaseAsk renew = new LeaseAsk(granted.bucket(), granted.key(), granted.holder(), true);
            LeaseAnswer answer;
            try {
                answer = ask(coordinator, renew, System.nanoTime() + ASK_TIMEOUT.toNanos());
            } catch (IOException e) {
                throw new StoreUnavailableException("Could not confirm the lease of " + what + " with node "
                        + coordinator + " (" + e.getMessage() + "); nothing was written. Retry the request.");
            }
            if (!answer.granted()) {
                throw new StoreUnavailableException("Lost the lease of " + what + " before its commit: "
                        + answer.refusal() + "; nothing was written. Retry the request.");
            }
        }

        @Override
        public void close() {
            giveBack(coordinator, granted.bucket(), granted.key(), granted.holder());
        }
    }
}
