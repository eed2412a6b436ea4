package io.hifadhi.api.s3;

import io.hifadhi.api.store.KeyBusyException;
import io.hifadhi.api.store.KeyLease;
import io.hifadhi.api.store.ObjectStore;
import io.hifadhi.api.store.StoredObject;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * S3's conditional writes: PutObject and CompleteMultipartUpload with {@code If-None-Match: *}
 * (only if no object is there) or {@code If-Match: <etag>} (only if the object there has that ETag).
 * A failed condition is 412 PreconditionFailed and nothing is published.
 *
 * <p>Atomicity: a conditional write holds a lease on its key from the check to the end of its commit, and the check
 * reads the object at read quorum. Since R + W exceeds N, the check sees every write acknowledged before it, so
 * conditional writes of one key are serialized <em>across the cluster</em>: of five {@code If-None-Match: *} PUTs
 * sent through five nodes at the same moment exactly one succeeds. Two locks are taken, in this order:
 * <ol>
 * <li>this node's lock for the key (one of 1024 stripes), so that writes through one node queue here and only one
 * of them at a time asks the cluster;</li>
 * <li>the store's lease ({@link ObjectStore#lock}): on a cluster, granted by the key's coordinator, the first
 * reachable node of the key's preference list, for a bounded time (lease TTL, 30 s) so that a crashed holder
 * cannot keep the key; {@link KeyLease#LOCAL} for a store alone.</li>
 * </ol>
 * The body is staged before either is taken: they cover only the check and the record's write. Just before the
 * commit the lease is confirmed with its coordinator ({@link KeyLease#confirm}); a lease that lapsed or whose
 * coordinator changed meanwhile refuses the write (503) instead of committing unserialized. Waits are bounded:
 * a key kept busy by other writes answers 503 SlowDown, a cluster that cannot decide right now 503
 * ServiceUnavailable, each with a message saying what to retry. What a coordinator change still leaves open is in
 * the node's {@code ClusterKeyLocks}. Unconditional writes take no lock: S3 lets them win last anyway.
 */
final class ConditionalWrites {
    private static final int STRIPES = 1024;
    /** Longer than a lease's wait (10 s) plus a commit: a waiter here gives up only behind a write that is stuck. */
    private static final long LOCAL_WAIT_SECONDS = 30;

    private final ObjectStore store;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    ConditionalWrites(ObjectStore store) {
        this.store = store;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** What the request's If-Match / If-None-Match ask of the object it writes. */
    record Condition(boolean mustBeAbsent, String etag) {
        static final Condition NONE = new Condition(false, null);

        boolean isNone() {
            return !mustBeAbsent && etag == null;
        }
    }

    @FunctionalInterface
    interface Write<T> {
        T run() throws IOException, S3Exception;
    }

    /**
     * The request's condition; NotImplemented for If-None-Match with an ETag (S3 takes only "*" on
     * writes), InvalidArgument for an empty If-Match.
     */
    static Condition of(S3Request r) throws S3Exception {
        String noneMatch = r.header("If-None-Match");
        String match = r.header("If-Match");
        if (noneMatch != null && !noneMatch.trim().equals("*")) {
            throw new S3Exception(S3Error.NotImplemented, "If-None-Match on a write takes only \"*\" (write only if"
                    + " no object exists).", Map.of("Header", "If-None-Match"));
        }
        String etag = null;
        if (match != null) {
            etag = match.trim();
            if (etag.startsWith("\"") && etag.endsWith("\"") && etag.length() >= 2) {
                etag = etag.substring(1, etag.length() - 1);
            }
            if (etag.isEmpty()) {
                throw new S3Exception(S3Error.InvalidArgument, "If-Match needs the ETag the object must have.",
                        Map.of("ArgumentName", "If-Match"));
            }
        }
        return new Condition(noneMatch != null, etag);
    }

    /**
     * Runs {@code write} if the condition holds now, atomically with respect to every other conditional write of the
     * key the store can see.
     */
    <T> T write(String bucket, String key, Condition condition, Write<T> write) throws IOException, S3Exception {
        if (condition.isNone()) {
            return write.run();
        }
        ReentrantLock lock = locks[Math.floorMod((bucket + '/' + key).hashCode(), STRIPES)];
        lockLocally(lock, bucket, key);
        try (KeyLease lease = store.lock(bucket, key)) {
            check(bucket, key, condition);
            lease.confirm();
            return write.run();
        } catch (KeyBusyException e) {
            throw new S3Exception(S3Error.SlowDown, e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** Waits a bounded time: a write that hangs in its commit must not hang every later one of the key. */
    private static void lockLocally(ReentrantLock lock, String bucket, String key) throws S3Exception, IOException {
        try {
            if (!lock.tryLock(LOCAL_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new S3Exception(S3Error.SlowDown, "Another conditional write of " + bucket + "/" + key + " through"
                        + " this node has not finished within " + LOCAL_WAIT_SECONDS + " s; retry the request later.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the key's lock");
        }
    }

    /** Checks without the lock: refuses early, before a body is staged. */
    void check(String bucket, String key, Condition condition) throws IOException, S3Exception {
        if (condition.isNone()) {
            return;
        }
        Optional<StoredObject> current = store.get(bucket, key);
        if (condition.mustBeAbsent() && current.isPresent()) {
            throw new S3Exception(S3Error.PreconditionFailed, "At least one of the pre-conditions you specified did"
                    + " not hold: If-None-Match: * and an object already exists under this key.",
                    Map.of("Condition", "If-None-Match"));
        }
        if (condition.etag() != null) {
            if (current.isEmpty()) {
                throw new S3Exception(S3Error.NoSuchKey, "The specified key does not exist, so If-Match cannot hold.",
                        Map.of("Key", key));
            }
            if (!condition.etag().equals("*") && !current.get().info().etag().equals(condition.etag())) {
                throw new S3Exception(S3Error.PreconditionFailed, "At least one of the pre-conditions you specified did"
                        + " not hold: If-Match names another ETag than the object's.", Map.of("Condition", "If-Match"));
            }
        }
    }
}
