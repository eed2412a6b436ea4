package io.hifadhi.node.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;

/**
 * The node's data directory: checked for use at start, and small files written atomically and durably.
 * It is made owner-only (0700) at every start, so nothing under it is readable by other local users
 * whatever mode a file inside was created with (RocksDB's own files follow the umask).
 */
public final class DataDirectory {
    private final Path root;

    private DataDirectory(Path root) {
        this.root = root;
    }

    /** Creates the directory if needed and proves it is writable. */
    public static DataDirectory prepare(Path dir) throws NodeStartException {
        Path root = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(root) && !Files.isDirectory(root)) {
                throw new NodeStartException("data directory " + root + " exists but is not a directory");
            }
            Files.createDirectories(root, OwnerOnly.directory());
            OwnerOnly.restrict(root);
            Path probe = Files.createTempFile(root, ".probe", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new NodeStartException("data directory " + root + " is not usable (" + e + "); "
                    + "choose another with --data-dir or fix its permissions", e);
        }
        return new DataDirectory(root);
    }

    public Path root() {
        return root;
    }

    public Path resolve(String name) {
        return root.resolve(name);
    }

    /** The subdirectory {@code name}, created owner-only (0700) if missing; stores open their files in it. */
    public Path subdirectory(String name) throws IOException {
        Path dir = root.resolve(name);
        Files.createDirectories(dir, OwnerOnly.directory());
        return dir;
    }

    /** Writes via temp file, fsync, rename and directory fsync; {@code ownerOnly} makes it mode 0600 from the start. */
    public void writeAtomically(String name, String content, boolean ownerOnly) throws IOException {
        Path target = root.resolve(name);
        Path tmp = root.resolve("." + name + ".tmp");
        Files.deleteIfExists(tmp);
        FileAttribute<?>[] attrs = ownerOnly ? OwnerOnly.file() : new FileAttribute<?>[0];
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
            ByteBuffer bb = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(root, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
