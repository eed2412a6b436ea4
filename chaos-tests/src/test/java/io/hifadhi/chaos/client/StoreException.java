package io.hifadhi.chaos.client;

/** A store call that did not succeed, classified by what the client can know about its effect. */
public final class StoreException extends Exception {
    public enum Kind {
        /** The server answered with an error: the operation was not applied. */
        REJECTED,
        /** The request never reached a server (connection refused or connect timeout). */
        UNREACHABLE,
        /** The request may have been sent but no complete answer came (timeout, reset, truncated body). */
        NO_ANSWER
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
