package io.hifadhi.node.storage;

import io.hifadhi.api.store.BufferedBody;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Streams a byte range of a chunked object from this node's chunk files. Each read fills one pooled direct buffer
 * with whole blocks of a chunk, checked against their CRC32C ({@link ChunkReader}) before any byte is handed out; a
 * sender may write that buffer to its socket as it is ({@link BufferedBody}). Memory is one buffer, whatever the
 * object's size.
 */
final class ChunkedReadStream extends InputStream implements BufferedBody {
    private final ChunkStore store;
    private final List<ChunkRef> chunks;
    private final long end;       // exclusive
    private int index;
    private long chunkStart;      // object offset of chunks[index]
    private long position;        // object offset of the next byte not yet consumed
    private ChunkReader reader;
    private ByteBuffer buffer;
    private int lent;
    private boolean closed;

    /** Verifies the first blocks right away, so corruption surfaces before a response starts. */
    ChunkedReadStream(ChunkStore store, List<ChunkRef> chunks, long offset, long length) throws IOException {
        this.store = store;
        this.chunks = chunks;
        this.position = offset;
        this.end = offset + length;
        while (index < chunks.size() && chunkStart + chunks.get(index).length() <= offset) {
            chunkStart += chunks.get(index).length();
            index++;
        }
        try {
            fill();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Loads the next verified bytes into the buffer; false at the end of the range. */
    private boolean fill() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (position >= end) {
            return false;
        }
        if (position >= chunkStart + chunks.get(index).length()) {
            closeReader();
            chunkStart += chunks.get(index).length();
            index++;
        }
        if (reader == null) {
            reader = store.openReader(chunks.get(index));
        }
        if (buffer == null) {
            buffer = store.readBuffers().take();
        }
        reader.read(position - chunkStart, buffer);
        buffer.limit(buffer.position() + (int) Math.min(buffer.remaining(), end - position));
        return true;
    }

    @Override
    public ByteBuffer nextBuffer() throws IOException {
        if (lent > 0) {
            // The caller has taken all of the buffer lent last time.
            position += lent;
            lent = 0;
            buffer.position(buffer.limit());
        }
        if ((buffer == null || !buffer.hasRemaining()) && !fill()) {
            return null;
        }
        lent = buffer.remaining();
        return buffer;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if ((buffer == null || !buffer.hasRemaining()) && !fill()) {
            return -1;
        }
        int n = Math.min(len, buffer.remaining());
        buffer.get(b, off, n);
        position += n;
        return n;
    }

    private void closeReader() throws IOException {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (buffer != null) {
            store.readBuffers().give(buffer);
            buffer = null;
        }
        closeReader();
    }
}
