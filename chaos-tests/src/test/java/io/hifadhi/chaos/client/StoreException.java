package io.hifadhi.chaos.client;

/** A store call that did not succeed, classified by what the client can know about its effect. */
public final class StoreException extends Exception {
    public enum Kind {
        /** The server answered with an error: the operation was not applied. */
        REJECTED,
        /** The request never reached a server (connection refused or connect timeout). */
        UNREACHABLE,
        /** The request may have been sent but no complete answer came (timeout, reset, truncated body). */
        NO_ANSWER,
        /**
         * The server answered with an error that says the write went out to replicas but was not confirmed by
         * enough of them, so it may still take effect (the node's WriteOutcomeUnknownException).
         */
        OUTCOME_UNKNOWN
    }

    /** Words with which a node's 503 says a write may still take effect; the drills treat such a write as unanswered. */
    public static final String MAY_STILL_TAKE_EFFECT = "may still take effect";

    /** REJECTED, unless the error text says the write may still take effect (then OUTCOME_UNKNOWN). */
    public static Kind ofErrorAnswer(String text) {
        return text != null && text.contains(MAY_STILL_TAKE_EFFECT) ? Kind.OUTCOME_UNKNOWN : Kind.REJECTED;
    }

    private final Kind kind;

    public StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
