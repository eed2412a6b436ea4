package io.hifadhi.chaos.checker;

/** One way the history contradicts what the store promised. */
public record Anomaly(Kind kind, String key, long opId, String message) {
    public enum Kind {
        /** A read returned bytes that decode to no write at all (or to another key's write). */
        PHANTOM_BYTES,
        /** A read returned a write id that no client ever issued for that key. */
        UNKNOWN_WRITE,
        /** A read returned a write that started only after the read ended. */
        READ_FROM_FUTURE,
        /** A read returned a value that an acknowledged mutation had already superseded. */
        STALE_READ,
        /** After faults stopped, an acknowledged write or delete is not what the store holds. */
        LOST_WRITE,
        /** A write that was answered with an error became visible. */
        FAILED_WRITE_VISIBLE,
        /** A listing named a key that could not have existed then. */
        PHANTOM_LISTING,
        /** A listing left out a key that certainly existed then. */
        MISSING_FROM_LISTING,
        /** A key with acknowledged mutations was never read successfully after faults stopped, so loss cannot be ruled out. */
        UNVERIFIED_KEY
    }

    @Override
    public String toString() {
        return kind + " key=" + key + " op#" + opId + ": " + message;
    }
}
