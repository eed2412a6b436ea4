package io.hifadhi.node.grants;

import io.hifadhi.node.storage.NodeDatabase;
import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.Grant;
import io.hifadhi.node.Node;
import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Record format 2 carries grants; format 1 records, as already on disk, still load. */
class GrantRecordFormatTest {
    /**
     * Produced by the format-1 RecordCodec (git HEAD before grants) for the inline record
     * .native / node-a@old.txt, body "stored before grants existed", text/plain, stamp (1763700000000, 0, node-a).
     */
    static final String FORMAT_1 = "012e6e61746976e56e6f64652d61406f6c642e7478f41c31643635336262303933333165353939623439643934646466616239356632"
            + "e3746578742f706c6169ee00808ad9a5aa33006e6f64652de1001d73746f726564206265666f7265206772616e747320657869737465640000";
    static final byte[] OLD_BODY = "stored before grants existed".getBytes(StandardCharsets.UTF_8);

    final RecordCodec codec = new RecordCodec();

    @TempDir
    Path tmp;

    @Test
    void formatOneDecodesWithoutGrants() {
        ObjectRecord r = codec.decode(HexFormat.of().parseHex(FORMAT_1));
        assertEquals("node-a@old.txt", r.key());
        assertEquals(new VersionStamp(1763700000000L, 0, "node-a"), r.version());
        assertArrayEquals(OLD_BODY, r.inline());
        assertEquals(List.of(), r.grants());
    }

    @Test
    void grantsRoundTripInFormatTwo() {
        ObjectRecord base = codec.decode(HexFormat.of().parseHex(FORMAT_1));
        List<Grant> grants = List.of(new Grant(Cidr.parse("203.0.113.7"), 0), new Grant(Cidr.parse("2001:db8::/32"), 1800000000000L));
        ObjectRecord granted = base.withAccess(grants, "", new VersionStamp(1763700000001L, 0, "node-b"));
        byte[] bytes = codec.encode(granted);
        assertEquals(RecordCodec.FORMAT_VERSION, bytes[0]);
        ObjectRecord back = codec.decode(bytes);
        assertEquals(grants, back.grants());
        assertEquals(granted.version(), back.version());
        assertArrayEquals(OLD_BODY, back.inline());
        assertEquals(List.of(), codec.decode(codec.encode(ObjectRecord.tombstone("b", "k", granted.version()))).grants());
    }

    @Test
    void aFormatOneRecordOnDiskIsServedAndCanBeGranted() throws Exception {
        Path dir = tmp.resolve("node");
        NodeConfig config = NodeConfig.builder(dir).name("node-a").bindAddress("127.0.0.1").httpPort(0).clusterPort(0)
                .shardKey("format-test-shard-key-0123456789").build();
        Node node = new Node(config, new PrintStream(new ByteArrayOutputStream()));
        node.start();
        node.close();
        // Put the old bytes where the node keeps records (the records column family, key bucket 0x00 key).
        try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"), true)) {
            database.db().put(database.family(NodeDatabase.Family.RECORDS), database.writeOptions(),
                    (".native\0node-a@old.txt").getBytes(StandardCharsets.UTF_8), HexFormat.of().parseHex(FORMAT_1));
        }
        node = new Node(config, new PrintStream(new ByteArrayOutputStream()));
        try {
            node.start();
            NativeClient client = new NativeClient(node.httpPort(), "format-test-shard-key-0123456789");
            assertArrayEquals(OLD_BODY, client.retrieve("node-a@old.txt").body());
            RawHttp.Response granted = RawHttp.send("127.0.0.1", node.httpPort(), "POST", "/api/v1/grant",
                    Map.of("SHARD-KEY", "format-test-shard-key-0123456789"),
                    "{\"query\":\"node-a@old.txt\",\"ip\":\"127.0.0.2\"}".getBytes(StandardCharsets.UTF_8));
            assertEquals(200, granted.status(), granted.text());
            RawHttp.Response read = RawHttp.send("127.0.0.2", node.httpPort(), "GET", "/api/v1/retrieve/node-a%40old.txt", Map.of(), null);
            assertEquals(200, read.status(), read.text());
            assertArrayEquals(OLD_BODY, read.body());
            assertEquals(403, RawHttp.send("127.0.0.1", node.httpPort(), "GET", "/api/v1/retrieve/node-a%40old.txt", Map.of(), null).status());
            ObjectRecord now = node.replicatedStore().record(".native", "node-a@old.txt").orElseThrow();
            assertEquals(1, now.grants().size());
            assertTrue(now.version().isNewerThan(new VersionStamp(1763700000000L, 0, "node-a")));
            assertNotNull(now.inline());
        } finally {
            node.close();
        }
    }
}
