package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.replication.Messages.GcTombstones;
import io.hifadhi.node.replication.Messages.GcTombstonesDropped;
import io.hifadhi.node.replication.Messages.GcTombstonesHeld;
import io.hifadhi.node.schema.LastWriterWins;
import io.hifadhi.node.schema.TableSchema;
import io.hifadhi.node.schema.Versioned;
import io.hifadhi.node.transport.Transport;
import io.hifadhi.ring.Ring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tombstone GC of every {@link CollectedTable} (the object records and the small tables), one step of each
 * {@link ChunkCollector} round (so under the same rule: every member answers, or nothing happens). The coordinator
 * of a key, the first member of the preference list of its ring position (a record's primary; for a fully
 * replicated table, where every member holds every entry, the same pick makes exactly one node propose each
 * tombstone), drops its tombstone once the tombstone is older than the grace and every member holds either that
 * tombstone (or an older one) or no entry of the key, and no hint of any member carries a version of it: then no
 * copy is left that could bring an older version back (by anti-entropy, read repair, a listing, a hint or a table's
 * catch-up pull), and every member deletes its copy, each only if what it holds is still a tombstone no newer than
 * the one checked (a new write of the key in the meantime wins).
 */
final class TombstoneCollector {
    private static final Logger LOG = LoggerFactory.getLogger(TombstoneCollector.class);
    /** Tombstones looked at per table and round; the rest wait for the next. */
    static final int BATCH = 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Replication c;
    private final long graceMillis;
    /** By name; tables attach after the data path started, and a peer may ask about one before it did here. */
    private final Map<String, CollectedTable<?>> tables = new ConcurrentHashMap<>();

    TombstoneCollector(Replication c, long graceMillis) {
        this.c = c;
        this.graceMillis = graceMillis;
    }

    void add(CollectedTable<?> table) {
        tables.put(table.name(), table);
    }

    void register(Transport transport) {
        transport.handle(Messages.GC_TOMBSTONES, GcTombstones.class, this::held);
        transport.handle(Messages.GC_TOMBSTONES_DROP, GcTombstones.class, q -> new GcTombstonesDropped(drop(q)));
    }

    /** Drops the tombstones of every table this node coordinates that every member agrees on; returns how many copies. */
    int round(ClusterView v, List<String> members) throws IOException {
        int dropped = 0;
        for (CollectedTable<?> table : tables.values()) {
            dropped += round(v, members, table);
        }
        return dropped;
    }

    private <V extends Versioned> int round(ClusterView v, List<String> members, CollectedTable<V> table) throws IOException {
        Ring ring = c.placement().ring(v);
        int n = c.placement().n(ring);
        int[] idx = new int[n];
        long before = System.currentTimeMillis() - graceMillis;
        TableSchema<V> schema = table.local().schema();
        List<byte[]> keys = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        table.local().store().forEach(e -> {
            if (keys.size() < BATCH && e.deleted() && e.version().wallMillis() < before) {
                int count = ring.preferenceIndexes(schema.position(e), n, 0, idx);
                if (count > 0 && ring.member(idx[0]).id().equals(c.localId())) {
                    keys.add(schema.key(e));
                    versions.add(e.version().toString());
                }
            }
        });
        if (keys.isEmpty()) {
            return 0;
        }
        GcTombstones candidates = new GcTombstones(table.name(), keys.toArray(byte[][]::new), versions.toArray(String[]::new));
        boolean[] droppable = new boolean[keys.size()];
        Arrays.fill(droppable, true);
        for (String m : members) {
            boolean[] theirs = ReplicatedObjectStore.await(c.request(v, m, Messages.GC_TOMBSTONES, candidates,
                    GcTombstonesHeld.class, TIMEOUT)).droppable();
            for (int i = 0; i < droppable.length; i++) {
                droppable[i] &= theirs[i];
            }
        }
        List<byte[]> dropKeys = new ArrayList<>();
        List<String> dropVersions = new ArrayList<>();
        for (int i = 0; i < droppable.length; i++) {
            if (droppable[i]) {
                dropKeys.add(keys.get(i));
                dropVersions.add(versions.get(i));
            }
        }
        if (dropKeys.isEmpty()) {
            return 0;
        }
        GcTombstones drop = new GcTombstones(table.name(), dropKeys.toArray(byte[][]::new), dropVersions.toArray(String[]::new));
        int dropped = 0;
        for (String m : members) {
            try {
                dropped += ReplicatedObjectStore.await(c.request(v, m, Messages.GC_TOMBSTONES_DROP, drop,
                        GcTombstonesDropped.class, TIMEOUT)).dropped();
            } catch (IOException | RuntimeException e) {
                // That member keeps its tombstones: anti-entropy may copy them back to the others, and a later round drops them.
                LOG.info("tombstone collection of {} on {} failed: {}", table.name(), m, Transport.unwrap(e).toString());
            }
        }
        LOG.info("{}: dropped {} tombstone copies of {} keys older than the grace", table.name(), dropped, dropKeys.size());
        return dropped;
    }

    /** Per key: whether this node holds nothing that a drop of that tombstone would let come back. */
    GcTombstonesHeld held(GcTombstones q) throws IOException {
        boolean[] out = new boolean[q.keys().length];
        CollectedTable<?> table = tables.get(q.table());
        if (table != null) {
            answer(table, q, out);
        }
        // A table not attached here yet answers no for every key: this node cannot tell what it holds.
        return new GcTombstonesHeld(out);
    }

    private static <V extends Versioned> void answer(CollectedTable<V> table, GcTombstones q, boolean[] out) throws IOException {
        Set<ByteBuffer> hinted = table.hintedKeys().get();
        for (int i = 0; i < out.length; i++) {
            byte[] key = q.keys()[i];
            V held = table.local().store().get(key).orElse(null);
            VersionStamp tombstone = VersionStamp.parse(q.versions()[i]);
            out[i] = !hinted.contains(ByteBuffer.wrap(key)) && (held == null || LastWriterWins.collectable(held, tombstone));
        }
    }

    /**
     * Deletes each entry that is still a tombstone no newer than the given stamp; an entry written since (newer, or
     * live) stays. Returns how many were deleted.
     */
    int drop(GcTombstones q) throws IOException {
        CollectedTable<?> table = tables.get(q.table());
        return table == null ? 0 : drop(table, q);
    }

    private static <V extends Versioned> int drop(CollectedTable<V> table, GcTombstones q) throws IOException {
        int dropped = 0;
        for (int i = 0; i < q.keys().length; i++) {
            VersionStamp tombstone = VersionStamp.parse(q.versions()[i]);
            if (table.local().dropIf(q.keys()[i], e -> LastWriterWins.collectable(e, tombstone))) {
                dropped++;
            }
        }
        return dropped;
    }
}
