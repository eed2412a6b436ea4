package io.hifadhi.api.store;

import java.io.IOException;

/**
 * Too few replicas are reachable to meet the cluster's quorum (or to serve the data); nothing was
 * made visible (except for a {@link WriteOutcomeUnknownException}, which says why it may be). The
 * HTTP layer answers 503, so clients retry later.
 */
public class StoreUnavailableException extends IOException {
    public StoreUnavailableException(String message) {
        super(message);
    }
}
