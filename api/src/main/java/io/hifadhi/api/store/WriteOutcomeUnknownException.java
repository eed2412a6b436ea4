package io.hifadhi.api.store;

/**
 * A write went out to its replicas but fewer than the write quorum confirmed it. It is not
 * acknowledged, yet it is not undone either: a replica that stored it keeps its copy (a replica that
 * did not answer may have stored it too), and replication carries that copy to the others once they
 * are reachable, so the write may still take effect. The HTTP layer answers 503 like any
 * {@link StoreUnavailableException}; the message tells the client to retry to settle the outcome.
 */
public class WriteOutcomeUnknownException extends StoreUnavailableException {
    public WriteOutcomeUnknownException(String message) {
        super(message);
    }
}
