package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.config.ScrubSettings;
import io.hifadhi.node.replication.Messages.ChunkPut;
import io.hifadhi.node.storage.ChunkRef;
import io.hifadhi.node.storage.ChunkStore;
import io.hifadhi.ring.KeyHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The scrub ({@code --scrub-interval}, {@code --scrub-rate}): a background pass re-hashes every chunk file of this
 * node with SHA-256, the chunk's name, at a bounded rate. A file that fails is deleted and fetched again from a
 * replica that holds a good copy ({@link ChunkFetcher#fromPeers}, as the chunk keeper repairs a missing one); a chunk
 * whose CRC file is missing (a chunk of an earlier release) or damaged gets a new one. The end of the last complete
 * pass is kept in the data directory, so restarts do not postpone the next pass forever nor start one each time.
 */
public final class ChunkScrubber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkScrubber.class);
    private static final HexFormat HEX = HexFormat.of();

    private final Replication c;
    private final ChunkStore chunks;
    private final ScrubSettings settings;
    private final Path lastPassFile;
    private final LongSupplier clock;
    private final TransferRate rate;
    private final ScheduledExecutorService loop;
    private final AtomicLong checkedChunks = new AtomicLong();
    private final AtomicLong checkedBytes = new AtomicLong();
    private final AtomicLong corruptChunks = new AtomicLong();
    private final AtomicLong repairedChunks = new AtomicLong();
    private final AtomicLong rewrittenChecksums = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    private volatile boolean closed;

    public ChunkScrubber(Replication c, ChunkStore chunks, ScrubSettings settings, Path lastPassFile, LongSupplier clock) {
        this.c = c;
        this.chunks = chunks;
        this.settings = settings;
        this.lastPassFile = lastPassFile;
        this.clock = clock;
        this.rate = new TransferRate(settings.bytesPerSecond());
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-scrub");
            t.setDaemon(true);
            return t;
        });
    }

    /** Schedules the next pass an interval after the last complete one (after now, for a node that never had one). */
    public void start() {
        long last = lastPass();
        if (last == 0) {
            last = clock.getAsLong();
            remember(last);
        }
        schedule(Math.max(0, last + settings.intervalMillis() - clock.getAsLong()));
    }

    public long checkedChunks() {
        return checkedChunks.get();
    }

    public long checkedBytes() {
        return checkedBytes.get();
    }

    /** Chunk files that failed their SHA-256 check (and were deleted). */
    public long corruptChunks() {
        return corruptChunks.get();
    }

    /** Of those, the ones fetched again from a replica. */
    public long repairedChunks() {
        return repairedChunks.get();
    }

    /** Chunks whose CRC file was missing or damaged and was written anew. */
    public long rewrittenChecksums() {
        return rewrittenChecksums.get();
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
                try {
                    pass();
                } catch (IOException | RuntimeException e) {
                    LOG.info("scrub pass did not finish, the next one starts over: {}", e.toString());
                } finally {
                    schedule(settings.intervalMillis());
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("scrubber stopped");
        }
    }

    /** One whole pass over this node's chunk files; also what an operator's or a test's "scrub now" runs. */
    public synchronized void pass() throws IOException {
        long corruptBefore = corruptChunks.get();
        long checkedBefore = checkedChunks.get();
        long started = clock.getAsLong();
        try {
            chunks.forEachFile(ref -> {
                if (closed) {
                    throw new CancellationException("scrubber stopped");
                }
                try {
                    check(ref);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        passes.incrementAndGet();
        remember(clock.getAsLong());
        LOG.info("scrub pass checked {} chunk files in {} s; {} failed their SHA-256 check", checkedChunks.get() - checkedBefore,
                (clock.getAsLong() - started) / 1000, corruptChunks.get() - corruptBefore);
    }

    private void check(ChunkRef ref) throws IOException {
        ChunkStore.ScrubOutcome outcome = chunks.scrub(ref, this::pace);
        if (outcome == ChunkStore.ScrubOutcome.MISSING) {
            return;
        }
        checkedChunks.incrementAndGet();
        checkedBytes.addAndGet(ref.length());
        switch (outcome) {
            case CHECKSUMS_REWRITTEN -> rewrittenChecksums.incrementAndGet();
            case CORRUPT_DELETED -> {
                corruptChunks.incrementAndGet();
                restore(ref);
            }
            default -> {
            }
        }
    }

    private void pace(long bytes) {
        try {
            rate.acquire(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("scrub interrupted");
        }
    }

    /** A good copy from another holder, written here in place of the bad file; the chunk keeper retries on failure. */
    private void restore(ChunkRef ref) {
        try {
            ClusterView v = c.placement().view();
            byte[] good = c.chunkFetcher().fromPeers(v, c.placement().walk(v, KeyHash.ofChunk(HEX.parseHex(ref.id()))), ref);
            c.replica().putChunk(new ChunkPut(ref.id(), good, null));
            repairedChunks.incrementAndGet();
            LOG.warn("scrub: chunk {} failed its SHA-256 check; replaced by a replica's copy", ref.id());
        } catch (IOException | RuntimeException e) {
            LOG.error("scrub: chunk {} failed its SHA-256 check and was deleted; no good copy could be fetched yet: {}",
                    ref.id(), e.getMessage());
        }
    }

    private long lastPass() {
        try {
            return Long.parseLong(Files.readString(lastPassFile, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException | NumberFormatException e) {
            LOG.info("scrub: {} unreadable ({}); counting from now", lastPassFile, e.toString());
            return 0;
        }
    }

    private void remember(long millis) {
        try {
            Path part = lastPassFile.resolveSibling(lastPassFile.getFileName() + ".part");
            // Owner-only from creation, like every file the node writes in its data directory.
            Files.deleteIfExists(part);
            Files.createFile(part, io.hifadhi.node.config.OwnerOnly.file());
            Files.writeString(part, Long.toString(millis), StandardCharsets.US_ASCII);
            Files.move(part, lastPassFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.info("scrub: could not record the pass time in {}: {}", lastPassFile, e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
    }
}
