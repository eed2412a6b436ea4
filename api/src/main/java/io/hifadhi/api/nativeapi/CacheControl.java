package io.hifadhi.api.nativeapi;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Asks other nodes to cache an object now (POST /api/v1/cache); the node implements it. */
public interface CacheControl {

    /**
     * @param chunks  how many chunks the object has (0 when its bytes live in its record: nothing to cache)
     * @param placed  how many chunk copies beyond the replicas are now held (at most chunks x copies)
     * @param holders the nodes beyond the replica set that now hold copies (each chunk has its own neighbours)
     */
    record CacheOutcome(int chunks, int placed, List<String> holders) {
        public CacheOutcome {
            holders = List.copyOf(holders);
        }
    }

    /** Puts {@code copies} extra copies of the object's chunks on ring neighbours; empty when no live object is there. */
    Optional<CacheOutcome> cache(String bucket, String key, int copies) throws IOException;
}
