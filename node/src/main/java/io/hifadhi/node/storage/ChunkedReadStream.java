package io.hifadhi.node.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * Streams a byte range of a chunked object. Each chunk is verified whole (SHA-256) before any of
 * its bytes are returned, then the needed slice is read from the file; the chunk just hashed is in
 * the page cache, so the second read is cheap, and memory stays at one small buffer.
 */
final class ChunkedReadStream extends InputStream {
    private final ChunkStore store;
    private final List<ChunkRef> chunks;
    private int index;
    private long chunkStart;      // object offset of chunks[index]
    private long position;        // next object offset to return
    private final long end;       // exclusive
    private FileChannel channel;
    private long channelLeft;

    /** Verifies and opens the first needed chunk right away, so corruption surfaces before a response starts. */
    ChunkedReadStream(ChunkStore store, List<ChunkRef> chunks, long offset, long length) throws IOException {
        this.store = store;
        this.chunks = chunks;
        this.position = offset;
        this.end = offset + length;
        while (index < chunks.size() && chunkStart + chunks.get(index).length() <= offset) {
            chunkStart += chunks.get(index).length();
            index++;
        }
        if (length > 0) {
            openCurrent();
        }
    }

    private void openCurrent() throws IOException {
        ChunkRef ref = chunks.get(index);
        store.verify(ref);
        channel = store.openChannel(ref);
        long from = position - chunkStart;
        channel.position(from);
        channelLeft = Math.min(ref.length() - from, end - position);
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
        while (channelLeft == 0) {
            if (channel != null) {
                channel.close();
                channel = null;
            }
            if (position >= end) {
                return -1;
            }
            chunkStart += chunks.get(index).length();
            index++;
            openCurrent();
        }
        int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, channelLeft)));
        if (n < 0) {
            throw new io.hifadhi.api.store.CorruptDataException("chunk " + chunks.get(index).id() + " shrank while being read");
        }
        channelLeft -= n;
        position += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
