package io.hifadhi.api.s3;

import io.hifadhi.api.store.ObjectStore;
import io.hifadhi.api.store.StoredObject;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * S3's conditional writes: PutObject and CompleteMultipartUpload with {@code If-None-Match: *}
 * (only if no object is there) or {@code If-Match: <etag>} (only if the object there has that ETag).
 * A failed condition is 412 PreconditionFailed and nothing is published.
 *
 * <p>Atomicity: a conditional write holds this node's lock for its key (one of 1024 stripes) from
 * the check to the end of its commit, and the check reads the object at read quorum. Since R + W
 * exceeds N, the check sees every write acknowledged before it, so two conditional writes of one
 * key <em>through the same node</em> are serialized: of two {@code If-None-Match: *} PUTs exactly
 * one succeeds. Conditional writes arriving at <em>different</em> nodes at the same moment are not
 * serialized against each other (both checks can pass; the later HLC stamp wins, as for any two
 * writes); nor are unconditional writes, which S3 lets win last anyway. Making them cluster-wide
 * needs one node per key to run the check (see the issue 18 report).
 */
final class ConditionalWrites {
    private static final int STRIPES = 1024;

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

    /** Runs {@code write} if the condition holds now, atomically with respect to this node's other conditional writes. */
    <T> T write(String bucket, String key, Condition condition, Write<T> write) throws IOException, S3Exception {
        if (condition.isNone()) {
            return write.run();
        }
        ReentrantLock lock = locks[Math.floorMod((bucket + '/' + key).hashCode(), STRIPES)];
        lock.lock();
        try {
            check(bucket, key, condition);
            return write.run();
        } finally {
            lock.unlock();
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
