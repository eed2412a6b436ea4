package io.hifadhi.node.storage;

import io.hifadhi.api.signature.ChecksumAlgorithm;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.ObjectPart;
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

    /**
     * Produced by the format-2 RecordCodec (main at 27d0af1, before tags) for the inline record photos / cat.jpg, body
     * "hello", image/jpeg, metadata colour=grey, stamp (1763700000005, 1, node-b), one grant for 203.0.113.7.
     */
    static final String FORMAT_2 = "0270686f746ff36361742e6a70e70535643431343032616263346232613736623937313964393131303137633539b2696d6167652f"
            + "6a7065e701636f6c6f75f2677265f9858ad9a5aa33016e6f64652de2000668656c6c6f0000013230332e302e3131332e372f33b200";

    @Test
    void formatTwoDecodesUntaggedAndModifiedAtItsVersion() {
        ObjectRecord r = codec.decode(java.util.HexFormat.of().parseHex(FORMAT_2));
        assertEquals("cat.jpg", r.key());
        assertEquals(Map.of("colour", "grey"), r.userMetadata());
        assertEquals(1, r.grants().size());
        assertEquals(Map.of(), r.tags());
        assertEquals(1763700000005L, r.lastModifiedMillis());
        assertArrayEquals("hello".getBytes(), r.inline());
    }

    @Test
    void tagsAndTheBodyTimeRoundTripAndATagChangeKeepsLastModified() {
        ObjectRecord written = new ObjectRecord("b", "k", 10, "5d41402abc4b2a76b9719d911017c592", "text/plain", Map.of(),
                new VersionStamp(1700000000000L, 0, "n1"), false, null, List.of(new ChunkRef(ID2, 10)), 0, List.of(),
                Map.of("class", "temp", "ünï", "välue"), 0);
        assertEquals(written, codec.decode(codec.encode(written)));
        ObjectRecord retagged = written.withTags(Map.of("team", "ops"), new VersionStamp(1700000009000L, 0, "n2"));
        ObjectRecord back = codec.decode(codec.encode(retagged));
        assertEquals(retagged, back);
        assertEquals(Map.of("team", "ops"), back.tags());
        assertEquals(1700000000000L, back.lastModifiedMillis(), "a tag change is no new body");
        assertEquals(1700000000000L, back.toInfo().lastModified().toEpochMilli());
        ObjectRecord again = back.withTags(Map.of(), new VersionStamp(1700000019000L, 0, "n3"));
        assertEquals(1700000000000L, again.lastModifiedMillis(), "nor is a second one");
        assertEquals(Map.of(), ObjectRecord.tombstone("b", "k", again.version()).tags());
    }

    /**
     * Produced by the format-3 RecordCodec (main at ece4382, before checksums) for the inline record photos / cat.jpg,
     * body "hello", image/jpeg, metadata colour=grey, stamp (1763700000005, 1, node-b), tag team=ops, body written at
     * 1763600000000.
     */
    static final String FORMAT_3 = "0370686f746ff36361742e6a70e70535643431343032616263346232613736623937313964393131303137633539b2696d6167652f"
            + "6a7065e701636f6c6f75f2677265f9858ad9a5aa33016e6f64652de2000668656c6c6f00000001746561ed6f70f380c881f6a933";

    @Test
    void formatThreeDecodesWithoutChecksumOrParts() {
        ObjectRecord r = codec.decode(java.util.HexFormat.of().parseHex(FORMAT_3));
        assertEquals("cat.jpg", r.key());
        assertEquals(Map.of("team", "ops"), r.tags());
        assertEquals(1763600000000L, r.lastModifiedMillis());
        assertNull(r.checksum());
        assertEquals(List.of(), r.parts());
        assertArrayEquals("hello".getBytes(), r.inline());
    }

    @Test
    void checksumAndPartsRoundTripAndATagChangeKeepsThem() {
        ObjectChecksum composite = new ObjectChecksum(ChecksumAlgorithm.SHA256, ObjectChecksum.Type.COMPOSITE,
                "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=-2");
        List<ObjectPart> parts = List.of(new ObjectPart(1, 4194304, "AAAA"), new ObjectPart(3, 10, null));
        ObjectRecord r = new ObjectRecord("b", "k", 4194304L + 10, "0123456789abcdef0123456789abcdef-2", "t", Map.of(),
                new VersionStamp(1700000000000L, 0, "n1"), false, null, List.of(new ChunkRef(ID1, 4194304), new ChunkRef(ID2, 10)),
                0, List.of(), Map.of(), 0, composite, parts);
        ObjectRecord back = codec.decode(codec.encode(r));
        assertEquals(r, back);
        assertEquals(composite, back.toInfo().checksum());
        assertEquals(parts, back.toInfo().parts());
        ObjectRecord retagged = back.withTags(Map.of("a", "b"), new VersionStamp(1700000001000L, 0, "n2"));
        assertEquals(composite, codec.decode(codec.encode(retagged)).checksum());
        assertEquals(parts, codec.decode(codec.encode(retagged)).parts());
        ObjectRecord single = new ObjectRecord("b", "s", 5, "5d41402abc4b2a76b9719d911017c592", "t", Map.of(),
                new VersionStamp(1, 0, "n"), false, "hello".getBytes(), List.of(), 0, List.of(), Map.of(), 0,
                ObjectChecksum.fullObject(ChecksumAlgorithm.CRC32C, "mnG7TA=="), List.of());
        assertEquals(single.checksum(), codec.decode(codec.encode(single)).checksum());
        assertNull(ObjectRecord.tombstone("b", "k", new VersionStamp(2, 0, "n")).checksum());
    }

    @Test
    void objectAclRoundTripsStaysWithTagChangesAndFormatFourReadsWithoutOne() {
        ObjectRecord r = new ObjectRecord("b", "k", 5, "5d41402abc4b2a76b9719d911017c592", "t", Map.of(),
                new VersionStamp(1, 0, "n"), false, "hello".getBytes(), List.of(), 0, List.of(), Map.of(), 0, null, List.of(),
                "AUTH READ\nUSER AKID2 READ_ACP\n");
        ObjectRecord back = codec.decode(codec.encode(r));
        assertEquals(r.acl(), back.acl());
        assertEquals(r.version(), back.version());
        assertEquals("AUTH READ\nUSER AKID2 READ_ACP\n", back.withTags(Map.of("a", "b"), new VersionStamp(2, 0, "n")).acl());
        assertEquals("", back.withAccess(List.of(), "", new VersionStamp(3, 0, "n")).acl());
        // Format 4 is format 5 without the ACL at the end (an empty string is one byte).
        byte[] five = codec.encode(back.withAccess(List.of(), "", new VersionStamp(3, 0, "n")));
        byte[] four = java.util.Arrays.copyOf(five, five.length - 1);
        four[0] = 4;
        ObjectRecord old = codec.decode(four);
        assertEquals("", old.acl());
        assertArrayEquals("hello".getBytes(), old.inline());
    }

    @Test
    void anInlineBodyIsCheckedByTheCrcItCameInWithEverywhereItGoes() throws Exception {
        byte[] body = "hello".getBytes();
        ObjectRecord r = new ObjectRecord("b", "k", 5, "5d41402abc4b2a76b9719d911017c592", "text/plain",
                Map.of(), new VersionStamp(1, 0, "n"), false, body.clone(), List.of(), 0);
        assertEquals(ObjectRecord.crcOf(body), r.inlineCrc());
        byte[] bytes = codec.encode(r);
        ObjectRecord back = codec.decode(bytes);
        assertEquals(r.inlineCrc(), back.inlineCrc());
        assertArrayEquals("ell".getBytes(), back.openInline(1, 3).readAllBytes(), "a range of a sound body");

        // A flipped byte on disk or on the wire: the CRC kept beside the body catches it on read.
        int at = indexOf(bytes, body);
        bytes[at + 2] ^= 0x01;
        ObjectRecord flipped = codec.decode(bytes);
        var e = assertThrows(io.hifadhi.api.store.CorruptDataException.class, () -> flipped.openInline(0, 5));
        assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
        // A re-statement of a corrupt body (a tag change, a grant) carries the CRC it came with, not one of its bytes.
        ObjectRecord tagged = flipped.withTags(Map.of("t", "1"), new VersionStamp(2, 0, "n"));
        assertThrows(io.hifadhi.api.store.CorruptDataException.class, () -> codec.decode(codec.encode(tagged)).openInline(0, 5));
    }

    @Test
    void anInlineBodyOfAFormatWithoutItsCrcIsCheckedAgainstItsMd5AndStaysSo() throws Exception {
        byte[] bytes = java.util.HexFormat.of().parseHex(FORMAT_3);
        ObjectRecord old = codec.decode(bytes);
        assertEquals(ObjectRecord.CRC_UNKNOWN, old.inlineCrc());
        assertArrayEquals("hello".getBytes(), old.openInline(0, 5).readAllBytes());
        // Passed on in the current format it still has no CRC: none is taken of bytes nothing has vouched for.
        assertEquals(ObjectRecord.CRC_UNKNOWN, codec.decode(codec.encode(old)).inlineCrc());

        bytes[indexOf(bytes, "hello".getBytes())] ^= 0x20;
        ObjectRecord flipped = codec.decode(bytes);
        var e = assertThrows(io.hifadhi.api.store.CorruptDataException.class, () -> flipped.openInline(0, 5));
        assertTrue(e.getMessage().contains("MD5"), e.getMessage());
        assertThrows(io.hifadhi.api.store.CorruptDataException.class, () -> codec.decode(codec.encode(flipped)).openInline(0, 5));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
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
