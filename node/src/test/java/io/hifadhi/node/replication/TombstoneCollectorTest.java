package io.hifadhi.node.replication;

import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.replication.Messages.GcTombstones;
import io.hifadhi.node.storage.NodeDatabase;
import io.hifadhi.node.table.ReplicatedTable;
import io.hifadhi.node.table.TableStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member's side of tombstone GC for a small table (the same code answers for the object records): which
 * tombstones it lets go, and that a drop spares a key written since it was checked.
 */
class TombstoneCollectorTest {
    @TempDir
    Path dir;

    private final AtomicLong wall = new AtomicLong(100);
    private NodeDatabase db;
    private ReplicatedTable uploads;
    private TombstoneCollector collector;

    @BeforeEach
    void open() throws Exception {
        db = NodeDatabase.open(dir, false);
        uploads = new ReplicatedTable("uploads", new TableStore(db), new HybridLogicalClock("node-a", wall::get));
        collector = new TombstoneCollector(null, 1_000);
        collector.add(uploads.collected());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aMemberLetsATombstoneGoOnlyIfItHoldsThatOneAnOlderOneOrNothing() throws Exception {
        uploads.put("completed", bytes("upload"));
        at(200);
        uploads.delete("completed");
        uploads.put("in-progress", bytes("upload"));
        at(300);
        uploads.delete("aborted-later");

        boolean[] answer = collector.held(ask("uploads",
                "completed", stamp(200), // the very tombstone
                "completed", stamp(250), // a newer one was checked elsewhere: this copy is older, it may go
                "in-progress", stamp(400), // live here: it would come back
                "aborted-later", stamp(250), // this copy is newer than the one checked
                "never-seen", stamp(250))).droppable(); // nothing to come back
        assertArrayEquals(new boolean[] {true, true, false, false, true}, answer);
        assertEquals(2, uploads.tombstones());
    }

    @Test
    void aTableThisNodeHasNotAttachedYetLetsNothingGo() throws Exception {
        assertArrayEquals(new boolean[] {false}, collector.held(ask("grants", "anything", stamp(1))).droppable());
        assertEquals(0, collector.drop(ask("grants", "anything", stamp(1))));
    }

    @Test
    void aKeyAHintCarriesWaitsForTheHint() throws Exception {
        at(200);
        uploads.delete("k");
        TombstoneCollector withHints = new TombstoneCollector(null, 1_000);
        withHints.add(new CollectedTable<>("records", uploads.collected().local(), () -> Set.of(ByteBuffer.wrap(bytes("k")))));
        assertArrayEquals(new boolean[] {false}, withHints.held(ask("records", "k", stamp(200))).droppable());
    }

    @Test
    void aDropSparesAWriteMadeAfterTheCheck() throws Exception {
        at(150);
        uploads.delete("gone");
        at(200);
        uploads.delete("written-again");
        at(300);
        uploads.put("written-again", bytes("new upload"));

        assertEquals(1, collector.drop(ask("uploads", "written-again", stamp(200), "gone", stamp(150))));
        assertEquals(Optional.of("new upload"), uploads.get("written-again").map(b -> new String(b, StandardCharsets.UTF_8)));
        assertEquals(0, uploads.tombstones());
        assertTrue(uploads.live().stream().allMatch(e -> e.key().equals("written-again")));
    }

    private void at(long millis) {
        wall.set(millis);
    }

    private static String stamp(long wallMillis) {
        return new VersionStamp(wallMillis, 0, "node-a").toString();
    }

    /** Pairs of key and tombstone stamp. */
    private static GcTombstones ask(String table, String... keysAndStamps) {
        byte[][] keys = new byte[keysAndStamps.length / 2][];
        String[] versions = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = bytes(keysAndStamps[2 * i]);
            versions[i] = keysAndStamps[2 * i + 1];
        }
        return new GcTombstones(table, keys, versions);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
