package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.replication.Messages.GcTombstones;
import io.hifadhi.node.replication.Messages.GcTombstonesDropped;
import io.hifadhi.node.replication.Messages.GcTombstonesHeld;
import io.hifadhi.node.schema.LastWriterWins;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.node.transport.Transport;
import io.hifadhi.ring.KeyHash;
import io.hifadhi.ring.Ring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Tombstone GC, one step of each {@link ChunkCollector} round (so under the same rule: every member answers, or
 * nothing happens). The primary of a key (the first of its ring replicas) drops its tombstone once the tombstone is
 * older than the grace and every member holds either that tombstone (or an older one) or no record of the key, and
 * no hint of any member carries a record of it: then no copy is left that could bring an older version back (by
 * anti-entropy, read repair, a listing or a hint), and every member deletes its copy, each only if what it holds is
 * still a tombstone no newer than the one checked (a new write of the key in the meantime wins).
 */
final class TombstoneCollector {
    private static final Logger LOG = LoggerFactory.getLogger(TombstoneCollector.class);
    /** Tombstones looked at per round; the rest wait for the next. */
    static final int BATCH = 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Replication c;
    private final RecordStore records;
    private final RecordCodec codec;
    private final LocalReplica replica;
    private final long graceMillis;

    TombstoneCollector(Replication c, RecordStore records, RecordCodec codec, LocalReplica replica, long graceMillis) {
        this.c = c;
        this.records = records;
        this.codec = codec;
        this.replica = replica;
        this.graceMillis = graceMillis;
    }

    void register(Transport transport, HintStore hints) {
        transport.handle(Messages.GC_TOMBSTONES, GcTombstones.class, q -> held(q, hints));
        transport.handle(Messages.GC_TOMBSTONES_DROP, GcTombstones.class,
                q -> new GcTombstonesDropped(replica.dropTombstones(q.keys(), q.versions())));
    }

    /** Drops the tombstones this node is primary of that every member agrees on; returns how many. */
    int round(ClusterView v, List<String> members) throws IOException {
        Ring ring = c.placement().ring(v);
        int n = c.placement().n(ring);
        int[] idx = new int[n];
        long before = System.currentTimeMillis() - graceMillis;
        List<byte[]> keys = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        records.forEach(r -> {
            if (keys.size() < BATCH && r.deleted() && r.version().wallMillis() < before) {
                int count = ring.preferenceIndexes(KeyHash.ofObject(r.bucket(), r.key()), n, 0, idx);
                if (count > 0 && ring.member(idx[0]).id().equals(c.localId())) {
                    keys.add(RecordStore.keyOf(r.bucket(), r.key()));
                    versions.add(r.version().toString());
                }
            }
        });
        if (keys.isEmpty()) {
            return 0;
        }
        byte[][] k = keys.toArray(byte[][]::new);
        String[] ver = versions.toArray(String[]::new);
        boolean[] droppable = new boolean[k.length];
        java.util.Arrays.fill(droppable, true);
        for (String m : members) {
            boolean[] theirs = ReplicatedObjectStore.await(c.request(v, m, Messages.GC_TOMBSTONES, new GcTombstones(k, ver),
                    GcTombstonesHeld.class, TIMEOUT)).droppable();
            for (int i = 0; i < k.length; i++) {
                droppable[i] &= theirs[i];
            }
        }
        List<byte[]> dropKeys = new ArrayList<>();
        List<String> dropVersions = new ArrayList<>();
        for (int i = 0; i < k.length; i++) {
            if (droppable[i]) {
                dropKeys.add(k[i]);
                dropVersions.add(ver[i]);
            }
        }
        if (dropKeys.isEmpty()) {
            return 0;
        }
        int dropped = 0;
        for (String m : members) {
            try {
                dropped += ReplicatedObjectStore.await(c.request(v, m, Messages.GC_TOMBSTONES_DROP,
                        new GcTombstones(dropKeys.toArray(byte[][]::new), dropVersions.toArray(String[]::new)),
                        GcTombstonesDropped.class, TIMEOUT)).dropped();
            } catch (IOException | RuntimeException e) {
                // That member keeps its tombstones: anti-entropy may copy them back to the others, and a later round drops them.
                LOG.info("tombstone collection on {} failed: {}", m, Transport.unwrap(e).toString());
            }
        }
        LOG.info("dropped {} tombstone copies of {} keys older than the grace", dropped, dropKeys.size());
        return dropped;
    }

    /** Per key: whether this node holds nothing that a drop of that tombstone would let come back. */
    private GcTombstonesHeld held(GcTombstones q, HintStore hints) throws IOException {
        Set<ByteBuffer> hinted = new HashSet<>();
        hints.forEach(h -> {
            if (h.kind() == HintStore.Kind.RECORD) {
                ObjectRecord r = codec.decode(h.payload());
                hinted.add(ByteBuffer.wrap(RecordStore.keyOf(r.bucket(), r.key())));
            }
        });
        boolean[] out = new boolean[q.keys().length];
        for (int i = 0; i < out.length; i++) {
            byte[] key = q.keys()[i];
            ObjectRecord held = records.get(key).orElse(null);
            VersionStamp tombstone = VersionStamp.parse(q.versions()[i]);
            out[i] = !hinted.contains(ByteBuffer.wrap(key))
                    && (held == null || LastWriterWins.collectable(held, tombstone));
        }
        return new GcTombstonesHeld(out);
    }
}
