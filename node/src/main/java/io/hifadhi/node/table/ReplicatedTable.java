package io.hifadhi.node.table;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.Member;
import io.hifadhi.membership.Membership;
import io.hifadhi.membership.MembershipEvent;
import io.hifadhi.membership.MembershipListener;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.replication.Ack;
import io.hifadhi.node.replication.CollectedTable;
import io.hifadhi.node.replication.FullReplication;
import io.hifadhi.node.replication.SyncedKeyspace;
import io.hifadhi.node.replication.Table;
import io.hifadhi.node.replication.VersionedKeyspace;
import io.hifadhi.node.schema.LocalMerge;
import io.hifadhi.node.transport.Peer;
import io.hifadhi.node.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A small table replicated to every node (full placement): buckets, access keys, uploads, grants, the layout.
 * Entries are LWW registers stamped by the hybrid logical clock, merged by the table engine ({@link LocalMerge}).
 * Once attached, reads and writes go through the one table engine of the data path ({@link Table}) with the
 * full-copy strategy ({@link FullReplication}): a read is local (every node holds everything), a write goes to every
 * reachable member and waits for W of them (this node counts; the records' quorum write with every member a replica).
 * There are no hints: a member that is away has no stand-in outside the replica set, so this node's own copy stands in,
 * and the catch-up pull and anti-entropy deliver it. Members that were away catch up by pulling the whole table from
 * a peer when they see it join or become reachable (the table is small), and the Merkle anti-entropy of the data path
 * keeps every member's copy equal after that ({@link #keyspace}). A delete is a tombstone, dropped by the data path's
 * tombstone collector once every member holds it ({@link #collected}). Before the node sits in a cluster the table
 * is simply local.
 */
public final class ReplicatedTable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedTable.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** How often peers not yet pulled from are tried: events alone can fire before this table attached. */
    private static final long CATCH_UP_EVERY_MILLIS = 1_000;

    record TablePut(String key, byte[] entry) {
    }

    record TableAck(boolean applied) {
    }

    record TableDump(int ignored) {
    }

    record TableEntries(String[] keys, byte[][] entries) {
    }

    /** Register these with the transport's codec (their order is part of the wire format). */
    public static final List<Class<?>> MESSAGE_TYPES = List.of(TablePut.class, TableAck.class, TableDump.class, TableEntries.class);

    private record Attached(Transport transport, Membership membership, Table<TableEntry> table, MembershipListener listener,
                            ScheduledExecutorService puller, BooleanSupplier answersPeers) {
    }

    private final String name;
    /** The table, as errors and logs name it. */
    private final String what;
    private final TableEntrySchema schema = new TableEntrySchema();
    private final LocalMerge<TableEntry> local;
    private final HybridLogicalClock clock;
    private volatile Attached attached;

    public ReplicatedTable(String name, TableStore store, HybridLogicalClock clock) {
        this.name = name;
        this.what = "the " + name + " table";
        this.local = new LocalMerge<>(schema, store.table(name, schema));
        this.clock = clock;
    }

    private String putType() {
        return Transport.TYPE_PREFIX + "table-put-" + name;
    }

    private String dumpType() {
        return Transport.TYPE_PREFIX + "table-dump-" + name;
    }

    public String name() {
        return name;
    }

    /**
     * Joins the cluster: answers peers' writes and pulls, and catches up from every reachable peer.
     *
     * @param answersPeers whether peers may pull (or sync with) this node's copy now: for a table whose tombstones are
     *                     collected, not before the node knows its seat ({@code Replication.seated}), since a node
     *                     removed while away may hold entries deleted meanwhile whose tombstones are gone, until it
     *                     forgets them ({@link #forget})
     */
    public synchronized void attach(Transport transport, Membership membership, int writeQuorum, BooleanSupplier answersPeers) {
        transport.handle(putType(), TablePut.class, put -> {
            TableEntry entry = decode(put.key(), put.entry());
            clock.observe(entry.version());
            return new TableAck(local.merge(entry).stored());
        });
        transport.handle(dumpType(), TableDump.class, dump -> {
            if (!answersPeers.getAsBoolean()) {
                // The puller retries every second until a pull worked: it gets this copy once it is safe to spread.
                throw new IllegalStateException("the " + name + " table is not served before this node knows its seat");
            }
            List<TableEntry> all = all();
            String[] keys = new String[all.size()];
            byte[][] entries = new byte[all.size()][];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = all.get(i).key();
                entries[i] = schema.encode(all.get(i));
            }
            return new TableEntries(keys, entries);
        });
        ScheduledExecutorService puller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-table-" + name);
            t.setDaemon(true);
            return t;
        });
        MembershipListener listener = event -> {
            if ((event.type() == MembershipEvent.Type.JOINED || event.type() == MembershipEvent.Type.REACHABLE)
                    && !event.member().id().equals(membership.localId())) {
                String id = event.member().id();
                puller.execute(() -> pullFrom(id));
            }
        };
        Table<TableEntry> table = Table.fullCopy(name, local, new FullReplication(writeQuorum), new Peers(transport),
                membership::view, clock, transport.callbacks());
        Attached a = new Attached(transport, membership, table, listener, puller, answersPeers);
        attached = a;
        membership.addListener(listener);
        puller.execute(() -> membership.view().reachable().forEach(m -> {
            if (!m.id().equals(membership.localId())) {
                pullFrom(m.id());
            }
        }));
        // Until one pull from a peer (as it is now: a restart is a new incarnation) has worked, try it every
        // second; after that anti-entropy keeps the copies equal.
        java.util.Set<String> caughtUp = java.util.concurrent.ConcurrentHashMap.newKeySet();
        puller.scheduleWithFixedDelay(() -> {
            for (Member m : membership.view().reachable()) {
                String seen = m.id() + "/" + m.incarnation();
                if (!m.id().equals(membership.localId()) && !caughtUp.contains(seen) && pullFrom(m.id())) {
                    caughtUp.add(seen);
                }
            }
        }, CATCH_UP_EVERY_MILLIS, CATCH_UP_EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** This table as a keyspace of the data path's Merkle anti-entropy (full placement). */
    public SyncedKeyspace keyspace() {
        return new VersionedKeyspace<>("table-" + name, true, local, clock, () -> {
            Attached a = attached;
            return a != null && a.answersPeers().getAsBoolean();
        });
    }

    /** This table for the tombstone collector (no hints: every member is a replica of every entry). */
    public CollectedTable<TableEntry> collected() {
        return CollectedTable.withoutHints(name, local);
    }

    /** Tombstones this node holds (deleted entries the collector has not dropped yet). */
    public long tombstones() {
        long[] n = {0};
        local.store().forEach(e -> n[0] += e.deleted() ? 1 : 0);
        return n[0];
    }

    /**
     * Forgets every entry (a node removed from the cluster while away, before it rejoins): they may be versions
     * deleted meanwhile whose tombstones the others have collected. Then pulls the table anew from the peers.
     */
    public void forget() throws IOException {
        List<byte[]> keys = new ArrayList<>();
        local.store().forEach(e -> keys.add(schema.key(e)));
        local.store().deleteAll(keys);
        pullFromReachablePeers();
    }

    public synchronized void detach() {
        Attached a = attached;
        attached = null;
        if (a != null) {
            a.membership().removeListener(a.listener());
            a.puller().shutdownNow();
        }
    }

    /** Pulls from every reachable peer now, waiting for the answers (a read that missed calls this). */
    public int pullFromReachablePeers() {
        Attached a = attached;
        if (a == null) {
            return 0;
        }
        int answered = 0;
        for (Member m : a.membership().view().reachable()) {
            if (!m.id().equals(a.membership().localId()) && pullFrom(m.id())) {
                answered++;
            }
        }
        return answered;
    }

    /** Pulls from one reachable peer picked at random (gossip-style spreading for a table that must converge fast). */
    public boolean pullFromRandomPeer() {
        Attached a = attached;
        if (a == null) {
            return false;
        }
        List<Member> peers = a.membership().view().reachable().stream()
                .filter(m -> !m.id().equals(a.membership().localId())).toList();
        if (!peers.isEmpty()) {
            return pullFrom(peers.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(peers.size())).id());
        }
        return false;
    }

    /** Merges a peer's whole table into ours (anti-entropy for a small table); false when the peer did not answer. */
    boolean pullFrom(String memberId) {
        Attached a = attached;
        if (a == null) {
            return false;
        }
        try {
            ClusterView v = a.membership().view();
            Optional<Member> m = v.member(memberId);
            if (m.isEmpty()) {
                return false;
            }
            TableEntries got = a.transport().request(new Peer(memberId, m.get().clusterAddress()), dumpType(), new TableDump(0),
                    TableEntries.class, TIMEOUT).get(2 * TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            int applied = 0;
            for (int i = 0; i < got.keys().length; i++) {
                TableEntry e = decode(got.keys()[i], got.entries()[i]);
                clock.observe(e.version());
                if (local.merge(e).stored()) {
                    applied++;
                }
            }
            if (applied > 0) {
                LOG.info("table {}: {} newer entries pulled from {}", name, applied, memberId);
            }
            return true;
        } catch (Exception e) {
            LOG.debug("table {}: pull from {} failed: {}", name, memberId, e.toString());
            return false;
        }
    }

    /** The live entry's value; this node's own copy (every member holds every entry). */
    public Optional<byte[]> get(String key) throws IOException {
        Attached a = attached;
        byte[] id = key.getBytes(StandardCharsets.UTF_8);
        // Every member holds every entry, so the ring position does not choose the readers: none is computed (a
        // digest per bucket or access-key lookup of every request), and the message names the table alone.
        Optional<TableEntry> held = a == null ? local.store().get(id) : a.table().get(what, id, 0L);
        return held.filter(e -> !e.deleted()).map(TableEntry::value);
    }

    /** Live entries in key order. */
    public List<TableEntry> live() {
        return all().stream().filter(e -> !e.deleted()).toList();
    }

    /** Every entry, tombstones included, in key order. */
    private List<TableEntry> all() {
        List<TableEntry> out = new ArrayList<>();
        local.store().forEach(out::add);
        return out;
    }

    private TableEntry decode(String key, byte[] entry) {
        return schema.decode(key.getBytes(StandardCharsets.UTF_8), entry);
    }

    public void put(String key, byte[] value) throws IOException {
        write(new TableEntry(key, value, clock.now(), false));
    }

    public void delete(String key) throws IOException {
        write(new TableEntry(key, null, clock.now(), true));
    }

    private void write(TableEntry entry) throws IOException {
        Attached a = attached;
        if (a == null) {
            local.merge(entry);
            return;
        }
        a.table().insert(what, entry);
    }

    /**
     * How this node reaches a peer's copy of the table: a write is sent to it to merge. It is never a stand-in's copy
     * (full replication has none: this node's own copy stands in for a member that is away), and nothing is read from
     * it (every member holds every entry, so a read is this node's own).
     */
    private final class Peers implements Table.Replicas<TableEntry> {
        private final Transport transport;

        Peers(Transport transport) {
            this.transport = transport;
        }

        @Override
        public CompletableFuture<Ack> put(ClusterView v, String member, TableEntry entry, Supplier<byte[]> encoded, String hintFor) {
            // The quorum write asks only for members of this view.
            Peer peer = new Peer(member, v.member(member).orElseThrow().clusterAddress());
            return transport.request(peer, putType(), new TablePut(entry.key(), encoded.get()), TableAck.class, TIMEOUT)
                    .thenApply(ack -> new Ack(ack.applied(), false));
        }
    }
}
