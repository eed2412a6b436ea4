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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Content-addressed chunk files under {@code <root>/<id[0..2]>/<id[2..4]>/<id>}. A chunk is written
 * to {@code <root>/.tmp}, fsynced, renamed into place and its directory fsynced, so after a crash a
 * chunk file is either complete or absent. Reads re-hash the whole chunk before serving any of it.
 */
public final class ChunkStore {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkStore.class);
    private static final int IO_BUFFER = 64 * 1024;

    private final Path root;
    private final Path tmp;
    private final boolean fsync;

    public ChunkStore(Path root, boolean fsync) throws IOException {
        this.root = root;
        this.tmp = root.resolve(".tmp");
        this.fsync = fsync;
        Files.createDirectories(tmp, OwnerOnly.directory());
        removeLeftoverTempFiles();
        if (fsync) {
            fsyncDirectory(root.getParent());
            fsyncDirectory(root);
        }
    }

    public Path pathOf(String id) {
        return root.resolve(id.substring(0, 2)).resolve(id.substring(2, 4)).resolve(id);
    }

    /** A writer for one new chunk; the caller bounds its size. */
    public ChunkWriter newWriter() throws IOException {
        return new ChunkWriter();
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

    /** Opens a chunk for reading a slice after {@link #verify}. */
    public FileChannel openChannel(ChunkRef ref) throws IOException {
        try {
            return FileChannel.open(pathOf(ref.id()), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CorruptDataException("chunk " + ref.id() + " is missing");
        }
    }

    /**
     * Deletes a chunk's file. Only for a chunk whose copies are known to be elsewhere or no longer needed: this
     * node handed it to the owners of a ring it is no longer in.
     */
    public void delete(String id) throws IOException {
        Files.deleteIfExists(pathOf(id));
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

    /** Visits every chunk file (id and length as found on disk; temp files skipped). */
    public void forEachFile(java.util.function.Consumer<ChunkRef> visitor) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(root, 3)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.length() == 64 && !f.startsWith(tmp) && name.chars().allMatch(ch -> (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))
                        && Files.isRegularFile(f)) {
                    long size = Files.size(f);
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
        private final MessageDigest sha = sha256();
        private long size;
        private boolean closed;

        private ChunkWriter() throws IOException {
            file = tmp.resolve(UUID.randomUUID() + ".part");
            channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    OwnerOnly.file());
        }

        public void write(byte[] buf, int off, int len) throws IOException {
            sha.update(buf, off, len);
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
            if (fsync) {
                channel.force(true);
            }
            channel.close();
            closed = true;
            ChunkRef ref = new ChunkRef(Hex.of(sha.digest()), Math.toIntExact(size));
            Path target = pathOf(ref.id());
            Path dir = target.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, OwnerOnly.directory());
                if (fsync) {
                    fsyncDirectory(dir.getParent());
                    fsyncDirectory(dir.getParent().getParent());
                }
            }
            // Replacing an existing copy is harmless (same bytes) and heals a damaged one.
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (fsync) {
                fsyncDirectory(dir);
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
