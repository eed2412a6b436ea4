package io.hifadhi.api.store;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An object body stream that can lend the buffers it reads into (direct buffers, filled from the chunk files and
 * verified there), so a sender writes them to the socket as they are instead of copying them into its own buffer.
 */
public interface BufferedBody {
    /**
     * The next bytes of the body: a buffer the caller may only read (and only until the next call or close), with at
     * least one byte remaining; null at the end of the body. Throws {@link CorruptDataException} as
     * {@link StoredObject#open} streams do, before any byte of a corrupt chunk is lent.
     */
    ByteBuffer nextBuffer() throws IOException;
}
