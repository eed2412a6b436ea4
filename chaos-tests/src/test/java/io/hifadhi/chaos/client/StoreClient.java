package io.hifadhi.chaos.client;

import io.hifadhi.chaos.history.OpType;

import java.util.Optional;
import java.util.Set;

/**
 * One API of one node, as the workload sees it. Keys are workload keys; each implementation maps
 * them into its own namespace (bucket and prefix, or file name) so runs never see each other's data.
 * Implementations are thread-safe.
 */
public interface StoreClient extends AutoCloseable {
    String describe();

    boolean supports(OpType type);

    void put(String key, byte[] body) throws StoreException;

    /** The object's bytes, or empty when the store says it does not exist. */
    Optional<byte[]> get(String key) throws StoreException;

    void delete(String key) throws StoreException;

    /** All workload keys the store lists in this run's namespace. */
    Set<String> list() throws StoreException;

    @Override
    void close();
}
