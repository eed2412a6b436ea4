package io.hifadhi.node.replication;

import io.hifadhi.api.store.StagedBody;
import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.ring.KeyHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An upload's chunks across the cluster: cut from the body one at a time, each sent to the N nodes of its
 * preference list ({@link KeyHash#ofChunk}) with W durable acks awaited, so memory stays bounded whatever the
 * replicas' speed; and the collector's write barrier ({@link #keep}) for chunks a record is about to name.
 */
final class ChunkUpload {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkUpload.class);
    private static final HexFormat HEX = HexFormat.of();
    /** Chunks whose W acks are awaited before the next is read. */
    private static final int CHUNKS_IN_FLIGHT = 2;
    /**
     * Chunks whose sends have not all finished (a slow replica past the quorum still holds their bytes in
     * flight). Bounding them bounds an upload's memory whatever the replicas' speed.
     */
    private static final int CHUNKS_UNSETTLED = 3;

    private ChunkUpload() {
    }

    /**
     * A body staged across the cluster: inline bytes or chunks that reached W replicas each.
     *
     * @param stagedAtMillis when staging began (the chunk collector's write barrier, see {@link #keep})
     */
    record Staged(long size, String md5Hex, byte[] inline, List<ChunkRef> chunks, long stagedAtMillis) implements StagedBody {
        Staged {
            chunks = List.copyOf(chunks);
        }
    }

    /** Stages a body: inline when small, else chunk by chunk, each on W of its N replicas before the next is cut. */
    static Staged stage(Replication c, InputStream body) throws IOException {
        long stagedAt = System.currentTimeMillis();
        MessageDigest md5 = digest("MD5");
        byte[] head = body.readNBytes(ReplicatedObjectStore.INLINE_MAX + 1);
        md5.update(head);
        if (head.length <= ReplicatedObjectStore.INLINE_MAX) {
            return new Staged(head.length, HEX.formatHex(md5.digest()), head, List.of(), stagedAt);
        }
        int chunkSize = c.chunkSize();
        List<ChunkRef> refs = new ArrayList<>();
        Deque<CompletableFuture<?>> inFlight = new ArrayDeque<>();
        Deque<CompletableFuture<Void>> unsettled = new ArrayDeque<>();
        long size = 0;
        byte[] buffer = new byte[chunkSize];
        System.arraycopy(head, 0, buffer, 0, head.length);
        int filled = head.length;
        try {
            while (true) {
                int n = body.readNBytes(buffer, filled, chunkSize - filled);
                md5.update(buffer, filled, n);
                filled += n;
                if (filled == 0) {
                    break;
                }
                byte[] bytes = filled == chunkSize ? buffer : Arrays.copyOf(buffer, filled);
                byte[] sha = digest("SHA-256").digest(bytes);
                ChunkRef ref = new ChunkRef(HEX.formatHex(sha), bytes.length);
                refs.add(ref);
                size += bytes.length;
                QuorumWrite.Pending pending = replicate(c, ref, sha, bytes);
                inFlight.add(pending.quorum());
                unsettled.add(pending.settled());
                while (inFlight.size() >= CHUNKS_IN_FLIGHT) {
                    ReplicatedObjectStore.await(inFlight.removeFirst());
                }
                while (!unsettled.isEmpty() && (unsettled.peekFirst().isDone() || unsettled.size() > CHUNKS_UNSETTLED)) {
                    ReplicatedObjectStore.await(unsettled.removeFirst());
                }
                boolean last = filled < chunkSize;
                buffer = new byte[chunkSize];
                filled = 0;
                if (last) {
                    break;
                }
            }
            while (!inFlight.isEmpty()) {
                ReplicatedObjectStore.await(inFlight.removeFirst());
            }
        } finally {
            inFlight.forEach(f -> f.cancel(false));
        }
        return new Staged(size, HEX.formatHex(md5.digest()), null, refs, stagedAt);
    }

    /**
     * Whether a body whose staging began at {@code stagedAtMillis} must have its chunks put again ({@link #keep})
     * before its record is written: the collector's proof allows a quarter of the grace between a chunk's put and the
     * reference to it (another quarter for the record write itself, half for the collector's own round).
     */
    static boolean stagedLongAgo(long stagedAtMillis, long gcGraceMillis) {
        return System.currentTimeMillis() - stagedAtMillis > gcGraceMillis / 4;
    }

    /** Sends one chunk to the N nodes of its preference list; the returned quorum completes with W durable acks. */
    static QuorumWrite.Pending replicate(Replication c, ChunkRef ref, byte[] sha, byte[] bytes) {
        ClusterView v = c.placement().view();
        return c.sharded().write("chunk " + ref.id(), v, KeyHash.ofChunk(sha), (target, hintFor) -> c.putChunk(v, target, ref, bytes, hintFor));
    }

    /** Replicates inline bytes as one chunk (W acks awaited), for a multipart part that must have a chunk. */
    static ChunkRef asChunk(Replication c, byte[] bytes) throws IOException {
        byte[] sha = digest("SHA-256").digest(bytes);
        ChunkRef ref = new ChunkRef(HEX.formatHex(sha), bytes.length);
        ReplicatedObjectStore.await(replicate(c, ref, sha, bytes).quorum());
        return ref;
    }

    /**
     * The collector's write barrier: touches each chunk on the first N reachable nodes of its preference list (the
     * holders, or their stand-ins) and requires at least one of them to hold it. Touching one holder suffices for
     * safety (that copy outlives the new reference's arrival, see {@link ChunkCollector}); repair copies it back to
     * the others.
     */
    static void keep(Replication c, List<ChunkRef> chunks) throws IOException {
        ClusterView v = c.placement().view();
        int n = c.placement().n(v);
        Map<String, List<ChunkRef>> byNode = new LinkedHashMap<>();
        Map<String, Integer> holders = new LinkedHashMap<>();
        for (ChunkRef ref : chunks) {
            if (holders.putIfAbsent(ref.id(), 0) != null) {
                continue;
            }
            int asked = 0;
            for (String id : c.placement().walk(v, KeyHash.ofChunk(HEX.parseHex(ref.id())))) {
                if (asked == n) {
                    break;
                }
                if (id.equals(c.localId()) || v.isReachable(id)) {
                    byNode.computeIfAbsent(id, x -> new ArrayList<>()).add(ref);
                    asked++;
                }
            }
        }
        Map<String, CompletableFuture<Messages.ChunkHave>> answers = new LinkedHashMap<>();
        byNode.forEach((node, refs) -> answers.put(node, c.request(v, node, Messages.CHUNK_TOUCH,
                new Messages.ChunkTouch(refs.stream().map(ChunkRef::id).toArray(String[]::new),
                        refs.stream().mapToInt(ChunkRef::length).toArray()), Messages.ChunkHave.class, Replication.CHUNK_TIMEOUT)));
        for (Map.Entry<String, CompletableFuture<Messages.ChunkHave>> e : answers.entrySet()) {
            try {
                boolean[] held = ReplicatedObjectStore.await(e.getValue()).held();
                List<ChunkRef> refs = byNode.get(e.getKey());
                for (int i = 0; i < held.length; i++) {
                    if (held[i]) {
                        holders.merge(refs.get(i).id(), 1, Integer::sum);
                    }
                }
            } catch (IOException | RuntimeException ex) {
                LOG.debug("touch of chunks on {} failed: {}", e.getKey(), ex.toString());
            }
        }
        for (Map.Entry<String, Integer> h : holders.entrySet()) {
            if (h.getValue() == 0) {
                throw new StoreUnavailableException("chunk " + h.getKey() + " of this upload is held by none of the reachable"
                        + " nodes that should hold it (collected after sitting unreferenced for longer than the grace period,"
                        + " or its holders are down); upload it again");
            }
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
