package io.hifadhi.node.replication;

import io.hifadhi.node.storage.ChunkRef;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Streams a byte range of a chunked object, one verified chunk at a time: memory is one chunk,
 * whatever the object size, and only the chunks the range touches are fetched. The first chunk is
 * fetched before the constructor returns, so a caller can still answer with an error status.
 */
final class ChunkFetchStream extends InputStream {
    private final ChunkSource source;
    private final List<ChunkRef> chunks;
    private final long end;
    private int index;
    private long chunkStart;
    private long position;
    private byte[] data;
    private int dataPos;
    private int dataEnd;

    ChunkFetchStream(ChunkSource source, List<ChunkRef> chunks, long offset, long length) throws IOException {
        this.source = source;
        this.chunks = chunks;
        this.position = offset;
        this.end = offset + length;
        while (index < chunks.size() && chunkStart + chunks.get(index).length() <= offset) {
            chunkStart += chunks.get(index).length();
            index++;
        }
        if (length > 0) {
            load();
        }
    }

    private void load() throws IOException {
        ChunkRef ref = chunks.get(index);
        data = source.fetch(ref);
        dataPos = (int) (position - chunkStart);
        dataEnd = (int) Math.min(ref.length(), end - chunkStart);
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
        while (data == null || dataPos >= dataEnd) {
            if (position >= end) {
                data = null;
                return -1;
            }
            if (data != null) {
                chunkStart += chunks.get(index).length();
                index++;
            }
            data = null;
            load();
        }
        int n = Math.min(len, dataEnd - dataPos);
        System.arraycopy(data, dataPos, b, off, n);
        dataPos += n;
        position += n;
        return n;
    }

    @Override
    public void close() {
        data = null;
    }
}
