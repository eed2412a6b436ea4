package io.hifadhi.node.table;

import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.storage.NodeDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Entries the tables family holds from before the table engine (format 1, written here byte by byte as that release
 * wrote them) read back through it, and what it writes is still that format: no migration, no way back needed.
 */
class TableStoreFormatTest {
    @TempDir
    Path dir;

    static byte[] formatOne(long wall, int counter, String node, boolean deleted, byte[] value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeLong(wall);
            out.writeInt(counter);
            out.writeUTF(node);
            out.writeBoolean(deleted);
            out.writeInt(value.length);
            out.write(value);
        }
        return bytes.toByteArray();
    }

    @Test
    void entriesOfTheEarlierFormatReadAndNewOnesAreWrittenInIt() throws Exception {
        try (NodeDatabase db = NodeDatabase.open(dir, true)) {
            var family = db.family(NodeDatabase.Family.TABLES);
            db.db().put(family, bytes("buckets\0photos"), formatOne(100, 2, "node-a", false, bytes("owner=x")));
            db.db().put(family, bytes("buckets\0gone"), formatOne(90, 0, "node-b", true, new byte[0]));
            db.db().put(family, bytes("bucketsX\0other-table"), formatOne(80, 0, "node-b", false, bytes("no")));
            ReplicatedTable buckets = new ReplicatedTable("buckets", new TableStore(db), new HybridLogicalClock("node-c", () -> 50));
            assertArrayEquals(bytes("owner=x"), buckets.get("photos").orElseThrow());
            assertEquals(Optional.empty(), buckets.get("gone"));
            assertEquals(List.of("photos"), buckets.live().stream().map(TableEntry::key).toList());
            // The clock is behind the stored stamps: a put loses to nothing here (it is first for its key) and is stored.
            buckets.put("new", bytes("v"));
            byte[] stored = db.db().get(family, bytes("buckets\0new"));
            assertArrayEquals(formatOne(50, 0, "node-c", false, bytes("v")), stored);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
