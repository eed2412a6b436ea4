package io.hifadhi.node.replication;

import io.hifadhi.api.s3.BucketCatalog;
import io.hifadhi.api.s3.LifecycleConfiguration;
import io.hifadhi.api.s3.S3Exception;
import io.hifadhi.api.s3.XmlReader;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.config.LifecycleSettings;
import io.hifadhi.node.storage.MultipartUploads;
import io.hifadhi.node.storage.RecordStore;
import io.hifadhi.ring.KeyHash;
import io.hifadhi.ring.Ring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The expiry pass: deletes native files past their {@code expires_in} and objects an S3 lifecycle rule expires, and
 * aborts the multipart uploads a rule's AbortIncompleteMultipartUpload abandons. Readers already see an expired
 * file as absent (the expiry is in its record); the pass frees its space.
 *
 * <p>No two nodes do the same work: an object key is handled only by its primary, the first of its replicas in the
 * newest ring, looking at its own copy of the record; an upload (its table is on every node) by the primary of its
 * object key. The delete goes through the replicated write path as a tombstone that deletes exactly the version
 * looked at ({@link io.hifadhi.node.storage.ObjectRecord#expiryTombstone}): a PUT of the key racing the pass, or a
 * newer version this replica has not received yet, wins over it, so the pass never deletes an object it did not
 * judge. Chunks are left to the chunk collector. While a key's primary is down its objects wait for it (or for its
 * removal from the layout, after which another node is primary).
 */
public final class LifecycleWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleWorker.class);
    /** Objects deleted per pass at most; a full batch starts the next pass at once. */
    static final int BATCH = 10_000;

    private record Expired(String bucket, String key, VersionStamp version, boolean byRule) {
    }

    private final Replication c;
    private final RecordStore records;
    private final ReplicatedObjectStore store;
    private final MultipartUploads uploads;
    private final BucketCatalog buckets;
    private final LifecycleSettings settings;
    private final LongSupplier clock;
    private final XmlReader xml = new XmlReader(1 << 20, 16 * LifecycleConfiguration.MAX_RULES + 10);
    private final ScheduledExecutorService loop;
    private final AtomicLong expiredByRules = new AtomicLong();
    private final AtomicLong expiredFiles = new AtomicLong();
    private final AtomicLong abortedUploads = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    private volatile boolean closed;

    public LifecycleWorker(Replication c, RecordStore records, ReplicatedObjectStore store, MultipartUploads uploads,
                           BucketCatalog buckets, LifecycleSettings settings, LongSupplier clock) {
        this.c = c;
        this.records = records;
        this.store = store;
        this.uploads = uploads;
        this.buckets = buckets;
        this.settings = settings;
        this.clock = clock;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-lifecycle");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        schedule(settings.passIntervalMillis());
    }

    /** Objects this node deleted because a bucket's lifecycle rule expired them. */
    public long expiredByRules() {
        return expiredByRules.get();
    }

    /** Native files this node deleted at their {@code expires_in}. */
    public long expiredFiles() {
        return expiredFiles.get();
    }

    public long abortedUploads() {
        return abortedUploads.get();
    }

    public long passes() {
        return passes.get();
    }

    private void schedule(long delayMillis) {
        if (closed) {
            return;
        }
        try {
            loop.schedule(() -> {
                boolean more = false;
                try {
                    more = pass();
                } catch (IOException | RuntimeException e) {
                    LOG.info("expiry pass did not finish, the next one retries: {}", e.toString());
                } finally {
                    schedule(more ? 0 : settings.passIntervalMillis());
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("lifecycle worker stopped");
        }
    }

    /** One pass; returns whether it stopped at its batch size with more to delete. */
    boolean pass() throws IOException {
        long now = clock.getAsLong();
        long day = settings.dayMillis();
        Map<String, LifecycleConfiguration> rules = configurations();
        ClusterView v = c.placement().view();
        Ring ring = c.placement().ring(v);
        int[] idx = new int[c.placement().n(ring)];
        List<Expired> due = new ArrayList<>();
        records.forEach(r -> {
            if (due.size() >= BATCH || r.deleted()) {
                return;
            }
            LifecycleConfiguration config = rules.get(r.bucket());
            boolean byRule = config != null && config.expires(r.key(), r.size(), r.tags(), r.lastModifiedMillis(), now, day);
            if ((byRule || r.expiredAt(now)) && primary(ring, idx, r.bucket(), r.key())) {
                due.add(new Expired(r.bucket(), r.key(), r.version(), byRule));
            }
        });
        int failed = 0;
        for (Expired e : due) {
            if (closed) {
                return false;
            }
            try {
                store.expire(e.bucket(), e.key(), e.version());
                (e.byRule() ? expiredByRules : expiredFiles).incrementAndGet();
            } catch (IOException | RuntimeException ex) {
                failed++;
                LOG.debug("expiry of {}/{} failed: {}", e.bucket(), e.key(), ex.toString());
            }
        }
        if (failed > 0) {
            LOG.info("{} of {} expired objects could not be deleted this pass (the next one retries)", failed, due.size());
        } else if (!due.isEmpty()) {
            LOG.info("deleted {} expired objects", due.size());
        }
        if (rules.values().stream().anyMatch(LifecycleConfiguration::abortsUploads)) {
            int aborted = uploads.abortWhere(u -> {
                LifecycleConfiguration config = rules.get(u.bucket());
                return config != null && config.aborts(u.key(), u.initiated().toEpochMilli(), now, day)
                        && primary(ring, idx, u.bucket(), u.key());
            });
            abortedUploads.addAndGet(aborted);
            if (aborted > 0) {
                LOG.info("aborted {} multipart uploads their bucket's lifecycle rules abandon", aborted);
            }
        }
        passes.incrementAndGet();
        return due.size() >= BATCH && failed == 0;
    }

    /** The buckets that have lifecycle rules, parsed (they were validated when they were put). */
    private Map<String, LifecycleConfiguration> configurations() throws IOException {
        Map<String, LifecycleConfiguration> out = new HashMap<>();
        for (BucketCatalog.Bucket b : buckets.list()) {
            if (b.lifecycle() != null) {
                try {
                    out.put(b.name(), LifecycleConfiguration.parse(xml.parse(b.lifecycle().getBytes(StandardCharsets.UTF_8))));
                } catch (S3Exception e) {
                    LOG.warn("bucket {} has a lifecycle configuration this node cannot read, skipped: {}", b.name(), e.getMessage());
                }
            }
        }
        return out;
    }

    /** Whether this node is the first replica of the object key in the newest ring. */
    private boolean primary(Ring ring, int[] idx, String bucket, String key) {
        int count = ring.preferenceIndexes(KeyHash.ofObject(bucket, key), idx.length, 0, idx);
        return count > 0 && ring.member(idx[0]).id().equals(c.localId());
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
    }
}
