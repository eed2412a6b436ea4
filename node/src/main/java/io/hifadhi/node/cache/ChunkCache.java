package io.hifadhi.node.cache;

import io.hifadhi.node.storage.ChunkRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Copies of chunks this node is not a replica of, on disk under {@code <data>/cache/<id[0..2]>/<id>}, at most
 * {@code capacity} bytes, least recently used first out. It is a cache, not storage: nothing in it is ever the
 * only copy, so files are not fsynced and a crash may lose or damage some; every read re-hashes the file and a
 * damaged one is dropped. Chunk ids are SHA-256 of the bytes, so an entry can never go stale: an overwritten
 * object has new chunk ids, and its old chunks simply stop being read and age out.
 *
 * <p>Kept apart from the replica chunk store (its own directory, its own index): repair, anti-entropy and garbage
 * collection never see these files, and the cache never deletes a replica's.
 */
public final class ChunkCache {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkCache.class);
    private static final HexFormat HEX = HexFormat.of();
    private static final java.util.regex.Pattern CHUNK_ID = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    private final Path root;
    private final Path tmp;
    private final long capacity;
    /** A cached chunk's length and when it was last filled or read. */
    private static final class Entry {
        final int length;
        long usedAt;

        Entry(int length, long usedAt) {
            this.length = length;
            this.usedAt = usedAt;
        }
    }

    private final LongSupplier clock;
    /** id -> entry, in access order: the first entry is the least recently used. */
    private final LinkedHashMap<String, Entry> index = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder fills = new LongAdder();
    private final LongAdder hitBytes = new LongAdder();

    /** Opens (or creates) the cache in {@code root}; what an earlier run left there is kept, up to {@code capacity}. */
    public ChunkCache(Path root, long capacity, LongSupplier clock) throws IOException {
        if (capacity < 0) {
            throw new IllegalArgumentException("cache capacity must be >= 0");
        }
        this.root = root;
        this.tmp = root.resolve(".tmp");
        this.capacity = capacity;
        this.clock = clock;
        Files.createDirectories(tmp, io.hifadhi.node.config.OwnerOnly.directory());
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
            for (Path f : leftovers) {
                Files.deleteIfExists(f);
            }
        }
        reload();
    }

    /** Rebuilds the index from the files, oldest modification first, so the LRU order survives a restart roughly. */
    private void reload() throws IOException {
        record Found(String id, int length, FileTime modified) {
        }
        List<Found> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root, 2)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (isChunkId(name) && !f.startsWith(tmp) && Files.isRegularFile(f)) {
                    long size = Files.size(f);
                    if (size <= Integer.MAX_VALUE) {
                        found.add(new Found(name, (int) size, Files.getLastModifiedTime(f)));
                    }
                }
            }
        }
        found.sort(Comparator.comparing(Found::modified));
        synchronized (this) {
            long now = clock.getAsLong();
            for (Found f : found) {
                index.put(f.id(), new Entry(f.length(), now));
                bytes += f.length();
            }
        }
        evictOver(capacity);
    }

    public long capacity() {
        return capacity;
    }

    /** The cached chunk if it is here and intact (a hit); else empty (a miss), and a damaged file is dropped. */
    public Optional<byte[]> read(ChunkRef ref) {
        boolean listed;
        synchronized (this) {
            Entry e = index.get(ref.id()); // get() also moves it to the recently used end
            listed = e != null;
            if (listed) {
                e.usedAt = clock.getAsLong();
            }
        }
        if (listed) {
            try {
                byte[] data = Files.readAllBytes(pathOf(ref.id()));
                if (data.length == ref.length() && sha256Hex(data).equals(ref.id())) {
                    hits.increment();
                    hitBytes.add(data.length);
                    return Optional.of(data);
                }
                LOG.warn("cached chunk {} failed its SHA-256 check; dropped", ref.id());
            } catch (NoSuchFileException e) {
                LOG.debug("cached chunk {} vanished", ref.id());
            } catch (IOException e) {
                LOG.warn("cached chunk {} unreadable: {}", ref.id(), e.toString());
            }
            drop(ref.id());
        }
        misses.increment();
        return Optional.empty();
    }

    public synchronized boolean contains(String id) {
        return index.containsKey(id);
    }

    /**
     * Keeps a copy of a chunk. The bytes are hashed first: only bytes whose SHA-256 is {@code id} are kept, so a
     * damaged transfer or a lying peer cannot put wrong bytes under a name. Returns whether the chunk is cached now.
     */
    public boolean fill(String id, byte[] data) {
        return isChunkId(id) && data.length <= capacity && sha256Hex(data).equals(id) && keepChecked(id, data);
    }

    /**
     * {@link #fill} without hashing, for a chunk a reader just fetched from a holder, whose bytes were checked on the
     * way (the holder's block CRCs, the transfer's CRC32C): hashing 4 MiB again would cost the reader more than the
     * copy. A cached copy is still SHA-256-checked on every read ({@link #read}), so a wrong one is never served.
     */
    boolean keepChecked(String id, byte[] data) {
        if (!isChunkId(id) || data.length > capacity) {
            return false;
        }
        synchronized (this) {
            Entry e = index.get(id);
            if (e != null) {
                e.usedAt = clock.getAsLong();
                return true;
            }
        }
        Path part = tmp.resolve(UUID.randomUUID() + ".part");
        try {
            Path target = pathOf(id);
            Files.createDirectories(target.getParent(), io.hifadhi.node.config.OwnerOnly.directory());
            Files.write(Files.createFile(part, io.hifadhi.node.config.OwnerOnly.file()), data);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("could not cache chunk {}: {}", id, e.toString());
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // A leftover is removed at the next start.
            }
            return false;
        }
        synchronized (this) {
            Entry was = index.put(id, new Entry(data.length, clock.getAsLong()));
            bytes += data.length - (was == null ? 0 : was.length);
        }
        fills.increment();
        evictOver(capacity);
        return true;
    }

    /** Removes a chunk from the cache (the object it belongs to cooled down). Returns whether it was there. */
    public boolean drop(String id) {
        Entry e;
        synchronized (this) {
            e = index.remove(id);
            if (e != null) {
                bytes -= e.length;
            }
        }
        if (e != null) {
            delete(id);
        }
        return e != null;
    }

    /** The chunks neither read nor filled since {@code cutoffMillis}, least recently used first. */
    public synchronized List<String> idleSince(long cutoffMillis) {
        List<String> idle = new ArrayList<>();
        for (Map.Entry<String, Entry> e : index.entrySet()) {
            if (e.getValue().usedAt >= cutoffMillis) {
                break; // access order: everything after was used later
            }
            idle.add(e.getKey());
        }
        return idle;
    }

    private void evictOver(long limit) {
        List<String> victims = new ArrayList<>();
        synchronized (this) {
            var it = index.entrySet().iterator();
            while (bytes > limit && it.hasNext()) {
                Map.Entry<String, Entry> e = it.next();
                it.remove();
                bytes -= e.getValue().length;
                victims.add(e.getKey());
            }
        }
        for (String id : victims) {
            delete(id);
            evictions.increment();
        }
    }

    private void delete(String id) {
        try {
            Files.deleteIfExists(pathOf(id));
        } catch (IOException e) {
            LOG.warn("could not remove cached chunk {}: {}", id, e.toString());
        }
    }

    Path pathOf(String id) {
        return root.resolve(id.substring(0, 2)).resolve(id);
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized int entries() {
        return index.size();
    }

    public long hits() {
        return hits.sum();
    }

    public long hitBytes() {
        return hitBytes.sum();
    }

    public long misses() {
        return misses.sum();
    }

    public long evictions() {
        return evictions.sum();
    }

    public long fills() {
        return fills.sum();
    }

    /** A chunk id names a file only if it is exactly 64 lower-case hex digits: nothing else can become a path. */
    static boolean isChunkId(String s) {
        return s != null && CHUNK_ID.matcher(s).matches();
    }

    static String sha256Hex(byte[] data) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
