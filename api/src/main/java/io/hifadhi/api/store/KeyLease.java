package io.hifadhi.api.store;

import java.io.IOException;

/**
 * The right to run one conditional write of a key: held from the check of its condition to the end of its commit
 * ({@link ObjectStore#lock}). Closing it gives the key back, also after an error.
 */
public interface KeyLease extends AutoCloseable {

    /**
     * The lease of a store that is the only writer of its keys: the caller's own per-key lock already serializes
     * every conditional write, so there is nothing to confirm or give back.
     */
    KeyLease LOCAL = new KeyLease() {
        @Override
        public void confirm() {
        }

        @Override
        public void close() {
        }
    };

    /**
     * Called after the condition was checked and just before the commit: fails (nothing is committed) when the
     * lease may no longer be exclusive, because it lapsed or the node that granted it stopped deciding for the key.
     */
    void confirm() throws IOException;

    /** Gives the key back; never fails (a lease that cannot be given back runs out by itself). */
    @Override
    void close();
}
