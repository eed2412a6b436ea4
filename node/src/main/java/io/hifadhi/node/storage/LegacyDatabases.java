package io.hifadhi.node.storage;

import io.hifadhi.node.storage.NodeDatabase.Family;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Moves the databases of earlier releases into the {@link NodeDatabase}. Up to f219eb8 a node kept three RocksDB
 * instances: {@code records/} (records in the default family, the chunk inventory in {@code chunk-refs}, and a
 * retired {@code uploads} family), {@code tables/} and {@code hints/}. On first start of this release each one's
 * entries are copied into their family in synced batches, a marker is written, and only then is the old directory
 * deleted: a crash before the marker repeats the copy (it writes the same keys again, and nothing else has
 * written yet), a crash after it only finishes the delete.
 */
public final class LegacyDatabases {
    private static final Logger LOG = LoggerFactory.getLogger(LegacyDatabases.class);
    private static final int BATCH = 1000;

    /** A legacy database directory and where each of its families goes; families not named are dropped. */
    private record Legacy(String dir, Map<String, Family> families) {
    }

    private static final List<Legacy> LEGACY = List.of(
            new Legacy("records", Map.of("default", Family.RECORDS, "chunk-refs", Family.CHUNK_REFS)),
            new Legacy("tables", Map.of("default", Family.TABLES)),
            new Legacy("hints", Map.of("default", Family.HINTS)));

    private LegacyDatabases() {
    }

    /** Moves every legacy database found under the data directory {@code root} into {@code into}. */
    public static void moveInto(Path root, NodeDatabase into) throws IOException {
        for (Legacy legacy : LEGACY) {
            Path dir = root.resolve(legacy.dir());
            if (!Files.isDirectory(dir)) {
                continue;
            }
            byte[] marker = ("moved/" + legacy.dir()).getBytes(StandardCharsets.UTF_8);
            try {
                if (into.db().get(into.bookkeeping(), marker) == null) {
                    if (Files.exists(dir.resolve("CURRENT"))) {
                        copy(dir, legacy, into);
                    }
                    into.db().put(into.bookkeeping(), into.writeOptions(), marker, new byte[0]);
                }
            } catch (RocksDBException e) {
                throw new IOException("cannot move the database " + dir + " into the node database: " + e.getMessage(), e);
            }
            deleteTree(dir);
        }
    }

    private static void copy(Path dir, Legacy legacy, NodeDatabase into) throws RocksDBException, IOException {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        try (Options probe = new Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(probe, dir.toString())) {
                descriptors.add(new ColumnFamilyDescriptor(name));
            }
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        try (DBOptions options = new DBOptions().setParanoidChecks(true);
             RocksDB old = RocksDB.open(options, dir.toString(), descriptors, handles)) {
            try {
                for (int i = 0; i < descriptors.size(); i++) {
                    String name = new String(descriptors.get(i).getName(), StandardCharsets.UTF_8);
                    Family target = legacy.families().get(name);
                    if (target == null) {
                        LOG.info("dropping the unused column family {} of {}", name, dir);
                        continue;
                    }
                    moved.add(copyFamily(old, handles.get(i), into, target) + " " + target);
                }
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
        LOG.info("moved {} from {} into the node database", String.join(", ", moved), dir);
    }

    private static long copyFamily(RocksDB old, ColumnFamilyHandle from, NodeDatabase into, Family target) throws RocksDBException {
        long n = 0;
        ColumnFamilyHandle to = into.family(target);
        try (RocksIterator it = old.newIterator(from)) {
            WriteBatch batch = new WriteBatch();
            try {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    batch.put(to, it.key(), it.value());
                    if (++n % BATCH == 0) {
                        into.db().write(into.writeOptions(), batch);
                        batch.close();
                        batch = new WriteBatch();
                    }
                }
                it.status();
                into.db().write(into.writeOptions(), batch);
            } finally {
                batch.close();
            }
        }
        return n;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
