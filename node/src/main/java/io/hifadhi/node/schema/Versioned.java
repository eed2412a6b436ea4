package io.hifadhi.node.schema;

import io.hifadhi.node.clock.VersionStamp;

/** An entry of a replicated table as last-writer-wins sees it: its version stamp, and whether it is a tombstone. */
public interface Versioned {
    VersionStamp version();

    boolean deleted();
}
