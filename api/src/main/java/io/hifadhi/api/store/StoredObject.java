package io.hifadhi.api.store;

import java.io.IOException;
import java.io.InputStream;

/** One version of an object, readable for as long as the caller holds it (chunks are immutable). */
public interface StoredObject {
    ObjectInfo info();

    /**
     * Streams {@code length} bytes starting at {@code offset}. Every byte is checked against its
     * content hash before it is returned; corrupt data ends the stream with {@link CorruptDataException}.
     * The first chunk is verified before this method returns, so a caller that has not yet sent a
     * status can still answer with an error.
     */
    InputStream open(long offset, long length) throws IOException;
}
