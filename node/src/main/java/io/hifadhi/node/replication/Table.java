package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.schema.LocalMerge;
import io.hifadhi.node.schema.Versioned;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A replicated table, written once for every schema and replication strategy (Garage's {@code Table<Schema,
 * Replication>}): this node's copy ({@link LocalMerge}, which also knows the schema), where entries live
 * ({@link TableReplication}) and how another node's copy is reached ({@link Replicas}). A get asks the nodes the strategy
 * names and needs the answers it names ({@link QuorumRead}: the freshness wait, read repair in the background); when
 * the only one is this node (full replication, a ring of one member) it is this node's own read, in place. An insert is
 * the strategy's quorum write; this node's own copy is merged in place, on the calling thread. Object records
 * ({@link ShardedReplication}) and the small tables ({@link FullReplication}) are each one.
 *
 * @param <V> the entries, versioned for last-writer-wins
 */
public final class Table<V extends Versioned> {
    private static final Logger LOG = LoggerFactory.getLogger(Table.class);

    /** How this node writes to another node's copy of the table. */
    public interface Replicas<V> {
        /**
         * Sends {@code entry} to {@code target} to merge, as a replica's own copy ({@code hintFor} null) or as a
         * stand-in's for {@code hintFor}; {@code encoded} (the schema's encoding, made at the first call) when it
         * travels as bytes.
         */
        CompletableFuture<Ack> put(ClusterView v, String target, V entry, Supplier<byte[]> encoded, String hintFor);
    }

    /**
     * How this node also reads another node's copy, for a table whose reads ask other nodes (sharded); a full copy's
     * reads are this node's own, so its replicas are only written to.
     */
    public interface ReadableReplicas<V> extends Replicas<V> {
        /** What {@code target} holds under {@code key}, a tombstone included; null for nothing. */
        CompletableFuture<V> get(ClusterView v, String target, byte[] key);
    }

    private final String name;
    private final LocalMerge<V> local;
    private final TableReplication replication;
    private final Replicas<V> replicas;
    /** Null for a full copy ({@link #fullCopy}). */
    private final ReadableReplicas<V> readers;
    private final Supplier<ClusterView> view;
    private final HybridLogicalClock clock;
    private final Executor background;
    /** Null for a full copy, whose reads ask no other node. */
    private final SilentReplicas silent;

    /**
     * A table whose reads may ask other nodes, as {@code replication} names them.
     *
     * @param local      this node's copy; the same instance every other writer of it merges through (its locks are per
     *                   instance)
     * @param silent     the node's record of replicas that left reads unanswered, told of this table's requests
     * @param view       the cluster as this node sees it, taken once per operation
     * @param clock      moved past every version a read sees
     * @param background where read repairs are sent from
     */
    public Table(String name, LocalMerge<V> local, TableReplication replication, ReadableReplicas<V> replicas,
                 SilentReplicas silent, Supplier<ClusterView> view, HybridLogicalClock clock, Executor background) {
        this(name, local, replication, replicas, replicas, silent, view, clock, background);
    }

    /**
     * A table every member holds whole: its reads are this node's own ({@link FullReplication#reads}), so other
     * members' copies are only written to. Parameters as for the constructor.
     */
    public static <V extends Versioned> Table<V> fullCopy(String name, LocalMerge<V> local, FullReplication replication,
                                                          Replicas<V> replicas, Supplier<ClusterView> view,
                                                          HybridLogicalClock clock, Executor background) {
        return new Table<>(name, local, replication, replicas, null, null, view, clock, background);
    }

    private Table(String name, LocalMerge<V> local, TableReplication replication, Replicas<V> replicas,
                  ReadableReplicas<V> readers, SilentReplicas silent, Supplier<ClusterView> view, HybridLogicalClock clock,
                  Executor background) {
        this.name = name;
        this.local = local;
        this.replication = replication;
        this.replicas = replicas;
        this.readers = readers;
        this.silent = silent;
        this.view = view;
        this.clock = clock;
        this.background = background;
    }

    public String name() {
        return name;
    }

    /**
     * The newest version of the entry under {@code key} (a tombstone included) among the answers the strategy asks
     * for; replicas found stale are repaired in the background.
     *
     * @param what     the entry, for messages
     * @param position the entry's ring position ({@link io.hifadhi.node.schema.TableSchema#position})
     */
    public Optional<V> get(String what, byte[] key, long position) throws IOException {
        ClusterView v = view.get();
        TableReplication.Reads reads = replication.reads(what, v, position);
        if (reads.targets().size() == 1 && reads.targets().get(0).equals(v.localId())) {
            // This node's own read (every bucket and access-key lookup of a request): nothing to wait for, compare or
            // repair, and the clock has already seen every version this node stored.
            return local.store().get(key);
        }
        V newest = QuorumRead.newest(what, reads, target -> read(v, target, key), silent, background,
                plan -> repair(v, what, plan));
        if (newest != null) {
            // The clock moves past what a read saw, as past anything else this node heard of.
            clock.observe(newest.version());
        }
        return Optional.ofNullable(newest);
    }

    /**
     * Writes {@code entry} by the strategy's quorum write and returns once enough nodes stored it (durable on each).
     *
     * @throws io.hifadhi.api.store.StoreUnavailableException when too few could
     */
    public QuorumWrite.Outcome insert(String what, V entry) throws IOException {
        ClusterView v = view.get();
        Supplier<byte[]> encoded = encoder(entry);
        return ReplicatedObjectStore.await(replication.write(what, v, local.schema().position(entry),
                (target, hintFor) -> put(v, target, entry, encoded, hintFor)).quorum());
    }

    /** One node's copy of a write: this node's own merged here and now, any other (a stand-in's too) sent. */
    private CompletableFuture<Ack> put(ClusterView v, String target, V entry, Supplier<byte[]> encoded, String hintFor) {
        if (hintFor == null && target.equals(v.localId())) {
            // No codec and no hand-over to the transport's workers: a node that is its only replica (a lone node)
            // pays what a local store would.
            try {
                LocalMerge.Merged<V> merged = local.merge(entry);
                return CompletableFuture.completedFuture(new Ack(merged.stored(),
                        merged.previous() != null && !merged.previous().deleted()));
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return replicas.put(v, target, entry, encoded, hintFor);
    }

    /** One node's copy of an entry: this node's own read in place, any other asked. */
    private CompletableFuture<V> read(ClusterView v, String target, byte[] key) {
        if (target.equals(v.localId())) {
            try {
                return CompletableFuture.completedFuture(local.store().get(key).orElse(null));
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        if (readers == null) {
            // Unreachable while FullReplication reads this node alone (get returns before asking anyone): say so if not.
            return CompletableFuture.failedFuture(new IllegalStateException(name + " is a full copy, read from this node's"
                    + " own copy, yet a read asked " + target));
        }
        return readers.get(v, target, key);
    }

    /** Sends the newest version a read saw to the replicas that answered with an older one (or nothing). */
    private void repair(ClusterView v, String what, ReadRepair.Plan<V> plan) {
        V newest = plan.newest();
        Supplier<byte[]> encoded = encoder(newest);
        for (String replica : plan.stale()) {
            LOG.debug("{}: read repair: {} gets {} {}", name, replica, what, newest.version());
            put(v, replica, newest, encoded, null).whenComplete((ack, error) -> {
                if (error != null) {
                    LOG.debug("{}: read repair of {} failed: {}", name, replica, error.toString());
                }
            });
        }
    }

    /** The entry's bytes for the wire, encoded at the first call only. */
    private Supplier<byte[]> encoder(V entry) {
        return new Supplier<>() {
            private byte[] bytes;

            @Override
            public synchronized byte[] get() {
                if (bytes == null) {
                    bytes = local.schema().encode(entry);
                }
                return bytes;
            }
        };
    }
}
