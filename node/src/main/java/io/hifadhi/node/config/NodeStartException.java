package io.hifadhi.node.config;

/** A node cannot start for a reason the operator can fix; the message says which. */
public class NodeStartException extends Exception {
    /** The process exit status when nothing more specific applies. */
    public static final int START_FAILED = 1;

    private final int exitStatus;

    public NodeStartException(String message, Throwable cause) {
        this(message, cause, START_FAILED);
    }

    public NodeStartException(String message) {
        this(message, null, START_FAILED);
    }

    /** @param exitStatus tells scripts why, e.g. a membership refusal's own status (wrong secret, other settings) */
    public NodeStartException(String message, Throwable cause, int exitStatus) {
        super(message, cause);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
