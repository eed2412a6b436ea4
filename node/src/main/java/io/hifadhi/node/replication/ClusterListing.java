package io.hifadhi.node.replication;

import io.hifadhi.api.store.ListPage;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.StoreUnavailableException;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.layout.ClusterLayout;
import io.hifadhi.node.replication.Messages.RecordScan;
import io.hifadhi.node.schema.LastWriterWins;
import io.hifadhi.node.storage.ObjectRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A listing across the cluster: every reachable member's records (tombstones included) under the prefix after the
 * marker, merged by key (newest stamp wins, tombstones and expired versions dropped), paged so that no key is skipped when a member's
 * batch was cut short; it needs R answers, like a read.
 */
final class ClusterListing {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterListing.class);

    private ClusterListing() {
    }

    static ListPage list(Replication c, String bucket, String prefix, String startAfter, int maxKeys) throws IOException {
        ClusterView v = c.placement().view();
        // A listing must see what a read would: records from at least R nodes. A node cut off from the others would
        // otherwise list only its own records and present them as the bucket's contents.
        int r = c.placement().servingQuorum(v);
        if (v.reachable().size() < r) {
            throw new StoreUnavailableException("cannot list " + bucket + ": " + v.reachable().size() + " of " + v.members().size()
                    + " nodes are reachable and a listing needs " + r + " (read quorum). Retry when nodes are back.");
        }
        // A node removed while away comes back holding versions the others may have deleted since and collected the
        // tombstones of; it forgets them before it rejoins the layout, so until then a listing does not ask it.
        ClusterLayout layout = c.placement().layout();
        List<ObjectInfo> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        String after = startAfter;
        int page = Math.max(1, Math.min(maxKeys + 1, 1001));
        for (int round = 0; round < 100_000; round++) {
            Map<String, CompletableFuture<LocalReplica.Page>> batches = new LinkedHashMap<>();
            RecordScan scan = new RecordScan(bucket, prefix, after, page);
            for (var m : v.all()) {
                if (!m.id().equals(c.localId()) && m.isReachable() && !layout.removed(m.id())) {
                    batches.put(m.id(), c.scanRecords(v, m.id(), scan));
                }
            }
            // Last, as it is scanned on this thread: the requests to the others are under way meanwhile.
            batches.put(c.localId(), c.scanRecords(v, c.localId(), scan));
            TreeMap<String, ObjectRecord> merged = new TreeMap<>();
            String bound = null;
            List<String> silent = new ArrayList<>();
            for (Map.Entry<String, CompletableFuture<LocalReplica.Page>> e : batches.entrySet()) {
                LocalReplica.Page batch;
                try {
                    batch = ReplicatedObjectStore.await(e.getValue());
                } catch (IOException ex) {
                    silent.add(e.getKey() + " (" + ex.getMessage() + ")");
                    if (batches.size() - silent.size() < r) {
                        throw new StoreUnavailableException("cannot list " + bucket + ": fewer than " + r
                                + " nodes answered (read quorum); no answer from " + silent + ". Retry when nodes are back.");
                    }
                    LOG.debug("listing {}: {} did not answer ({}); listing from the others", bucket, e.getKey(), ex.getMessage());
                    continue;
                }
                String last = null;
                for (ObjectRecord rec : batch.records()) {
                    merged.merge(rec.key(), rec, LastWriterWins::newer);
                    last = rec.key();
                }
                if (batch.truncated() && last != null && (bound == null || last.compareTo(bound) < 0)) {
                    bound = last;
                }
            }
            for (ObjectRecord rec : merged.values()) {
                if (bound != null && rec.key().compareTo(bound) > 0) {
                    break;
                }
                if (rec.liveAt(now)) {
                    out.add(rec.toInfo());
                    if (out.size() > maxKeys) {
                        return new ListPage(out.subList(0, maxKeys), true);
                    }
                }
            }
            if (bound == null) {
                return new ListPage(out, false);
            }
            after = bound;
        }
        throw new IOException("listing did not converge");
    }
}
