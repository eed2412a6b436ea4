package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.Member;
import io.hifadhi.node.replication.Messages.SyncDigestList;
import io.hifadhi.node.replication.Messages.SyncDigests;
import io.hifadhi.node.replication.Messages.SyncEntries;
import io.hifadhi.node.replication.Messages.SyncEntryList;
import io.hifadhi.node.replication.Messages.SyncPush;
import io.hifadhi.node.replication.Messages.SyncRead;
import io.hifadhi.node.replication.Messages.SyncValues;
import io.hifadhi.api.nativeapi.ClusterAdmin;
import io.hifadhi.node.layout.ClusterLayout;
import io.hifadhi.node.layout.Layout;
import io.hifadhi.node.transport.Transport;
import io.hifadhi.ring.Ring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Anti-entropy: every round this node compares, with each reachable peer and for each {@link SyncedKeyspace},
 * a {@link MerkleTree} of the entries both of them replicate (by the current ring). Equal roots cost one small
 * request per peer and keyspace; where digests differ the two descend level by level, and at the differing
 * leaves exchange keys and summaries, then pull what this node lacks or holds older and push what the peer
 * lacks or holds older. Each round moves at most {@link #ENTRIES_PER_ROUND} entries per peer and keyspace; a
 * round that hit the bound is followed at once by another. Then {@link ChunkKeeper} makes sure the chunk files of
 * the inventory are on disk. This repairs what hints cannot: a replica whose hints were lost with their holder,
 * a record left on one replica, a chunk file deleted on disk.
 */
final class AntiEntropy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AntiEntropy.class);
    static final long ROUND_MILLIS = 5_000;
    static final long TRANSITION_ROUND_MILLIS = 1_000;
    private static final long BACKLOG_PAUSE_MILLIS = 200;
    static final int ENTRIES_PER_ROUND = 4_096;
    private static final int LEAVES_PER_REQUEST = 128;
    private static final int VALUES_PER_REQUEST = 64;
    /** Well under the smallest message bound (64 KiB chunks + 1 MiB). */
    private static final int VALUE_BYTES_PER_REQUEST = 512 << 10;
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final MerkleTree EMPTY = new MerkleTree();

    /**
     * One build of a keyspace's trees, one per peer: the entries that one of the two owns in the newest ring and the
     * other holds in some live ring (while a layout change is under way, new owners thus sync with old ones).
     */
    private record Snapshot(long builtAt, List<Ring> rings, Map<String, MerkleTree> trees, long foreignEntries, long foreignBytes) {
    }

    private final Replication c;
    private final Map<String, SyncedKeyspace> keyspaces = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final ChunkKeeper keeper;
    private final Handoff handoff;
    private final Layout layout;
    private long round;
    private long roundStartedNanos;
    /** The newest ring this node has seen, since when, and the first complete round (every holder synced) after that. */
    /**
     * The newest ring this node has seen; when it first saw every reachable node route by it (-1: not yet); and the
     * first round after that which synced every sharded keyspace with every holder (-1: none yet). Only such a round
     * counts towards confirming the ring: every write placed by an older ring had finished on its replicas by then, so
     * the round pulls whatever of it this node owns, and every later write reaches this node through the write path.
     */
    private List<io.hifadhi.ring.Member> newestSeen = List.of();
    private long routedByAllNanos = -1;
    private long syncedRound = -1;
    /** Until a hand-over pass ran after the last change, what is left to hand over is the snapshots' count. */
    private volatile long lastRoundInTransition = -1;
    private volatile long lastHandOverRound = -1;
    private final java.util.concurrent.atomic.AtomicLong bytesMovedAtLastRate = new java.util.concurrent.atomic.AtomicLong();
    private volatile long rateSampledAt = System.nanoTime();
    private volatile double bytesPerSecond;
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    private final ScheduledExecutorService loop;
    private final AtomicLong pulled = new AtomicLong();
    private final AtomicLong pushed = new AtomicLong();
    private volatile boolean closed;

    AntiEntropy(Replication c, List<SyncedKeyspace> keyspaces, ChunkKeeper keeper, Handoff handoff, Layout layout) {
        this.c = c;
        keyspaces.forEach(k -> this.keyspaces.put(k.name(), k));
        this.keeper = keeper;
        this.handoff = handoff;
        this.layout = layout;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-anti-entropy");
            t.setDaemon(true);
            return t;
        });
    }

    /** Adds a keyspace (a replicated table attaching after the data path started). */
    void add(SyncedKeyspace keyspace) {
        keyspaces.put(keyspace.name(), keyspace);
    }

    void register(Transport transport) {
        transport.handle(Messages.SYNC_DIGESTS, SyncDigests.class, this::digests);
        transport.handle(Messages.SYNC_ENTRIES, SyncEntries.class, this::entries);
        transport.handle(Messages.SYNC_READ, SyncRead.class, this::read);
        transport.handle(Messages.SYNC_PUSH, SyncPush.class, this::push);
    }

    void start() {
        schedule(TRANSITION_ROUND_MILLIS);
    }

    /** Entries this node pulled from peers and pushed to them since it started. */
    long repairedEntries() {
        return pulled.get() + pushed.get();
    }

    private void schedule(long delayMillis) {
        if (closed) {
            return;
        }
        try {
            loop.schedule(this::round, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("anti-entropy stopped");
        }
    }

    private void round() {
        boolean backlog = false;
        try {
            round++;
            roundStartedNanos = System.nanoTime();
            ClusterView v = c.placement().view();
            if (v.members().size() > 1) {
                List<String> peers = new ArrayList<>();
                for (Member m : v.reachable()) {
                    if (!m.id().equals(c.localId())) {
                        peers.add(m.id());
                    }
                }
                Collections.shuffle(peers);
                List<SyncedKeyspace> all;
                synchronized (keyspaces) {
                    all = List.copyOf(keyspaces.values());
                }
                List<PeerSync> syncs = new ArrayList<>();
                for (SyncedKeyspace k : all) {
                    Snapshot s = build(k, v);
                    for (String peer : peers) {
                        if (closed) {
                            return;
                        }
                        boolean done;
                        try {
                            boolean left = syncWith(v, k, s, peer);
                            backlog |= left;
                            done = !left;
                        } catch (IOException | RuntimeException e) {
                            done = false;
                            LOG.debug("anti-entropy of {} with {} paused: {}", k.name(), peer, Transport.unwrap(e).toString());
                        }
                        syncs.add(new PeerSync(peer, k.fullyReplicated(), done));
                    }
                }
                backlog |= keeper.pass(v, round);
                backlog |= settleLayout(v, syncedFully(peers, syncs));
            } else {
                confirmAlone();
            }
            sampleRate();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            LOG.warn("anti-entropy round failed: {}", e.toString());
        } finally {
            // While a layout change is under way, rounds come faster: each confirmation waits for a clean round.
            schedule(backlog ? BACKLOG_PAUSE_MILLIS : c.placement().layout().inTransition() ? TRANSITION_ROUND_MILLIS : ROUND_MILLIS);
        }
    }

    /**
     * How one round's sync of one keyspace with one peer ended.
     *
     * @param fullyReplicated whether the keyspace is a full-copy table (every member holds all of it)
     * @param done            whether it ran to the end: nothing left for the next round, and no failure
     */
    record PeerSync(String peer, boolean fullyReplicated, boolean done) {
    }

    /**
     * The peers a round synced with to the end, as confirming a ring counts it: every sharded keyspace done. Only
     * the sharded keyspaces decide what this node owns, so a full-copy table that a peer does not serve yet (not
     * seated) or that had work left does not hold the confirmation of a ring back.
     */
    static java.util.Set<String> syncedFully(List<String> peers, List<PeerSync> syncs) {
        java.util.Set<String> synced = new java.util.HashSet<>(peers);
        for (PeerSync s : syncs) {
            if (!s.fullyReplicated() && !s.done()) {
                synced.remove(s.peer());
            }
        }
        return synced;
    }

    /**
     * After a round: confirms the newest ring in the layout once this node holds all it owns under it: a round that
     * started after every reachable node routed by the ring ({@link ClusterLayout#routedByAll}) synced every sharded
     * keyspace with every node of a live ring to the end (whatever it pulled is held from then on), and a sweep of the chunk inventory that started
     * after that round's syncs ended with every owned chunk on disk. Pulls in that round do not hold the confirmation
     * back: under client writes a round nearly always pulls a few entries (a third replica's copy still in flight),
     * and the earlier rule, a round without any pull, kept leaves under load open for minutes. Once the change is done
     * everywhere, this node hands over what it no longer owns. Returns whether hand-over work was left.
     */
    private boolean settleLayout(ClusterView v, java.util.Set<String> syncedFully) throws InterruptedException {
        ClusterLayout l = c.placement().layout();
        if (l.isEmpty()) {
            return false;
        }
        String me = c.localId();
        List<io.hifadhi.ring.Member> newest = l.owners();
        if (!newest.equals(newestSeen)) {
            newestSeen = newest;
            routedByAllNanos = -1;
            syncedRound = -1;
        }
        if (routedByAllNanos < 0 && l.routedByAll(id -> id.equals(me) || v.isReachable(id))) {
            routedByAllNanos = System.nanoTime(); // the next round is the first that counts
        }
        boolean owner = newest.stream().anyMatch(m -> m.id().equals(me));
        ClusterLayout.Ack acked = l.acks().get(me);
        if (owner && (acked == null || !acked.ring().equals(newest))) {
            java.util.Set<String> needed = new java.util.TreeSet<>();
            for (List<io.hifadhi.ring.Member> ring : l.liveRings()) {
                for (io.hifadhi.ring.Member m : ring) {
                    if (!m.id().equals(me) && !l.removed(m.id())) {
                        needed.add(m.id());
                    }
                }
            }
            needed.removeAll(syncedFully);
            boolean settled = routedByAllNanos >= 0 && roundStartedNanos >= routedByAllNanos;
            if (syncedRound < 0 && settled && needed.isEmpty()) {
                syncedRound = round;
            }
            if (syncedRound >= 0 && keeper.completeSweepStartedRound() >= syncedRound) {
                try {
                    layout.ack(me, newest);
                    LOG.info("holds all it owns under the newest ring ({} owners); confirmed it", newest.size());
                } catch (IOException e) {
                    LOG.info("could not yet confirm the newest ring: {}", e.getMessage());
                }
            }
        }
        // During a change the snapshots count what will be handed over; the hand-over itself waits for its end.
        if (l.inTransition()) {
            lastRoundInTransition = round;
            return false;
        }
        boolean left = handoff.pass(v, c.placement().ring(v));
        lastHandOverRound = round;
        return left;
    }

    /**
     * A node that is the only member of every live ring holds all it owns by definition (nothing of it can be
     * anywhere else), so it confirms the newest ring without a round of syncs, which it would never get: a lone node
     * otherwise showed "0 of 1 owners confirmed" for ever. Any other member in a live ring (one leaving, say)
     * means data to take over first, and waits for the rounds that need peers.
     */
    private void confirmAlone() {
        ClusterLayout l = c.placement().layout();
        String me = c.localId();
        List<io.hifadhi.ring.Member> newest = l.owners();
        boolean aloneEverywhere = !newest.isEmpty()
                && l.liveRings().stream().allMatch(ring -> ring.size() == 1 && ring.get(0).id().equals(me));
        ClusterLayout.Ack acked = l.acks().get(me);
        if (aloneEverywhere && (acked == null || !acked.ring().equals(newest))) {
            try {
                layout.ack(me, newest);
                LOG.info("the only owner of the ring; confirmed it");
            } catch (IOException e) {
                LOG.info("could not yet confirm the ring: {}", e.getMessage());
            }
        }
    }

    private void sampleRate() {
        long now = System.nanoTime();
        long moved = keeper.bytesRestored() + handoff.bytesPushed();
        double seconds = (now - rateSampledAt) / 1e9;
        if (seconds >= 1) {
            double current = (moved - bytesMovedAtLastRate.getAndSet(moved)) / seconds;
            bytesPerSecond = bytesPerSecond == 0 ? current : 0.5 * bytesPerSecond + 0.5 * current;
            rateSampledAt = now;
        }
    }

    /** Sums a count over the last snapshots of every keyspace. */
    private long foreign(java.util.function.ToLongFunction<Snapshot> count) {
        return snapshots.values().stream().mapToLong(count).sum();
    }

    ClusterAdmin.Rebalance transferStatus() {
        ClusterLayout l = c.placement().layout();
        boolean counted = !l.inTransition() && lastHandOverRound > lastRoundInTransition;
        return new ClusterAdmin.Rebalance(l.inTransition(), l.ownersConfirmed(), l.owners().size(), keeper.missingChunks(),
                keeper.missingBytes(), counted ? handoff.entriesLeft() : foreign(Snapshot::foreignEntries),
                counted ? handoff.bytesLeft() : foreign(Snapshot::foreignBytes), keeper.bytesRestored(), handoff.bytesPushed(),
                bytesPerSecond, c.holdsData(), c.holdsHints());
    }

    /** Descends the trees while digests differ; returns whether entries were left for the next round. */
    private boolean syncWith(ClusterView v, SyncedKeyspace k, Snapshot s, String peer) throws IOException {
        MerkleTree mine = s.trees().getOrDefault(peer, EMPTY);
        int[] nodes = {0};
        for (int level = 0; ; level++) {
            byte[] theirs = ReplicatedObjectStore.await(c.request(v, peer, Messages.SYNC_DIGESTS,
                    new SyncDigests(k.name(), c.localId(), level, nodes), SyncDigestList.class, TIMEOUT)).digests();
            ByteBuffer in = ByteBuffer.wrap(theirs);
            List<Integer> differing = new ArrayList<>();
            for (int node : nodes) {
                MerkleTree.Digest d = new MerkleTree.Digest(in.getLong(), in.getLong(), in.getInt());
                if (!d.equals(mine.digest(level, node))) {
                    differing.add(node);
                }
            }
            if (differing.isEmpty()) {
                return false;
            }
            if (level == MerkleTree.DEPTH) {
                return reconcile(v, k, s, peer, differing);
            }
            nodes = new int[differing.size() * MerkleTree.FANOUT];
            for (int i = 0; i < differing.size(); i++) {
                System.arraycopy(MerkleTree.children(level, differing.get(i)), 0, nodes, i * MerkleTree.FANOUT, MerkleTree.FANOUT);
            }
        }
    }

    private boolean reconcile(ClusterView v, SyncedKeyspace k, Snapshot s, String peer, List<Integer> leaves) throws IOException {
        BitSet wanted = new BitSet(MerkleTree.LEAVES);
        leaves.forEach(wanted::set);
        Map<ByteBuffer, byte[]> local = collectShared(k, s, peer, wanted);
        Map<ByteBuffer, byte[]> remote = new HashMap<>();
        for (int from = 0; from < leaves.size(); from += LEAVES_PER_REQUEST) {
            int[] batch = leaves.subList(from, Math.min(leaves.size(), from + LEAVES_PER_REQUEST)).stream().mapToInt(i -> i).toArray();
            SyncEntryList list = ReplicatedObjectStore.await(c.request(v, peer, Messages.SYNC_ENTRIES,
                    new SyncEntries(k.name(), c.localId(), batch), SyncEntryList.class, TIMEOUT));
            for (int i = 0; i < list.keys().length; i++) {
                remote.put(ByteBuffer.wrap(list.keys()[i]), list.summaries()[i]);
            }
        }
        List<byte[]> pull = new ArrayList<>();
        List<byte[]> push = new ArrayList<>();
        remote.forEach((key, summary) -> {
            if (k.wants(local.get(key), summary)) {
                pull.add(key.array());
            }
        });
        local.forEach((key, summary) -> {
            if (k.wants(remote.get(key), summary)) {
                push.add(key.array());
            }
        });
        boolean backlog = pull.size() + push.size() > ENTRIES_PER_ROUND;
        List<byte[]> pulling = pull.subList(0, Math.min(pull.size(), ENTRIES_PER_ROUND));
        List<byte[]> pushing = push.subList(0, Math.min(push.size(), ENTRIES_PER_ROUND - pulling.size()));
        long got = 0;
        for (int from = 0; from < pulling.size(); from += VALUES_PER_REQUEST) {
            byte[][] keys = pulling.subList(from, Math.min(pulling.size(), from + VALUES_PER_REQUEST)).toArray(byte[][]::new);
            byte[][] values = ReplicatedObjectStore.await(c.request(v, peer, Messages.SYNC_READ, new SyncRead(k.name(), keys),
                    SyncValues.class, TIMEOUT)).values();
            k.apply(values);
            for (byte[] value : values) {
                got += value == null ? 0 : 1;
            }
        }
        long sent = 0;
        for (int from = 0; from < pushing.size(); from += VALUES_PER_REQUEST) {
            byte[][] keys = pushing.subList(from, Math.min(pushing.size(), from + VALUES_PER_REQUEST)).toArray(byte[][]::new);
            List<byte[]> values = new ArrayList<>();
            long bytes = 0;
            for (byte[] value : k.read(keys)) {
                if (value == null) {
                    continue;
                }
                if (!values.isEmpty() && bytes + value.length > VALUE_BYTES_PER_REQUEST) {
                    sent += push(v, k, peer, values);
                    values.clear();
                    bytes = 0;
                }
                values.add(value);
                bytes += value.length;
            }
            sent += push(v, k, peer, values);
        }
        pulled.addAndGet(got);
        pushed.addAndGet(sent);
        if (got + sent > 0) {
            LOG.info("anti-entropy of {} with {}: {} leaves differed, pulled {} and pushed {} entries{}", k.name(), peer,
                    leaves.size(), got, sent, backlog ? " (more next round)" : "");
        }
        return backlog;
    }

    private int push(ClusterView v, SyncedKeyspace k, String peer, List<byte[]> values) throws IOException {
        if (values.isEmpty()) {
            return 0;
        }
        ReplicatedObjectStore.await(c.request(v, peer, Messages.SYNC_PUSH, new SyncPush(k.name(), values.toArray(byte[][]::new)),
                Ack.class, TIMEOUT));
        return values.size();
    }

    /** A fresh tree per peer of the entries this node and that peer share ({@link Snapshot}). */
    private Snapshot build(SyncedKeyspace k, ClusterView v) {
        synchronized (k) {
            List<Ring> rings = c.placement().rings(v);
            String me = c.localId();
            Map<String, MerkleTree> trees = new HashMap<>();
            long[] foreign = new long[2];
            if (k.fullyReplicated()) {
                List<MerkleTree> everyone = new ArrayList<>();
                for (Member m : v.all()) {
                    if (!m.id().equals(me)) {
                        everyone.add(trees.computeIfAbsent(m.id(), x -> new MerkleTree()));
                    }
                }
                k.forEach((key, position, summary) -> everyone.forEach(t -> t.add(position, key, summary)));
            } else {
                Holders holders = new Holders(rings);
                k.forEach((key, position, summary) -> {
                    holders.of(position);
                    if (!holders.owners.contains(me)) {
                        foreign[0]++;
                        foreign[1] += k.bytes(summary);
                    }
                    if (holders.owners.contains(me)) {
                        for (String id : holders.all) {
                            if (!id.equals(me)) {
                                trees.computeIfAbsent(id, x -> new MerkleTree()).add(position, key, summary);
                            }
                        }
                    } else if (holders.all.contains(me)) {
                        for (String id : holders.owners) {
                            trees.computeIfAbsent(id, x -> new MerkleTree()).add(position, key, summary);
                        }
                    }
                });
            }
            Snapshot s = new Snapshot(System.currentTimeMillis(), rings, trees, foreign[0], foreign[1]);
            snapshots.put(k.name(), s);
            return s;
        }
    }

    /** The replicas of one ring position: its owners in the newest ring, and its holders in any live ring. */
    private final class Holders {
        private final List<Ring> rings;
        private final int[] idx;
        final java.util.Set<String> owners = new java.util.HashSet<>();
        final java.util.Set<String> all = new java.util.HashSet<>();

        Holders(List<Ring> rings) {
            this.rings = rings;
            int n = 1;
            for (Ring r : rings) {
                n = Math.max(n, c.placement().n(r));
            }
            this.idx = new int[n];
        }

        void of(long position) {
            owners.clear();
            all.clear();
            for (int r = 0; r < rings.size(); r++) {
                Ring ring = rings.get(r);
                int count = ring.preferenceIndexes(position, c.placement().n(ring), 0, idx);
                for (int i = 0; i < count; i++) {
                    String id = ring.member(idx[i]).id();
                    all.add(id);
                    if (r == 0) {
                        owners.add(id);
                    }
                }
            }
        }

        /** Whether both share the entry: one owns it and the other holds it. */
        boolean shared(String a, String b) {
            return (owners.contains(a) && all.contains(b)) || (owners.contains(b) && all.contains(a));
        }
    }

    /** For a peer's questions: the last build if it is recent and of the current rings, else a new one. */
    private Snapshot snapshot(SyncedKeyspace k) {
        ClusterView v = c.placement().view();
        Snapshot s = snapshots.get(k.name());
        if (s == null || !s.rings().equals(c.placement().rings(v)) || System.currentTimeMillis() - s.builtAt() > ROUND_MILLIS) {
            s = build(k, v);
        }
        return s;
    }

    private SyncedKeyspace keyspace(String name) {
        SyncedKeyspace k = keyspaces.get(name);
        if (k == null) {
            throw new IllegalArgumentException("no keyspace " + name);
        }
        if (!k.answersPeers()) {
            throw new IllegalStateException(name + " is not synced with peers until this node knows its seat in the layout");
        }
        return k;
    }

    private SyncDigestList digests(SyncDigests q) {
        if (q.nodes().length > MerkleTree.LEAVES) {
            throw new IllegalArgumentException("too many tree nodes asked for");
        }
        MerkleTree tree = snapshot(keyspace(q.keyspace())).trees().getOrDefault(q.from(), EMPTY);
        ByteBuffer out = ByteBuffer.allocate(20 * q.nodes().length);
        for (int node : q.nodes()) {
            MerkleTree.Digest d = tree.digest(q.level(), node);
            out.putLong(d.hi()).putLong(d.lo()).putInt(d.count());
        }
        return new SyncDigestList(out.array());
    }

    private SyncEntryList entries(SyncEntries q) {
        SyncedKeyspace k = keyspace(q.keyspace());
        Snapshot s = snapshot(k);
        BitSet leaves = new BitSet(MerkleTree.LEAVES);
        for (int leaf : q.leaves()) {
            if (leaf < 0 || leaf >= MerkleTree.LEAVES) {
                throw new IllegalArgumentException("no leaf " + leaf);
            }
            leaves.set(leaf);
        }
        Map<ByteBuffer, byte[]> found = collectShared(k, s, q.from(), leaves);
        byte[][] keys = new byte[found.size()][];
        byte[][] summaries = new byte[found.size()][];
        int i = 0;
        for (Map.Entry<ByteBuffer, byte[]> e : found.entrySet()) {
            keys[i] = e.getKey().array();
            summaries[i++] = e.getValue();
        }
        return new SyncEntryList(keys, summaries);
    }

    /** Keys and summaries of the entries in {@code leaves} that this node and {@code peer} share. */
    private Map<ByteBuffer, byte[]> collectShared(SyncedKeyspace k, Snapshot s, String peer, BitSet leaves) {
        Map<ByteBuffer, byte[]> out = new HashMap<>();
        Holders holders = new Holders(s.rings());
        k.forEach((key, position, summary) -> {
            if (!leaves.get(MerkleTree.leafOf(position))) {
                return;
            }
            if (k.fullyReplicated()) {
                out.put(ByteBuffer.wrap(key), summary);
                return;
            }
            holders.of(position);
            if (holders.shared(c.localId(), peer)) {
                out.put(ByteBuffer.wrap(key), summary);
            }
        });
        return out;
    }

    private SyncValues read(SyncRead q) throws IOException {
        byte[][] values = keyspace(q.keyspace()).read(q.keys());
        long bytes = 0;
        for (int i = 0; i < values.length; i++) {
            // The reply must fit in one message: what does not fit is left for the asker's next round.
            if (values[i] != null && (bytes += values[i].length) > VALUE_BYTES_PER_REQUEST && i > 0) {
                values[i] = null;
            }
        }
        return new SyncValues(values);
    }

    private Ack push(SyncPush q) throws IOException {
        keyspace(q.keyspace()).apply(q.values());
        return new Ack(true, false);
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
