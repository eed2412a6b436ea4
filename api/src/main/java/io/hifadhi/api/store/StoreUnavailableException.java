package io.hifadhi.api.store;

import java.io.IOException;

/**
 * Too few replicas are reachable to meet the cluster's quorum (or to serve the data); nothing was
 * made visible. The HTTP layer answers 503, so clients retry later.
 */
public class StoreUnavailableException extends IOException {
    public StoreUnavailableException(String message) {
        super(message);
    }
}
