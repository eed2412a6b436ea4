package io.hifadhi.node.replication;

import io.hifadhi.api.store.CorruptDataException;
import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.replication.Messages.Ack;
import io.hifadhi.node.replication.Messages.ChunkData;
import io.hifadhi.node.replication.Messages.ChunkGet;
import io.hifadhi.node.replication.Messages.ChunkPut;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ChunkSource;
import io.hifadhi.ring.KeyHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Verified bytes of a chunk for a read or a repair: this node's copy if it passes its SHA-256 check, else each
 * holder in preference order, failing over on error, absence or a bad hash. A replica that had to fetch a chunk it
 * should hold stores the good copy, so a missing or corrupt local copy heals.
 */
final class ChunkFetcher implements ChunkSource {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkFetcher.class);
    private static final HexFormat HEX = HexFormat.of();

    private final Replication c;

    ChunkFetcher(Replication c) {
        this.c = c;
    }

    /**
     * For a read: this node's copy (replica or cache), else a holder's; this node then stores it in the background
     * if it is a replica, or keeps it in its cache if not (read-through).
     */
    @Override
    public byte[] fetch(ChunkRef ref) throws IOException {
        Optional<byte[]> mine = c.replica().readForRequest(ref);
        if (mine.isPresent()) {
            return mine.get();
        }
        ClusterView v = c.placement().view();
        int n = c.placement().n(v);
        List<String> walk = c.placement().walk(v, KeyHash.ofChunk(HEX.parseHex(ref.id())));
        byte[] bytes = fromPeers(v, c.extraCopies().readOrder(v, walk, n, ref.id()), ref);
        if (!walk.subList(0, n).contains(c.localId())) {
            c.extraCopies().fetchedForClient(ref, bytes);
        } else {
            c.request(v, c.localId(), Messages.CHUNK_PUT, new ChunkPut(ref.id(), bytes, null), Ack.class, Replication.CHUNK_TIMEOUT)
                    .whenComplete((ack, error) -> {
                        if (error == null) {
                            LOG.info("chunk {} restored on this node from a replica", ref.id());
                        } else {
                            LOG.warn("chunk {} could not be restored on this node: {}", ref.id(), error.toString());
                        }
                    });
        }
        return bytes;
    }

    @Override
    public void servingLocally(ChunkRef ref) {
        c.replica().countRead(ref);
    }

    /** A good copy from the other nodes of {@code walk} (reachable ones, in order). */
    byte[] fromPeers(ClusterView v, List<String> walk, ChunkRef ref) throws IOException {
        List<String> problems = new ArrayList<>();
        boolean damaged = false;
        for (String id : walk) {
            if (id.equals(c.localId()) || !v.isReachable(id)) {
                continue;
            }
            try {
                ChunkData data = ReplicatedObjectStore.await(c.request(v, id, Messages.CHUNK_GET,
                        new ChunkGet(ref.id(), ref.length()), ChunkData.class, Replication.CHUNK_TIMEOUT));
                if (data.bytes() == null) {
                    problems.add(id + ": not held");
                } else if (data.bytes().length == ref.length() && LocalReplica.sha256Hex(data.bytes()).equals(ref.id())) {
                    return data.bytes();
                } else {
                    problems.add(id + ": failed its SHA-256 check");
                    damaged = true;
                }
            } catch (IOException e) {
                problems.add(id + ": " + e.getMessage());
            }
        }
        if (damaged) {
            throw new CorruptDataException("no reachable node holds a good copy of chunk " + ref.id() + " " + problems);
        }
        if (walk.stream().allMatch(c.localId()::equals)) {
            // A cluster of one: no other node could ever give this node's damaged (deleted) or lost copy back.
            throw new CorruptDataException("chunk " + ref.id() + " is damaged or missing on this node, and no other node holds a copy");
        }
        // Nobody answered with the chunk (down, busy, or not holding it yet): the data may come back, so 503, not 500.
        throw new StoreUnavailableException("no reachable node could serve chunk " + ref.id() + " " + problems
                + "; retry when more nodes are reachable");
    }
}
