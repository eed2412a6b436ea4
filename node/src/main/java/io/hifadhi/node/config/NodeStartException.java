package io.hifadhi.node.config;

/** A node cannot start for a reason the operator can fix; the message says which. */
public class NodeStartException extends Exception {
    public NodeStartException(String message, Throwable cause) {
        super(message, cause);
    }

    public NodeStartException(String message) {
        super(message);
    }
}
