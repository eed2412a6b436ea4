package io.hifadhi.api.s3;

import io.hifadhi.api.signature.ChecksumAlgorithm;
import io.hifadhi.api.store.ObjectChecksum;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChecksumsTest {

    /** Combining the parts' CRCs gives the CRC of the whole body, for every CRC S3 uses and uneven part sizes. */
    @Test
    void fullObjectCrcOfPartsIsTheCrcOfTheWholeBody() {
        Random random = new Random(18);
        byte[] body = new byte[300_001];
        random.nextBytes(body);
        int[] cuts = {0, 1, 65_536, 65_537, 200_000, body.length};
        for (ChecksumAlgorithm algorithm : List.of(ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.CRC64NVME)) {
            List<String> values = new java.util.ArrayList<>();
            List<Long> sizes = new java.util.ArrayList<>();
            for (int i = 0; i + 1 < cuts.length; i++) {
                byte[] part = java.util.Arrays.copyOfRange(body, cuts[i], cuts[i + 1]);
                values.add(algorithm.base64Of(part));
                sizes.add((long) part.length);
            }
            ObjectChecksum whole = Checksums.ofParts(algorithm, ObjectChecksum.Type.FULL_OBJECT, values, sizes);
            assertEquals(algorithm.base64Of(body), whole.value(), algorithm.name());
            assertEquals(ObjectChecksum.Type.FULL_OBJECT, whole.type());
        }
    }

    /** Composite: the algorithm over the raw part checksums, then "-N" (S3's form, as the SDKs compute it). */
    @Test
    void compositeIsTheChecksumOfThePartChecksums() {
        byte[] a = "first part".getBytes();
        byte[] b = "second".getBytes();
        ChecksumAlgorithm sha = ChecksumAlgorithm.SHA256;
        byte[] joined = new byte[64];
        System.arraycopy(Base64.getDecoder().decode(sha.base64Of(a)), 0, joined, 0, 32);
        System.arraycopy(Base64.getDecoder().decode(sha.base64Of(b)), 0, joined, 32, 32);
        ObjectChecksum c = Checksums.ofParts(sha, ObjectChecksum.Type.COMPOSITE, List.of(sha.base64Of(a), sha.base64Of(b)),
                List.of((long) a.length, (long) b.length));
        assertEquals(sha.base64Of(joined) + "-2", c.value());
    }
}
