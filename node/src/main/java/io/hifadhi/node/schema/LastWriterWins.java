package io.hifadhi.node.schema;

import io.hifadhi.node.clock.VersionStamp;

/**
 * The one merge of every replicated table: the newer version stamp wins, a delete is a tombstone that wins the same
 * way. The stamps' order is total (wall, counter, node id), so every replica that sees the same versions keeps the
 * same one, in whatever order they arrive.
 */
public final class LastWriterWins {
    private LastWriterWins() {
    }

    /** Whether {@code incoming} replaces {@code held} (null when nothing is held); a tie keeps what is held. */
    public static boolean replaces(Versioned incoming, Versioned held) {
        return held == null || incoming.version().isNewerThan(held.version());
    }

    /** The newer of two versions (either may be null); the first on a tie. */
    public static <V extends Versioned> V newer(V a, V b) {
        return b != null && replaces(b, a) ? b : a;
    }

    /**
     * Whether {@code held} may be dropped for a tombstone stamped {@code tombstone} that every replica holds: it is
     * that tombstone or an older one, not a version written since.
     */
    public static boolean collectable(Versioned held, VersionStamp tombstone) {
        return held.deleted() && !held.version().isNewerThan(tombstone);
    }
}
