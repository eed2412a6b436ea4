package io.hifadhi.node.storage;

import io.hifadhi.api.s3.MultipartStore.Part;
import io.hifadhi.api.s3.MultipartStore.Upload;
import io.hifadhi.api.signature.ChecksumAlgorithm;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.ObjectWrite;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The multipart table's records: an upload's checksum algorithm and type and a part's checksum round-trip, and
 * records written before checksums (the same bytes without the two trailing fields) still load without them.
 */
class MultipartRecordsTest {
    static final String UPLOAD_ID = "0190000000000123456789abcdef";
    static final List<ChunkRef> CHUNKS = List.of(new ChunkRef("ab".repeat(32), 5));

    @Test
    void uploadChecksumSettingsRoundTripAndOlderUploadsLoad() throws Exception {
        ObjectWrite write = new ObjectWrite("b", "k", "text/plain", Map.of("m", "1"), null, Map.of("t", "v"));
        Upload u = new Upload(UPLOAD_ID, write, "AKID", Instant.ofEpochMilli(1763700000000L), ChecksumAlgorithm.CRC32C,
                ObjectChecksum.Type.FULL_OBJECT, true);
        assertEquals(u, MultipartUploads.decodeUpload("b", "k", UPLOAD_ID, MultipartUploads.encodeUpload(u)));
        Upload plain = new Upload(UPLOAD_ID, write, "AKID", u.initiated());
        byte[] current = MultipartUploads.encodeUpload(plain);
        // Before checksums and object ACLs: without two empty writeUTF strings and the public-read flag.
        byte[] older = Arrays.copyOf(current, current.length - 5);
        Upload loaded = MultipartUploads.decodeUpload("b", "k", UPLOAD_ID, older);
        assertEquals(plain, loaded);
        assertNull(loaded.checksumAlgorithm());
    }

    @Test
    void partChecksumRoundTripsAndOlderPartsLoad() throws Exception {
        Part p = new Part(3, 5, "5d41402abc4b2a76b9719d911017c592", Instant.ofEpochMilli(1763700000000L),
                ObjectChecksum.fullObject(ChecksumAlgorithm.SHA1, "qvTGHdzF6KLavt4PO0gs2a6pQ00="));
        MultipartUploads.StoredPart back = MultipartUploads.decodePart(3, MultipartUploads.encodePart(p, CHUNKS));
        assertEquals(p, back.part());
        assertEquals(CHUNKS, back.chunks());
        Part plain = new Part(3, 5, p.etag(), p.lastModified());
        byte[] current = MultipartUploads.encodePart(plain, CHUNKS);
        MultipartUploads.StoredPart older = MultipartUploads.decodePart(3, Arrays.copyOf(current, current.length - 4));
        assertEquals(plain, older.part());
        assertNull(older.part().checksum());
    }
}
