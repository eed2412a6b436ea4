package io.hifadhi.node.storage;

import io.hifadhi.node.clock.VersionStamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three databases of earlier releases (records/ with a chunk inventory and the retired uploads family,
 * tables/, hints/), written the way those releases wrote them, move into the one node database and are gone.
 */
class LegacyDatabasesTest {
    @TempDir
    Path root;

    private final RecordCodec codec = new RecordCodec();
    private final ObjectRecord record = new ObjectRecord("b", "k", 2, "etag", "text/plain", Map.of(),
            new VersionStamp(5, 0, "n"), false, new byte[]{1, 2}, List.of(), 0);
    private final String chunk = "ab".repeat(32);

    @Test
    void everyLegacyDatabaseMovesInOnceAndIsDeleted() throws Exception {
        writeLegacy();
        try (NodeDatabase database = NodeDatabase.open(root.resolve("db"), true)) {
            LegacyDatabases.moveInto(root, database);
            RecordStore records = new RecordStore(database, codec);
            assertEquals(Optional.of(record.version()), records.get("b", "k").map(ObjectRecord::version));
            assertEquals(Optional.of(new ChunkRef(chunk, 77)), records.chunkRef(chunk));
            assertArrayEquals(bytes("entry"), database.db().get(database.family(NodeDatabase.Family.TABLES), bytes("buckets\0photos")));
            assertArrayEquals(bytes("hint"), database.db().get(database.family(NodeDatabase.Family.HINTS), bytes("node-b\0x")));
        }
        for (String dir : List.of("records", "tables", "hints")) {
            assertFalse(Files.exists(root.resolve(dir)), dir + " is still there");
        }
        try (Options probe = new Options()) {
            List<String> families = RocksDB.listColumnFamilies(probe, root.resolve("db").toString()).stream()
                    .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
            assertEquals(List.of("default", "records", "chunk-refs", "tables", "hints"), families);
        }
        // Reopened, nothing moves again and everything is still there.
        try (NodeDatabase database = NodeDatabase.open(root.resolve("db"), true)) {
            LegacyDatabases.moveInto(root, database);
            List<ObjectRecord> all = new ArrayList<>();
            new RecordStore(database, codec).forEach(all::add);
            assertEquals(1, all.size());
        }
    }

    /** A crash after the copy's marker but before the delete finished: the rest of the directory is deleted, not copied again. */
    @Test
    void aDirectoryLeftBehindAfterItsMoveIsOnlyDeleted() throws Exception {
        writeLegacy();
        try (NodeDatabase database = NodeDatabase.open(root.resolve("db"), true)) {
            LegacyDatabases.moveInto(root, database);
            Files.createDirectories(root.resolve("tables"));
            Files.writeString(root.resolve("tables").resolve("MANIFEST-000005"), "half deleted");
            LegacyDatabases.moveInto(root, database);
            assertFalse(Files.exists(root.resolve("tables")));
            assertArrayEquals(bytes("entry"), database.db().get(database.family(NodeDatabase.Family.TABLES), bytes("buckets\0photos")));
        }
    }

    @Test
    void aNewDataDirectoryHasNothingToMove() throws Exception {
        try (NodeDatabase database = NodeDatabase.open(root.resolve("db"), true)) {
            LegacyDatabases.moveInto(root, database);
            assertTrue(new RecordStore(database, codec).isEmpty());
            assertNull(database.db().get(database.family(NodeDatabase.Family.TABLES), bytes("buckets\0photos")));
        }
    }

    /** As f219eb8 and before wrote them: records in the default family, chunk-refs, a retired uploads family; tables; hints. */
    private void writeLegacy() throws Exception {
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB db = RocksDB.open(options, root.resolve("records").toString(), List.of(
                     new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                     new ColumnFamilyDescriptor(bytes("chunk-refs")),
                     new ColumnFamilyDescriptor(bytes("uploads"))), handles)) {
            db.put(RecordStore.keyOf("b", "k"), codec.encode(record));
            db.put(handles.get(1), Hex.parse(chunk), new byte[]{0, 0, 0, 77});
            db.put(handles.get(2), new byte[]{9}, new byte[]{9});
            handles.forEach(ColumnFamilyHandle::close);
        }
        try (Options options = new Options().setCreateIfMissing(true);
             RocksDB tables = RocksDB.open(options, root.resolve("tables").toString());
             RocksDB hints = RocksDB.open(options, root.resolve("hints").toString())) {
            tables.put(bytes("buckets\0photos"), bytes("entry"));
            hints.put(bytes("node-b\0x"), bytes("hint"));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
