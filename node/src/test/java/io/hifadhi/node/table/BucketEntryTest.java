package io.hifadhi.node.table;

import io.hifadhi.api.s3.BucketCatalog.Bucket;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The bucket table's entry encoding: its documents round-trip, and an entry written before bucket tags still loads. */
class BucketEntryTest {

    @Test
    void documentsRoundTripAndAnEntryWithoutTagsLoads() {
        Bucket b = new Bucket("photos", "AKIDOWNER", Instant.ofEpochMilli(1763700000000L), "<CORSConfiguration/>",
                "<LifecycleConfiguration/>")
                .withTagging("<Tagging><TagSet><Tag><Key>team</Key><Value>media</Value></Tag></TagSet></Tagging>")
                .withAcl("public-read").withPublicAccessBlock("<PublicAccessBlockConfiguration/>")
                .withPolicy("{\"Version\":\"2012-10-17\",\"Statement\":[]}");
        assertEquals(b, ReplicatedBucketCatalog.decode("photos", ReplicatedBucketCatalog.encode(b)));

        // The entry before bucket tags, ACLs, public access blocks and policies was this one without its last four
        // fields (each a one-byte "no document" flag when absent).
        Bucket untagged = new Bucket("photos", "AKIDOWNER", b.created(), null, "<LifecycleConfiguration/>");
        byte[] current = ReplicatedBucketCatalog.encode(untagged);
        byte[] older = Arrays.copyOf(current, current.length - 4);
        Bucket loaded = ReplicatedBucketCatalog.decode("photos", older);
        assertEquals("<LifecycleConfiguration/>", loaded.lifecycle());
        assertNull(loaded.tagging());
        assertEquals(untagged, loaded);
    }
}
