package io.hifadhi.node.storage;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeptEntriesTest {
    private final AtomicReference<String> database = new AtomicReference<>("v1");
    private final AtomicInteger reads = new AtomicInteger();

    private Optional<String> read() {
        reads.incrementAndGet();
        return Optional.ofNullable(database.get());
    }

    @Test
    void aSecondLookupIsAnsweredFromWhatWasKeptUntilTheKeyIsWritten() throws Exception {
        KeptEntries<String> kept = new KeptEntries<>(16, 1 << 20, String::length);
        byte[] key = bytes("bucket\0key");
        assertEquals(Optional.of("v1"), kept.get(key, this::read));
        assertEquals(Optional.of("v1"), kept.get(bytes("bucket\0key"), this::read));
        assertEquals(1, reads.get(), "the second lookup read nothing");

        database.set("v2");
        kept.written(key);
        assertEquals(Optional.of("v2"), kept.get(key, this::read));
        assertEquals(2, reads.get());

        database.set(null);
        kept.written(key);
        assertEquals(Optional.empty(), kept.get(key, this::read), "a delete ends the entry too");
        assertEquals(Optional.empty(), kept.get(key, this::read), "and the absence is kept");
        assertEquals(3, reads.get());
    }

    @Test
    void aReadThatRacedAWriteIsNotKeptPastIt() throws Exception {
        KeptEntries<String> kept = new KeptEntries<>(1, 1 << 20, String::length);
        byte[] key = bytes("k");
        // The write lands (and is announced) while the read is in the database: what it read may be the old value.
        assertEquals(Optional.of("v1"), kept.get(key, () -> {
            Optional<String> old = read();
            database.set("v2");
            kept.written(key);
            return old;
        }));
        assertEquals(Optional.of("v2"), kept.get(key, this::read));

        // A read that saw the new value before the write was announced is kept, then ended by the announcement.
        assertEquals(Optional.of("v3"), kept.get(bytes("other"), () -> {
            database.set("v3");
            return read();
        }));
        database.set("v4");
        assertEquals(Optional.of("v2"), kept.get(key, this::read), "kept: nothing announced a write");
        kept.written(key);
        assertEquals(Optional.of("v4"), kept.get(key, this::read));
    }

    @Test
    void aWriteEndsOnlyItsStripeAndWhatIsKeptStaysWithinItsBudget() throws Exception {
        KeptEntries<String> kept = new KeptEntries<>(1024, 100_000, String::length);
        for (int i = 0; i < 50; i++) {
            kept.get(bytes("key-" + i), this::read);
        }
        int before = reads.get();
        kept.written(bytes("key-7"));
        for (int i = 0; i < 50; i++) {
            kept.get(bytes("key-" + i), this::read);
        }
        int again = reads.get() - before;
        assertTrue(again >= 1 && again < 5, "one write re-reads its stripe's keys only: " + again);

        KeptEntries<String> small = new KeptEntries<>(1024, 100_000, String::length);
        database.set("x".repeat(10_000));
        int most = 0;
        for (int i = 0; i < 100; i++) {
            small.get(bytes("big-" + i), this::read);
            most = Math.max(most, small.size());
            assertTrue(small.size() <= 9, "within 100,000 bytes of 10,000-byte entries: " + small.size());
        }
        assertEquals(9, most, "filled up to the budget before starting over");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
