package io.hifadhi.node.storage;

import io.hifadhi.api.store.CorruptDataException;
import io.hifadhi.node.config.OwnerOnly;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Content-addressed chunk files under {@code <root>/<id[0..2]>/<id[2..4]>/<id>}. A chunk is written
 * to {@code <root>/.tmp}, fsynced, renamed into place and its directory fsynced, so after a crash a
 * chunk file is either complete or absent. Reads re-hash the whole chunk before serving any of it.
 *
 * <p>A chunk file's modification time is when it was last <em>put</em>: written, or {@link #touch}ed because a
 * new reference to it is about to be made. The garbage collector deletes only chunks whose last put is older
 * than its grace period ({@link #deleteIfIdle}); a put and a delete of one chunk exclude each other (striped
 * locks), so a put either finds the file and refreshes its time, or writes it anew after the delete.
 */
public final class ChunkStore {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkStore.class);
    private static final int IO_BUFFER = 64 * 1024;

    private final Path root;
    private final Path tmp;
    private final boolean fsync;
    /** Puts, touches and deletes of one chunk id take its stripe, so none of them interleave. */
    private final Object[] locks = new Object[256];
    /** Bytes of the chunk files under {@link #root}: counted at start, then kept up to date. */
    private final AtomicLong storedBytes = new AtomicLong();
    private final ReadBuffers readBuffers = new ReadBuffers();

    public ChunkStore(Path root, boolean fsync) throws IOException {
        this.root = root;
        this.tmp = root.resolve(".tmp");
        this.fsync = fsync;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        Files.createDirectories(tmp, OwnerOnly.directory());
        removeLeftoverTempFiles();
        if (fsync) {
            fsyncDirectory(root.getParent());
            fsyncDirectory(root);
        }
        forEachFile(ref -> storedBytes.addAndGet(ref.length()));
    }

    ReadBuffers readBuffers() {
        return readBuffers;
    }

    /** Read buffers allocated since start (see {@link ReadBuffers#allocated()}). */
    public long readBuffersAllocated() {
        return readBuffers.allocated();
    }

    /** Bytes of chunk files this store holds (the payload on disk, not counting the file system's own overhead). */
    public long storedBytes() {
        return storedBytes.get();
    }

    /**
     * Marks the chunk as put now, if its file is here with its length: a reference to it is about to be made, so
     * the collector must keep it for another grace period. The new time is fsynced (when fsync is on), so a
     * restart does not make the chunk look older than it is. Returns false when the file is missing or truncated.
     */
    public boolean touch(ChunkRef ref) throws IOException {
        synchronized (lockFor(ref.id())) {
            Path f = pathOf(ref.id());
            try {
                if (Files.size(f) != ref.length()) {
                    return false;
                }
                Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis()));
            } catch (NoSuchFileException e) {
                return false;
            }
            if (fsync) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    ch.force(true);
                }
            }
            return true;
        }
    }

    /** When the chunk was last put (written or touched), in epoch millis; empty when the file is not here. */
    public OptionalLong lastPut(String id) {
        try {
            return OptionalLong.of(Files.getLastModifiedTime(pathOf(id)).toMillis());
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Deletes the chunk's file unconditionally: only for a chunk whose copies are known to be elsewhere or no longer
     * needed (this node handed it to the owners of a ring it is no longer in). The directory is fsynced, so the deletion
     * survives a crash. Returns the bytes freed, 0 when there was no file.
     */
    public long delete(String id) throws IOException {
        synchronized (lockFor(id)) {
            return deleteLocked(id);
        }
    }

    /**
     * The garbage collector's delete: removes the chunk's file only if it was last put before {@code putBefore}
     * (epoch millis), checked under the chunk's lock so a concurrent put either happened before (and kept the file)
     * or writes the file anew afterwards. Returns the bytes freed; 0 when there was no file; -1 when the file was
     * put too recently and is kept.
     */
    public long deleteIfIdle(String id, long putBefore) throws IOException {
        synchronized (lockFor(id)) {
            OptionalLong put = lastPut(id);
            if (put.isEmpty()) {
                return 0;
            }
            if (put.getAsLong() >= putBefore) {
                return -1;
            }
            return deleteLocked(id);
        }
    }

    private long deleteLocked(String id) throws IOException {
        Path f = pathOf(id);
        long size;
        try {
            size = Files.size(f);
            Files.delete(f);
        } catch (NoSuchFileException e) {
            return 0;
        }
        storedBytes.addAndGet(-size);
        Files.deleteIfExists(crcPathOf(id));
        if (fsync) {
            fsyncDirectory(f.getParent());
        }
        return size;
    }

    private Object lockFor(String id) {
        return locks[Integer.parseInt(id.substring(0, 2), 16)];
    }

    public Path pathOf(String id) {
        return root.resolve(id.substring(0, 2)).resolve(id.substring(2, 4)).resolve(id);
    }

    /** Where the CRC32C of the chunk's blocks is kept ({@link BlockChecksums}). */
    Path crcPathOf(String id) {
        return pathOf(id).resolveSibling(id + ".crc");
    }

    /** A writer for one new chunk; the caller bounds its size. */
    public ChunkWriter newWriter() throws IOException {
        return new ChunkWriter(null);
    }

    /**
     * A writer for a chunk whose name this process computed from the very bytes it is about to write (a node's own
     * copy of a chunk it cut from an upload): they are not hashed again. Bytes from elsewhere go through
     * {@link #newWriter()}, which names the chunk by what arrived.
     */
    public ChunkWriter newWriter(ChunkRef known) throws IOException {
        return new ChunkWriter(known);
    }

    /** Whole-chunk SHA-256 and length check. A missing chunk counts as corrupt: its record promised it. */
    public void verify(ChunkRef ref) throws IOException {
        MessageDigest sha = sha256();
        long total = 0;
        try (InputStream in = Files.newInputStream(pathOf(ref.id()))) {
            byte[] buf = new byte[IO_BUFFER];
            int n;
            while ((n = in.read(buf)) >= 0) {
                sha.update(buf, 0, n);
                total += n;
            }
        } catch (NoSuchFileException e) {
            throw new CorruptDataException("chunk " + ref.id() + " is missing");
        }
        if (total != ref.length() || !Hex.of(sha.digest()).equals(ref.id())) {
            throw new CorruptDataException("chunk " + ref.id() + " failed its SHA-256 check");
        }
    }

    /**
     * Opens a chunk for verified reads. The chunk's CRC file is loaded, or made after a SHA-256 check when the chunk
     * has none (a chunk of an earlier release) or it is damaged.
     *
     * @throws CorruptDataException when the chunk is missing, or failed its SHA-256 check (its file is then deleted)
     */
    public ChunkReader openReader(ChunkRef ref) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(pathOf(ref.id()), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CorruptDataException("chunk " + ref.id() + " is missing");
        }
        try {
            BlockChecksums sums = ch.size() == ref.length() ? loadChecksums(ref).orElse(null) : null;
            if (sums == null) {
                ch.close();
                sums = recheck(ref);
                ch = FileChannel.open(pathOf(ref.id()), StandardOpenOption.READ);
            }
            return new ChunkReader(this, ref, ch, sums);
        } catch (NoSuchFileException e) {
            ch.close();
            throw new CorruptDataException("chunk " + ref.id() + " is missing");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** A chunk's file to be sent as it is, with the CRC32C of each of its blocks of {@code blockSize} bytes. */
    public record ChunkFile(FileChannel channel, int blockSize, int[] blockCrcs) {
    }

    /**
     * The chunk's file and the block CRCs kept beside it, for a transfer whose receiver checks the blocks; empty when
     * this node has no file of the chunk's length with a sound CRC file (the caller then reads it with checks, which
     * mends a damaged CRC file or drops a damaged chunk).
     */
    public java.util.Optional<ChunkFile> openForTransfer(ChunkRef ref) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(pathOf(ref.id()), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return java.util.Optional.empty();
        }
        try {
            if (ch.size() == ref.length()) {
                java.util.Optional<BlockChecksums> sums = loadChecksums(ref);
                if (sums.isPresent()) {
                    return java.util.Optional.of(new ChunkFile(ch, BlockChecksums.BLOCK, sums.get().crcs()));
                }
            }
            ch.close();
            return java.util.Optional.empty();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The whole chunk's bytes, verified by its CRCs (for a replica's copy sent to a peer or a cluster read). */
    public byte[] readVerified(ChunkRef ref) throws IOException {
        byte[] bytes = new byte[ref.length()];
        try (ChunkReader reader = openReader(ref)) {
            ByteBuffer into = ByteBuffer.wrap(bytes);
            reader.read(0, into);
            if (into.remaining() != ref.length()) {
                throw new CorruptDataException("chunk " + ref.id() + " shrank while being read");
            }
        }
        return bytes;
    }

    private java.util.Optional<BlockChecksums> loadChecksums(ChunkRef ref) throws IOException {
        try {
            return BlockChecksums.decode(Files.readAllBytes(crcPathOf(ref.id())), ref.length());
        } catch (NoSuchFileException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * SHA-256 decides, under the chunk's lock: a chunk file that passes gets a fresh CRC file (it had none, or a
     * damaged one) and its checksums are returned; one that fails is deleted, so a read fails over to a replica and
     * repair or the scrub brings a good copy back.
     *
     * @throws CorruptDataException when the chunk failed (and is now gone) or was missing
     */
    BlockChecksums recheck(ChunkRef ref) throws IOException {
        synchronized (lockFor(ref.id())) {
            Scan scan = scan(ref, null);
            if (scan == null) {
                throw new CorruptDataException("chunk " + ref.id() + " is missing");
            }
            if (!scan.matches(ref)) {
                deleteLocked(ref.id());
                LOG.warn("chunk {} failed its SHA-256 check: its file is deleted, a replica's copy is to replace it", ref.id());
                throw new CorruptDataException("chunk " + ref.id() + " failed its SHA-256 check");
            }
            if (!scan.sums().equals(loadChecksums(ref).orElse(null))) {
                writeChecksums(ref.id(), scan.sums());
            }
            return scan.sums();
        }
    }

    /** What a scrub of one chunk found. */
    public enum ScrubOutcome { GOOD, CHECKSUMS_REWRITTEN, CORRUPT_DELETED, MISSING }

    /**
     * Re-hashes one chunk file with SHA-256 (outside its lock: chunk files are immutable, and a mismatch is judged
     * again under the lock by {@link #recheck}). {@code pace} is told each buffer's size before it is read.
     */
    public ScrubOutcome scrub(ChunkRef ref, java.util.function.LongConsumer pace) throws IOException {
        Scan scan = scan(ref, pace);
        if (scan == null) {
            return ScrubOutcome.MISSING;
        }
        if (scan.matches(ref) && scan.sums().equals(loadChecksums(ref).orElse(null))) {
            return ScrubOutcome.GOOD;
        }
        try {
            recheck(ref);
            return ScrubOutcome.CHECKSUMS_REWRITTEN;
        } catch (CorruptDataException e) {
            return ScrubOutcome.CORRUPT_DELETED;
        }
    }

    private record Scan(String sha256, long length, BlockChecksums sums) {
        boolean matches(ChunkRef ref) {
            return length == ref.length() && sha256.equals(ref.id());
        }
    }

    /** SHA-256, length and block CRCs of the chunk's file as it is on disk; null when there is no file. */
    private Scan scan(ChunkRef ref, java.util.function.LongConsumer pace) throws IOException {
        MessageDigest sha = sha256();
        BlockChecksums.Builder sums = new BlockChecksums.Builder();
        long total = 0;
        try (InputStream in = Files.newInputStream(pathOf(ref.id()))) {
            byte[] buf = new byte[IO_BUFFER];
            while (true) {
                if (pace != null) {
                    pace.accept(buf.length);
                }
                int n = in.readNBytes(buf, 0, buf.length);
                if (n <= 0) {
                    break;
                }
                sha.update(buf, 0, n);
                sums.update(buf, 0, n);
                total += n;
            }
        } catch (NoSuchFileException e) {
            return null;
        }
        return new Scan(Hex.of(sha.digest()), total, sums.build());
    }

    /** Replaces the chunk's CRC file: written to a temp file, fsynced, renamed into place, the directory fsynced. */
    private void writeChecksums(String id, BlockChecksums sums) throws IOException {
        Path part = tmp.resolve(UUID.randomUUID() + ".crc");
        writeDurably(part, sums.encode());
        Files.move(part, crcPathOf(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (fsync) {
            fsyncDirectory(crcPathOf(id).getParent());
        }
    }

    private void writeDurably(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                OwnerOnly.file())) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (fsync) {
                ch.force(true);
            }
        }
    }

    public boolean contains(String id) {
        return Files.exists(pathOf(id));
    }

    /** Whether the chunk's file is there with its length (a stat, no hashing: reads and scrubs hash). */
    public boolean holdsFile(ChunkRef ref) {
        try {
            return Files.size(pathOf(ref.id())) == ref.length();
        } catch (IOException e) {
            return false;
        }
    }

    /** Visits every chunk file (id and length as found on disk; temp files skipped, files deleted meanwhile too). */
    public void forEachFile(java.util.function.Consumer<ChunkRef> visitor) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(root, 3)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.length() == 64 && !f.startsWith(tmp) && name.chars().allMatch(ch -> (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))
                        && Files.isRegularFile(f)) {
                    long size;
                    try {
                        size = Files.size(f);
                    } catch (NoSuchFileException e) {
                        continue;
                    }
                    if (size <= Integer.MAX_VALUE) {
                        visitor.accept(new ChunkRef(name, (int) size));
                    }
                }
            }
        }
    }

    private void removeLeftoverTempFiles() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Streams one chunk to a temp file while hashing it; {@link #finish} publishes it under its hash. */
    public final class ChunkWriter implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        /** Null when the chunk's name is {@link #known}. */
        private final MessageDigest sha;
        private final ChunkRef known;
        private final BlockChecksums.Builder sums = new BlockChecksums.Builder();
        private long size;
        private boolean closed;

        private ChunkWriter(ChunkRef known) throws IOException {
            this.known = known;
            this.sha = known == null ? sha256() : null;
            file = tmp.resolve(UUID.randomUUID() + ".part");
            channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    OwnerOnly.file());
        }

        public void write(byte[] buf, int off, int len) throws IOException {
            if (sha != null) {
                sha.update(buf, off, len);
            }
            sums.update(buf, off, len);
            ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
            while (bb.hasRemaining()) {
                channel.write(bb);
            }
            size += len;
        }

        public long size() {
            return size;
        }

        public ChunkRef finish() throws IOException {
            if (known != null && size != known.length()) {
                throw new IOException("chunk " + known.id() + " is " + known.length() + " bytes, " + size + " were written");
            }
            // The file's time is its put time (see the class comment): set before the fsync that makes it durable.
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
            if (fsync) {
                channel.force(true);
            }
            channel.close();
            closed = true;
            ChunkRef ref = known != null ? known : new ChunkRef(Hex.of(sha.digest()), Math.toIntExact(size));
            Path target = pathOf(ref.id());
            Path dir = target.getParent();
            // The CRC file goes first, so a chunk in place always has one (after a crash at worst a CRC file without
            // its chunk, which the next write of that chunk replaces; a chunk that lost its CRC file gets it back on read).
            Path crcPart = tmp.resolve(UUID.randomUUID() + ".crc");
            writeDurably(crcPart, sums.build().encode());
            synchronized (lockFor(ref.id())) {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir, OwnerOnly.directory());
                    if (fsync) {
                        fsyncDirectory(dir.getParent());
                        fsyncDirectory(dir.getParent().getParent());
                    }
                }
                long replaced;
                try {
                    replaced = Files.size(target);
                } catch (NoSuchFileException e) {
                    replaced = 0;
                }
                // Replacing an existing copy is harmless (same bytes) and heals a damaged one.
                Files.move(crcPart, crcPathOf(ref.id()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                storedBytes.addAndGet(size - replaced);
                if (fsync) {
                    fsyncDirectory(dir);
                }
            }
            return ref;
        }

        /** Discards an unfinished chunk. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    channel.close();
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warn("could not remove temp chunk {}: {}", file, e.toString());
                }
            }
        }
    }
}
