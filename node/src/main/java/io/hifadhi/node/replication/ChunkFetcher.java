package io.hifadhi.node.replication;

import io.hifadhi.api.store.CorruptDataException;
import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;
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
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Verified bytes of a chunk for a read or a repair: this node's copy if it passes its checks, else each holder in
 * preference order, failing over on error, absence or bytes that fail their check (the holder's block CRCs as they
 * arrive, or over the cluster port a CRC32C of the whole chunk across the transfer; a copy written from them checks
 * its SHA-256). A replica that had to fetch a chunk it should hold stores the good copy, so a missing or corrupt local
 * copy heals. A read of several chunks has them streamed ({@link #open}), a few verified blocks at a time.
 *
 * <p>Chunks asked for ahead of a reader ({@link #ahead}) share one budget per node, 64 MiB of chunks asked and not
 * yet taken: their bytes wait in socket buffers, but each holds a connection and a holder's sending thread, so
 * read-ahead cannot grow those with the number of readers; past it, readers ask when they get there.
 */
final class ChunkFetcher implements ChunkSource {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkFetcher.class);
    private static final HexFormat HEX = HexFormat.of();
    private static final int AHEAD_BUDGET_KIB = 64 << 10;
    /** A whole chunk is read this much at a time: the JDK reads into a heap array through a direct buffer this big. */
    private static final int WHOLE_STEP = 256 << 10;

    private final Replication c;
    /** Read-ahead, in KiB of chunks asked for. */
    private final Semaphore aheadBudget = new Semaphore(AHEAD_BUDGET_KIB);
    private final LongAdder aheadUsed = new LongAdder();
    private final LongAdder aheadRefetched = new LongAdder();
    private final LongAdder aheadDeclined = new LongAdder();
    private final LongAdder streamFallbacks = new LongAdder();
    private final LongAdder streamResumes = new LongAdder();

    ChunkFetcher(Replication c) {
        this.c = c;
    }

    /** Fetches that fell back from a holder's data port to the cluster port (port unreachable, not serving yet). */
    long streamFallbacks() {
        return streamFallbacks.sum();
    }

    /** Streamed chunks whose holder failed part way, continued from the same byte from another source. */
    long streamResumes() {
        return streamResumes.sum();
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

    /**
     * The holders to ask, best first (replicas, extra holders; the less loaded first), those that left a read
     * unanswered last: until the failure detector loses a hung holder, a stream asked of it waits out its whole timeout.
     */
    private List<String> askOrder(Route r, ChunkRef ref) {
        return c.silent().last(c.extraCopies().readOrder(r.v(), r.walk(), r.n(), ref.id()));
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
     * For a read of several chunks: streamed from the first holder that has it, or whole when this node should hold
     * it (a replica missing its file: the copy fetched heals it) or has it cached.
     */
    @Override
    public Incoming open(ChunkRef ref) throws IOException {
        Route r = route(ref);
        if (r.replicaHere(c.localId()) || c.extraCopies().hasCached(ref.id())) {
            return Incoming.of(fetch(ref));
        }
        return fromHolders(r.v(), askOrder(r, ref), ref, new Misses());
    }

    /**
     * Sends the request to the first holder {@link #open} would ask, without waiting for its answer: the holder sends
     * the chunk while the reader is still busy with the ones before it, and the bytes wait in the socket's buffers
     * until the reader gets there. Declined when this node should hold the chunk or has it cached, or when the node's
     * read-ahead is in use. A failed or empty answer is not retried here: {@link Ahead#take()} then opens the chunk as
     * {@link #open} does, failing over to the other holders.
     */
    @Override
    public Ahead ahead(ChunkRef ref) {
        Route r = route(ref);
        int kib = Math.max(1, (ref.length() + 1023) >> 10);
        if (r.replicaHere(c.localId()) || c.extraCopies().hasCached(ref.id()) || !aheadBudget.tryAcquire(kib)) {
            aheadDeclined.increment();
            return null;
        }
        List<String> walk = askOrder(r, ref);
        Optional<String> first = walk.stream().filter(id -> !id.equals(c.localId()) && r.v().isReachable(id)).findFirst();
        ChunkStreamClient.Asked asked = null;
        String address = first.map(id -> dataAddress(r.v(), id)).orElse("");
        if (!address.isEmpty()) {
            try {
                asked = c.chunkStream().ask(address, ref.id(), ref.length());
            } catch (IOException e) {
                LOG.debug("chunk {} asked ahead from {} failed: {}", ref.id(), first.get(), e.toString());
            }
        }
        return new AskedAhead(r.v(), walk, first.orElse(null), asked, ref, kib);
    }

    private final class AskedAhead implements Ahead {
        private final ClusterView v;
        private final List<String> walk;
        private final String holder;
        private final ChunkRef ref;
        private final int kib;
        private final AtomicBoolean settled = new AtomicBoolean();
        private final ChunkStreamClient.Asked asked;  // null if the request could not be sent

        AskedAhead(ClusterView v, List<String> walk, String holder, ChunkStreamClient.Asked asked, ChunkRef ref, int kib) {
            this.v = v;
            this.walk = walk;
            this.holder = holder;
            this.asked = asked;
            this.ref = ref;
            this.kib = kib;
        }

        @Override
        public Incoming take() throws IOException {
            if (!settled.compareAndSet(false, true)) {
                throw new IllegalStateException("chunk " + ref.id() + " asked ahead was taken or cancelled already");
            }
            aheadBudget.release(kib);
            if (asked != null) {
                try {
                    Optional<ChunkStreamClient.Transfer> t = asked.answer();
                    if (t.isPresent()) {
                        aheadUsed.increment();
                        return new Streamed(v, walk, holder, t.get(), ref);
                    }
                } catch (IOException e) {
                    LOG.debug("chunk {} asked ahead from {} failed: {}", ref.id(), holder, e.toString());
                }
            }
            aheadRefetched.increment();
            return open(ref);
        }

        @Override
        public void cancel() {
            // Also called when the exchange ends, possibly on another thread than the reader's: settled once.
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            if (asked != null) {
                asked.abandon();
            }
            aheadBudget.release(kib);
        }
    }

    ReadAheadCounts aheadCounts() {
        return new ReadAheadCounts(aheadUsed.sum(), aheadRefetched.sum(), aheadDeclined.sum(),
                (long) (AHEAD_BUDGET_KIB - aheadBudget.availablePermits()) << 10);
    }

    /** What the holders asked for a chunk answered, for the error when none could give it. */
    private static final class Misses {
        final List<String> problems = new ArrayList<>();
        boolean damaged;

        void add(String id, IOException e) {
            problems.add(id + ": " + e.getMessage());
            damaged |= e instanceof ChunkStreamClient.DamagedInTransfer;
        }
    }

    private static String dataAddress(ClusterView v, String id) {
        return v.member(id).map(m -> m.metadata().dataAddress()).orElse("");
    }

    /**
     * The chunk from the first holder in {@code walk} that has it: streamed from its chunk data port when it gossips
     * one, else, or when that port fails before answering, whole over the cluster port, where the holder reads its
     * copy with checks (a copy damaged on its disk is then judged by SHA-256 there and dropped, to be restored).
     */
    private Incoming fromHolders(ClusterView v, List<String> walk, ChunkRef ref, Misses misses) throws IOException {
        for (String id : walk) {
            if (id.equals(c.localId()) || !v.isReachable(id)) {
                continue;
            }
            String address = dataAddress(v, id);
            if (!address.isEmpty()) {
                try {
                    Optional<ChunkStreamClient.Transfer> t = c.chunkStream().ask(address, ref.id(), ref.length()).answer();
                    if (t.isPresent()) {
                        return new Streamed(v, walk, id, t.get(), ref);
                    }
                    misses.problems.add(id + ": not held");
                    continue;
                } catch (IOException e) {
                    Optional<Incoming> got = overClusterPortAfter(v, id, ref, e, misses);
                    if (got.isPresent()) {
                        return got.get();
                    }
                    continue;
                }
            }
            try {
                Optional<byte[]> got = overClusterPort(v, id, ref);
                if (got.isPresent()) {
                    return Incoming.of(got.get());
                }
                misses.problems.add(id + ": not held");
            } catch (IOException e) {
                misses.add(id, e);
            }
        }
        if (misses.damaged) {
            throw new CorruptDataException("no reachable node holds a good copy of chunk " + ref.id() + " " + misses.problems);
        }
        if (walk.stream().allMatch(c.localId()::equals)) {
            // A cluster of one: no other node could ever give this node's damaged (deleted) or lost copy back.
            throw new CorruptDataException("chunk " + ref.id() + " is damaged or missing on this node, and no other node holds a copy");
        }
        // Nobody answered with the chunk (down, busy, or not holding it yet): the data may come back, so 503, not 500.
        throw new StoreUnavailableException("no reachable node could serve chunk " + ref.id() + " " + misses.problems
                + "; retry when more nodes are reachable");
    }

    /**
     * After holder {@code id}'s data port failed with {@code e}: the holder asked again over the cluster port, where
     * it checks its copy, unless it did not answer in time (asking again would only wait as long again).
     */
    private Optional<Incoming> overClusterPortAfter(ClusterView v, String id, ChunkRef ref, IOException e, Misses misses) {
        misses.add(id, e);
        if (e instanceof java.net.SocketTimeoutException) {
            return Optional.empty();
        }
        if (e instanceof ChunkStreamClient.DamagedInTransfer) {
            LOG.warn("{}; asking {} over the cluster port, where it checks its copy", e.getMessage(), id);
        } else {
            streamFallbacks.increment();
            LOG.debug("chunk {} from {}'s data port failed ({}); asking over the cluster port", ref.id(), id, e.toString());
        }
        try {
            return overClusterPort(v, id, ref).map(Incoming::of);
        } catch (IOException again) {
            misses.add(id, again);
            return Optional.empty();
        }
    }

    /**
     * Holder {@code id}'s copy over the cluster port, checked there as it is read.
     *
     * @throws ChunkStreamClient.DamagedInTransfer when the copy failed its checks on the way
     */
    private Optional<byte[]> overClusterPort(ClusterView v, String id, ChunkRef ref) throws IOException {
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
     * A chunk streamed from a holder's data port. When the stream fails part way (a block fails its check, the
     * connection breaks), the rest comes from the other sources {@link #fromHolders} would try after it (this holder
     * over the cluster port, then the next holders), from the same offset: bytes already handed out are not sent
     * again, and a block is handed out only once checked.
     */
    private final class Streamed implements Incoming {
        private final ClusterView v;
        private final List<String> walk;
        private final String holder;
        private final ChunkStreamClient.Transfer transfer;
        private final ChunkRef ref;
        private Incoming rest;

        Streamed(ClusterView v, List<String> walk, String holder, ChunkStreamClient.Transfer transfer, ChunkRef ref) {
            this.v = v;
            this.walk = walk;
            this.holder = holder;
            this.transfer = transfer;
            this.ref = ref;
        }

        @Override
        public ByteBuffer next(int from, ByteBuffer spare) throws IOException {
            while (rest == null) {
                try {
                    spare.clear();
                    int at = transfer.received();
                    if (transfer.read(spare) < 0) {
                        throw new java.io.EOFException("chunk " + ref.id() + " ended before byte " + from);
                    }
                    if (from < transfer.received()) {
                        return spare.flip().position(from - at);
                    }
                    // Blocks before a range's start: checked, not handed out.
                } catch (IOException e) {
                    Misses misses = new Misses();
                    rest = overClusterPortAfter(v, holder, ref, e, misses)
                            .orElse(null);
                    if (rest == null) {
                        rest = fromHolders(v, walk.subList(walk.indexOf(holder) + 1, walk.size()), ref, misses);
                    }
                    if (from > 0) {
                        streamResumes.increment();
                    }
                }
            }
            return rest.next(from, spare);
        }

        @Override
        public void close() {
            transfer.close();
            if (rest != null) {
                rest.close();
            }
        }
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

    /** A good copy from the other nodes of {@code walk} (reachable ones, in order), whole. */
    byte[] fromPeers(ClusterView v, List<String> walk, ChunkRef ref) throws IOException {
        byte[] bytes = new byte[ref.length()];
        try (Incoming in = fromHolders(v, walk, ref, new Misses())) {
            for (int at = 0; at < bytes.length; ) {
                // Read straight into the array, a slice at a time (see ChunkStreamClient's whole fetch).
                ByteBuffer spare = ByteBuffer.wrap(bytes, at, Math.min(WHOLE_STEP, bytes.length - at)).slice();
                ByteBuffer got = in.next(at, spare);
                int n = got.remaining();
                if (got != spare) {
                    got.get(bytes, at, n);
                }
                at += n;
            }
        }
        return bytes;
    }
}
