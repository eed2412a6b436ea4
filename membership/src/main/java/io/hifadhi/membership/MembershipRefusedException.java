package io.hifadhi.membership;

/** The cluster refused this node (or could not be reached); the message says why, for the log and exit status. */
public final class MembershipRefusedException extends Exception {

    public enum Reason {
        /** The seeds do not share our cluster secret (SHARD_KEY). */
        SECRET_MISMATCH,
        /** Replication, quorums or chunk size differ from the cluster's. */
        SETTINGS_MISMATCH,
        /** Another live member already uses this id at a different address. */
        DUPLICATE_ID,
        /** No seed answered within the join timeout. */
        NO_SEED_REACHABLE,
        /** Could not bind the cluster port or start messaging. */
        STARTUP_FAILED
    }

    private final Reason reason;

    public MembershipRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public MembershipRefusedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Suggested process exit status for this refusal. */
    public int exitStatus() {
        return switch (reason) {
            case SECRET_MISMATCH -> 10;
            case SETTINGS_MISMATCH -> 11;
            case DUPLICATE_ID -> 12;
            case NO_SEED_REACHABLE -> 13;
            case STARTUP_FAILED -> 14;
        };
    }
}
