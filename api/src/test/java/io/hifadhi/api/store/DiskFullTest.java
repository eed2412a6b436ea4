package io.hifadhi.api.store;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiskFullTest {
    @Test
    void recognisesTheOperatingSystemsWordsAnywhereInTheCauseChain() {
        assertTrue(DiskFull.causedBy(new IOException("No space left on device")));
        assertTrue(DiskFull.causedBy(new FileSystemException("/data/chunks/ab/tmp-1", null, "No space left on device")));
        assertTrue(DiskFull.causedBy(new UncheckedIOException(new IOException("Disk quota exceeded"))));
        // RocksDB wraps the errno text in its own message
        assertTrue(DiskFull.causedBy(new IOException("cannot write record",
                new RuntimeException("IO error: No space left on device: While appending to file: 000012.log"))));
    }

    @Test
    void otherFailuresAreNotAFullDisk() {
        assertFalse(DiskFull.causedBy(new IOException("Connection reset by peer")));
        assertFalse(DiskFull.causedBy(new IOException((String) null)));
        assertFalse(DiskFull.causedBy(new StoreUnavailableException("2 of 3 replicas unreachable")));
        assertFalse(DiskFull.causedBy(null));
    }
}
