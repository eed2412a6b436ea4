package io.hifadhi.api.nativeapi;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Where an object lives in the cluster (GET /api/v1/locate/...); the node implements it. */
public interface ObjectLocator {

    /** @param holders ids of the nodes that answered they hold a good copy */
    record ChunkLocation(int index, String id, long size, List<String> holders) {
        public ChunkLocation {
            holders = List.copyOf(holders);
        }
    }

    /**
     * @param recordHolders nodes holding the newest version of the record
     * @param replicas      the nodes the ring assigns the record to (preference list, first N)
     * @param inline        whether the body lives inside the record (then there are no chunks)
     */
    record ObjectLocation(String bucket, String key, long size, String version, List<String> recordHolders,
                          List<String> replicas, boolean inline, List<ChunkLocation> chunks) {
        public ObjectLocation {
            recordHolders = List.copyOf(recordHolders);
            replicas = List.copyOf(replicas);
            chunks = List.copyOf(chunks);
        }
    }

    /** Empty when no live object is stored under the name. */
    Optional<ObjectLocation> locate(String bucket, String key) throws IOException;
}
