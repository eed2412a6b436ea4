package io.hifadhi.node.table;

import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.schema.Versioned;

import java.util.Objects;

/** One LWW register of a replicated table: the newest version wins; a delete is a tombstone. */
public record TableEntry(String key, byte[] value, VersionStamp version, boolean deleted) implements Versioned {
    public TableEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(version, "version");
        value = deleted || value == null ? new byte[0] : value;
    }
}
