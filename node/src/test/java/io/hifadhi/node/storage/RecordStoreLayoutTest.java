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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The record database of the previous layout (an unused {@code uploads} family, no chunk inventory) opens and is migrated. */
class RecordStoreLayoutTest {
    @TempDir
    Path dir;

    @Test
    void aDatabaseWithTheRetiredUploadsFamilyOpensKeepsItsRecordsAndLosesTheFamily() throws Exception {
        RecordCodec codec = new RecordCodec();
        ObjectRecord record = new ObjectRecord("b", "k", 2, "etag", "text/plain", Map.of(), new VersionStamp(5, 0, "n"),
                false, new byte[]{1, 2}, List.of(), 0);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB db = RocksDB.open(options, dir.toString(), List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                     new ColumnFamilyDescriptor("uploads".getBytes(StandardCharsets.UTF_8))), handles)) {
            db.put(RecordStore.keyOf("b", "k"), codec.encode(record));
            db.put(handles.get(1), new byte[]{9}, new byte[]{9});
            handles.forEach(ColumnFamilyHandle::close);
        }

        String chunk = "ab".repeat(32);
        try (RecordStore store = RecordStore.open(dir, true, codec)) {
            assertEquals(Optional.of(record.version()), store.get("b", "k").map(ObjectRecord::version));
            assertTrue(store.chunkRef(chunk).isEmpty());
            store.addChunkRefs(List.of(new ChunkRef(chunk, 77)));
        }
        try (Options probe = new Options()) {
            List<String> families = RocksDB.listColumnFamilies(probe, dir.toString()).stream()
                    .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
            assertFalse(families.contains("uploads"), families.toString());
            assertTrue(families.contains("chunk-refs"), families.toString());
        }
        try (RecordStore store = RecordStore.open(dir, true, codec)) {
            assertEquals(Optional.of(new ChunkRef(chunk, 77)), store.chunkRef(chunk));
            List<ChunkRef> all = new ArrayList<>();
            store.forEachChunkRef(null, all::add);
            assertEquals(List.of(new ChunkRef(chunk, 77)), all);
            List<ObjectRecord> records = new ArrayList<>();
            store.forEach(records::add);
            assertEquals(1, records.size());
        }
    }
}
