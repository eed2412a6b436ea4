package io.hifadhi.node.storage;

import io.hifadhi.node.clock.VersionStamp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordCodecTest {
    final RecordCodec codec = new RecordCodec();
    static final String ID1 = "a".repeat(64);
    static final String ID2 = "0123456789abcdef".repeat(4);

    @Test
    void chunkedRecordRoundTrips() {
        ObjectRecord r = new ObjectRecord("bucket", "key/with ünïcode", 4194304L + 10, "d41d8cd98f00b204e9800998ecf8427e",
                "video/mp4", Map.of("x-amz-meta-a", "1", "b", "two"), new VersionStamp(1700000000000L, 3, "node-1"),
                false, null, List.of(new ChunkRef(ID1, 4194304), new ChunkRef(ID2, 10)), 1800000000000L);
        byte[] bytes = codec.encode(r);
        assertEquals(RecordCodec.FORMAT_VERSION, bytes[0]);
        ObjectRecord back = codec.decode(bytes);
        assertEquals(r, back);
        assertNull(back.inline());
    }

    @Test
    void inlineAndTombstoneRoundTrip() {
        byte[] body = "hello".getBytes();
        ObjectRecord r = new ObjectRecord(".native", "n@f", 5, "5d41402abc4b2a76b9719d911017c592", "text/plain",
                Map.of(), new VersionStamp(1, 0, "n"), false, body, List.of(), 0);
        ObjectRecord back = codec.decode(codec.encode(r));
        assertArrayEquals(body, back.inline());
        assertEquals(r.version(), back.version());
        ObjectRecord empty = new ObjectRecord("b", "e", 0, "x", "t", Map.of(), new VersionStamp(1, 0, "n"), false, new byte[0], List.of(), 0);
        assertArrayEquals(new byte[0], codec.decode(codec.encode(empty)).inline());
        ObjectRecord tomb = ObjectRecord.tombstone("b", "k", new VersionStamp(2, 1, "n"));
        assertTrue(codec.decode(codec.encode(tomb)).deleted());
    }

    @Test
    void rejectsUnknownFormatVersion() {
        byte[] bytes = codec.encode(ObjectRecord.tombstone("b", "k", new VersionStamp(2, 1, "n")));
        bytes[0] = 99;
        assertThrows(IllegalStateException.class, () -> codec.decode(bytes));
        assertThrows(IllegalStateException.class, () -> codec.decode(new byte[0]));
    }

    @Test
    void recordRejectsSizeThatDisagreesWithContent() {
        assertThrows(IllegalArgumentException.class, () -> new ObjectRecord("b", "k", 6, "e", "t", Map.of(),
                new VersionStamp(1, 0, "n"), false, new byte[5], List.of(), 0));
    }
}
