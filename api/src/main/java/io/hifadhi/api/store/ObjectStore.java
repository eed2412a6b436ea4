package io.hifadhi.api.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * What the HTTP surface needs from storage. The node supplies an implementation (local today,
 * replicated later); the native API and the S3 handlers share it.
 *
 * <p>Writes are two-phase so that a body can be streamed before its key or metadata is known (a
 * multipart form may send the file before its name; S3 may check Content-MD5 before committing):
 * {@link #stage} durably stores the bytes and returns their digest, {@link #commit} makes them
 * visible under a key. A staged body that is never committed leaves only unreferenced chunks.
 */
public interface ObjectStore {

    /** Streams {@code body} to durable storage until EOF. Memory use does not grow with the body. */
    StagedBody stage(InputStream body) throws IOException;

    /** Publishes a staged body under the write's bucket and key (last writer wins). Durable on return. */
    PutResult commit(ObjectWrite write, StagedBody body) throws IOException;

    default PutResult put(ObjectWrite write, InputStream body) throws IOException {
        return commit(write, stage(body));
    }

    /**
     * The right to run one conditional write of {@code bucket/key} (check, then commit) while no other conditional
     * write of that key runs anywhere the store reaches. The caller holds its own per-key lock around this, so the
     * default, for a store that alone writes its keys, is {@link KeyLease#LOCAL}; a replicated store asks the one node
     * that decides for the key. Waits a bounded time: {@link KeyBusyException} when another write kept the key for all
     * of it, {@link StoreUnavailableException} when no node may decide right now.
     */
    default KeyLease lock(String bucket, String key) throws IOException {
        return KeyLease.LOCAL;
    }

    /** The current version of an object, or empty when absent or deleted. */
    Optional<StoredObject> get(String bucket, String key) throws IOException;

    /**
     * Replaces the S3 tags of the live object: a new version of its record with the same body, metadata and
     * last-modified time, written like any other write. Returns the object afterwards, or empty when there is no
     * live object. {@code tags} are already validated.
     */
    Optional<ObjectInfo> retag(String bucket, String key, java.util.Map<String, String> tags) throws IOException;

    /** Writes a tombstone. Returns whether a live object was there. */
    boolean delete(String bucket, String key) throws IOException;

    /**
     * Deletes exactly the version {@code version} ({@link ObjectInfo#version()}) of an object: a write of the key made
     * after that version was read survives (a move that copied one version must not delete a newer one). Durable on
     * return; whether a newer version is there afterwards, {@link #get} tells.
     */
    void deleteVersion(String bucket, String key, String version) throws IOException;

    /** Live objects of a bucket whose key starts with {@code prefix}, in key order, after {@code startAfter}. */
    ListPage list(String bucket, String prefix, String startAfter, int maxKeys) throws IOException;

    /**
     * Why data requests are refused right now (this node is rejoining its cluster, or too few nodes are reachable
     * for a quorum), or empty while they are served. {@code /api/v1/health} reports it, so load balancers can
     * route around the node.
     */
    default Optional<String> unavailableReason() {
        return Optional.empty();
    }
}
