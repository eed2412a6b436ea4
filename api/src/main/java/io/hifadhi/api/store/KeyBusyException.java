package io.hifadhi.api.store;

/**
 * Another conditional write of the same key held its lease for the whole wait ({@link ObjectStore#lock}). Nothing
 * was written; S3 answers 503 SlowDown, so clients back off and retry.
 */
public class KeyBusyException extends StoreUnavailableException {
    public KeyBusyException(String message) {
        super(message);
    }
}
