package io.hifadhi.node.replication;

import io.hifadhi.api.nativeapi.ObjectLocator.ChunkLocation;
import io.hifadhi.api.nativeapi.ObjectLocator.ObjectLocation;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.replication.Messages.ChunkHas;
import io.hifadhi.node.replication.Messages.ChunkHave;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.schema.LastWriterWins;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.ring.KeyHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where an object is: the ring's replicas, the members holding its newest record and, per chunk, the members that
 * answer they hold it. Asks every reachable member and repairs nothing (a diagnostic, not a read).
 */
final class ClusterLocate {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLocate.class);

    private ClusterLocate() {
    }

    static Optional<ObjectLocation> locate(Replication c, String bucket, String key) throws IOException {
        ClusterView v = c.placement().view();
        byte[] recordKey = RecordStore.keyOf(bucket, key);
        Map<String, CompletableFuture<ObjectRecord>> replies = new LinkedHashMap<>();
        for (var m : v.all()) {
            if (m.id().equals(c.localId()) || m.isReachable()) {
                replies.put(m.id(), c.recordReplicas().get(v, m.id(), recordKey));
            }
        }
        Map<String, ObjectRecord> held = new LinkedHashMap<>();
        ObjectRecord newest = null;
        for (Map.Entry<String, CompletableFuture<ObjectRecord>> e : replies.entrySet()) {
            try {
                ObjectRecord rec = ReplicatedObjectStore.await(e.getValue());
                if (rec != null) {
                    held.put(e.getKey(), rec);
                    newest = LastWriterWins.newer(newest, rec);
                }
            } catch (IOException ex) {
                LOG.debug("locate: {} did not answer: {}", e.getKey(), ex.getMessage());
            }
        }
        if (newest == null || !newest.liveAt(System.currentTimeMillis())) {
            return Optional.empty();
        }
        List<String> holders = new ArrayList<>();
        for (Map.Entry<String, ObjectRecord> e : held.entrySet()) {
            if (e.getValue().version().equals(newest.version())) {
                holders.add(e.getKey());
            }
        }
        List<String> replicas = c.placement().walk(v, KeyHash.ofObject(bucket, key)).subList(0, c.placement().n(v));
        String[] ids = newest.chunks().stream().map(ChunkRef::id).toArray(String[]::new);
        List<List<String>> chunkHolders = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            chunkHolders.add(new ArrayList<>());
        }
        if (ids.length > 0) {
            Map<String, CompletableFuture<ChunkHave>> haves = new LinkedHashMap<>();
            for (String id : replies.keySet()) {
                haves.put(id, c.request(v, id, Messages.CHUNK_HAS, new ChunkHas(ids), ChunkHave.class, Replication.RECORD_TIMEOUT));
            }
            for (Map.Entry<String, CompletableFuture<ChunkHave>> e : haves.entrySet()) {
                try {
                    boolean[] has = ReplicatedObjectStore.await(e.getValue()).held();
                    for (int i = 0; i < ids.length && i < has.length; i++) {
                        if (has[i]) {
                            chunkHolders.get(i).add(e.getKey());
                        }
                    }
                } catch (IOException ex) {
                    LOG.debug("locate: {} did not answer: {}", e.getKey(), ex.getMessage());
                }
            }
        }
        List<ChunkLocation> chunks = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            chunks.add(new ChunkLocation(i, ids[i], newest.chunks().get(i).length(), chunkHolders.get(i)));
        }
        return Optional.of(new ObjectLocation(bucket, key, newest.size(), newest.version().toString(), holders, replicas,
                newest.inline() != null, chunks));
    }
}
