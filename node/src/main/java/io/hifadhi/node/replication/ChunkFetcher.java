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
import io.hifadhi.node.transport.ChunkStreamClient;
import io.hifadhi.ring.KeyHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Verified bytes of a chunk for a read or a repair: this node's copy if it passes its checks, else each holder in
 * preference order, failing over on error, absence or bytes that fail their check (the holder's block CRCs as it
 * reads, then a CRC32C of the whole chunk across the transfer; a copy written from them checks its SHA-256). A
 * replica that had to fetch a chunk it should hold stores the good copy, so a missing or corrupt local copy heals.
 *
 * <p>Chunks fetched ahead of a reader ({@link #ahead}) share one budget per node, an eighth of the heap and at most
 * 64 MiB, so read-ahead cannot grow memory with the number of readers: past it, readers fetch when they get there.
 */
final class ChunkFetcher implements ChunkSource {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkFetcher.class);
    private static final HexFormat HEX = HexFormat.of();
    private static final long MAX_AHEAD_BYTES = 64L << 20;

    private final Replication c;
    /** Read-ahead memory, in KiB. */
    private final int aheadBudgetKib;
    private final Semaphore aheadBudget;
    private final LongAdder aheadUsed = new LongAdder();
    private final LongAdder aheadRefetched = new LongAdder();
    private final LongAdder aheadDeclined = new LongAdder();
    private final LongAdder streamFallbacks = new LongAdder();
    /** Fetches ahead block on the data port's sockets: a few threads, enough for the readers two cores can serve. */
    private final ThreadPoolExecutor aheadFetches;

    ChunkFetcher(Replication c) {
        this.c = c;
        this.aheadBudgetKib = (int) (Math.min(MAX_AHEAD_BYTES, Runtime.getRuntime().maxMemory() / 8) >> 10);
        this.aheadBudget = new Semaphore(aheadBudgetKib);
        AtomicInteger n = new AtomicInteger();
        this.aheadFetches = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "hifadhi-fetch-ahead-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        aheadFetches.allowCoreThreadTimeOut(true);
    }

    void close() {
        aheadFetches.shutdownNow();
    }

    /** Fetches that fell back from a holder's data port to the cluster port (port unreachable, not serving yet). */
    long streamFallbacks() {
        return streamFallbacks.sum();
    }

    /** Where a chunk lives in view {@code v}: its preference list, whose first {@code n} are its replicas. */
    private record Route(ClusterView v, int n, List<String> walk) {
        boolean replicaHere(String localId) {
            return walk.subList(0, n).contains(localId);
        }
    }

    private Route route(ChunkRef ref) {
        ClusterView v = c.placement().view();
        return new Route(v, c.placement().n(v), c.placement().walk(v, KeyHash.ofChunk(HEX.parseHex(ref.id()))));
    }

    /** The holders to ask, best first (replicas, extra holders; the less loaded first). */
    private List<String> askOrder(Route r, ChunkRef ref) {
        return c.extraCopies().readOrder(r.v(), r.walk(), r.n(), ref.id());
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
        Route r = route(ref);
        byte[] bytes = fromPeers(r.v(), askOrder(r, ref), ref);
        fetchedForRead(r, ref, bytes);
        return bytes;
    }

    /** What a read does with a chunk it had to fetch: a replica stores it (healing), any other node caches it. */
    private void fetchedForRead(Route r, ChunkRef ref, byte[] bytes) {
        if (!r.replicaHere(c.localId())) {
            c.extraCopies().fetchedForClient(ref, bytes);
        } else {
            c.request(r.v(), c.localId(), Messages.CHUNK_PUT, new ChunkPut(ref.id(), bytes, null), Ack.class, Replication.CHUNK_TIMEOUT)
                    .whenComplete((ack, error) -> {
                        if (error == null) {
                            LOG.info("chunk {} restored on this node from a replica", ref.id());
                        } else {
                            LOG.warn("chunk {} could not be restored on this node: {}", ref.id(), error.toString());
                        }
                    });
        }
    }

    /**
     * Asks the first holder {@link #fetch} would ask, without waiting; declined when the chunk is in this node's
     * cache (cheap when reached) or the read-ahead budget is spent. A failed or wrong answer is not retried here: the
     * reader's {@link Ahead#take()} then fetches as {@link #fetch} does, failing over to the other holders.
     */
    @Override
    public Ahead ahead(ChunkRef ref) {
        int kib = Math.max(1, (ref.length() + 1023) >> 10);
        if (c.extraCopies().hasCached(ref.id()) || !aheadBudget.tryAcquire(kib)) {
            aheadDeclined.increment();
            return null;
        }
        Route r = route(ref);
        Optional<String> first = askOrder(r, ref).stream()
                .filter(id -> !id.equals(c.localId()) && r.v().isReachable(id)).findFirst();
        CompletableFuture<byte[]> bytes;
        if (first.isEmpty()) {
            bytes = CompletableFuture.completedFuture(null);
        } else {
            try {
                bytes = CompletableFuture.supplyAsync(() -> {
                    try {
                        return askHolder(r.v(), first.get(), ref).orElse(null);
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, aheadFetches).exceptionally(error -> {
                    LOG.debug("chunk {} fetched ahead from {} failed: {}", ref.id(), first.get(), error.toString());
                    return null;
                });
            } catch (RejectedExecutionException e) {
                aheadBudget.release(kib);
                aheadDeclined.increment();
                return null;
            }
        }
        return new Ahead() {
            private final AtomicBoolean released = new AtomicBoolean();

            @Override
            public byte[] take() throws IOException {
                byte[] got;
                try {
                    got = ReplicatedObjectStore.await(bytes);
                } finally {
                    release();
                }
                if (got == null) {
                    aheadRefetched.increment();
                    return fetch(ref);
                }
                aheadUsed.increment();
                fetchedForRead(r, ref, got);
                return got;
            }

            @Override
            public void cancel() {
                bytes.cancel(false);
                release();
            }

            private void release() {
                if (released.compareAndSet(false, true)) {
                    aheadBudget.release(kib);
                }
            }
        };
    }

    ReadAheadCounts aheadCounts() {
        return new ReadAheadCounts(aheadUsed.sum(), aheadRefetched.sum(), aheadDeclined.sum(),
                (long) (aheadBudgetKib - aheadBudget.availablePermits()) << 10);
    }

    /**
     * Holder {@code id}'s copy, if it has one: from its chunk data port when it gossips one (the file as it is, every
     * block checked here), else, or when that port fails, over the cluster port, where the holder reads its copy with
     * checks: a copy damaged on its disk is then judged by SHA-256 there and dropped, to be restored.
     *
     * @throws ChunkStreamClient.DamagedInTransfer when the copy failed its checks on the way over the cluster port
     */
    private Optional<byte[]> askHolder(ClusterView v, String id, ChunkRef ref) throws IOException {
        String dataAddress = v.member(id).map(m -> m.metadata().dataAddress()).orElse("");
        if (!dataAddress.isEmpty()) {
            try {
                return c.chunkStream().fetch(dataAddress, ref.id(), ref.length());
            } catch (ChunkStreamClient.DamagedInTransfer e) {
                LOG.warn("{}; asking {} over the cluster port, where it checks its copy", e.getMessage(), id);
            } catch (java.net.SocketTimeoutException e) {
                // Not answering in time: asking again on the other port would only wait as long again.
                throw e;
            } catch (IOException e) {
                streamFallbacks.increment();
                LOG.debug("chunk {} from {}'s data port failed ({}); asking over the cluster port", ref.id(), id, e.toString());
            }
        }
        ChunkData data = ReplicatedObjectStore.await(c.request(v, id, Messages.CHUNK_GET,
                new ChunkGet(ref.id(), ref.length()), ChunkData.class, Replication.CHUNK_TIMEOUT));
        if (data.bytes() == null) {
            return Optional.empty();
        }
        if (!isGood(data, ref)) {
            throw new ChunkStreamClient.DamagedInTransfer("chunk " + ref.id() + " from " + id + " failed its CRC32C check in transfer");
        }
        return Optional.of(data.bytes());
    }

    /**
     * The holder checked its copy against the chunk's block CRCs as it read it (SHA-256 is checked when a copy is
     * written and by the scrub); the CRC32C it sent covers the bytes from there to here.
     */
    private static boolean isGood(ChunkData data, ChunkRef ref) {
        return data.bytes() != null && data.bytes().length == ref.length() && ChunkData.crc32c(data.bytes()) == data.crc32c();
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
                Optional<byte[]> got = askHolder(v, id, ref);
                if (got.isPresent()) {
                    return got.get();
                }
                problems.add(id + ": not held");
            } catch (ChunkStreamClient.DamagedInTransfer e) {
                problems.add(id + ": " + e.getMessage());
                damaged = true;
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
