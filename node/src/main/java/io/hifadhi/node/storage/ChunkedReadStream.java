package io.hifadhi.node.storage;

import io.hifadhi.api.store.BufferedBody;
import io.hifadhi.api.store.CorruptDataException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Streams a byte range of a chunked object. A chunk this node holds is read from its file: each read fills one pooled
 * direct buffer with whole blocks, checked against their CRC32C ({@link ChunkReader}) before any byte is handed out,
 * and a sender may write that buffer to its socket as it is ({@link BufferedBody}). In a cluster, a chunk this node
 * does not hold, or whose file fails its checks (and is deleted), comes from the {@link ChunkSource} (a cache or a
 * replica), and the stream goes on from the same byte: a client never sees a corrupt byte, nor a cut, while a good
 * copy exists. A read of several chunks has the ones it lacks streamed into the same pooled buffer, a few verified
 * blocks at a time ({@link ChunkSource#open}), so its memory is that one buffer however large the object (issue 19);
 * a read within one chunk gets it whole ({@link ChunkSource#fetch}), which keeps it in the node's cache for the next.
 *
 * <p>Read-ahead: on reaching a chunk, the stream asks the source for the next {@link #READ_AHEAD} chunks it does not
 * hold, so a remote chunk's transfer overlaps with sending the ones before it instead of starting when the reader
 * gets there (a non-holder reading chunk after chunk on demand ran at 0.29x of one node, issue 19). What is asked
 * ahead is bounded per node by the source, which declines when its read-ahead is in use.
 */
public final class ChunkedReadStream extends InputStream implements BufferedBody {
    /** Chunks asked for ahead of the one being read: two keep a transfer in flight while one is being checked. */
    static final int READ_AHEAD = 2;

    private record Pending(int index, ChunkSource.Ahead ahead) {
    }

    private final ChunkStore store;
    private final List<ChunkRef> chunks;
    private final ChunkSource elsewhere;  // null on a lone node: a bad chunk is then an error
    private final long end;       // exclusive
    private int index;
    private long chunkStart;      // object offset of chunks[index]
    private long position;        // object offset of the next byte not yet consumed
    private ChunkReader reader;
    private final boolean streamed;  // the range spans chunks: those from elsewhere are streamed, not fetched whole
    private ChunkSource.Incoming incoming;  // chunks[index] from elsewhere, when not read from this node's file
    private ByteBuffer pooled;
    private ByteBuffer current;   // the bytes ready to hand out: pooled, or a view of a chunk whole in memory
    private int lent;
    private boolean closed;
    private final ArrayDeque<Pending> ahead = new ArrayDeque<>();
    private int askedUpTo;        // the highest chunk index already asked for ahead

    /**
     * Verifies the first blocks right away, so corruption surfaces before a response starts.
     *
     * @param elsewhere where chunks this node cannot serve come from; null to serve only this node's files
     */
    public ChunkedReadStream(ChunkStore store, List<ChunkRef> chunks, long offset, long length, ChunkSource elsewhere)
            throws IOException {
        this.store = store;
        this.chunks = chunks;
        this.elsewhere = elsewhere;
        this.position = offset;
        this.end = offset + length;
        while (index < chunks.size() && chunkStart + chunks.get(index).length() <= offset) {
            chunkStart += chunks.get(index).length();
            index++;
        }
        this.streamed = index < chunks.size() && end > chunkStart + chunks.get(index).length();
        try {
            fill();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Loads the next bytes into {@link #current}; false at the end of the range. */
    private boolean fill() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (position >= end) {
            return false;
        }
        if (position >= chunkStart + chunks.get(index).length()) {
            closeReader();
            closeIncoming();
            chunkStart += chunks.get(index).length();
            index++;
        }
        ChunkRef ref = chunks.get(index);
        if (reader == null && incoming == null) {
            open(ref);
        }
        if (pooled == null) {
            pooled = store.readBuffers().take();
        }
        if (reader != null) {
            try {
                reader.read(position - chunkStart, pooled);
                current = pooled;
            } catch (CorruptDataException e) {
                closeReader();
                if (elsewhere == null) {
                    throw e;
                }
                incoming = ChunkSource.Incoming.of(elsewhere.fetch(ref));
            }
        }
        if (incoming != null) {
            current = incoming.next((int) (position - chunkStart), pooled);
        }
        current.limit(current.position() + (int) Math.min(current.remaining(), end - position));
        return true;
    }

    private void open(ChunkRef ref) throws IOException {
        if (elsewhere == null) {
            reader = store.openReader(ref);
            return;
        }
        askAhead();
        Pending next = ahead.peekFirst();
        if (next != null && next.index() == index) {
            ahead.removeFirst();
            incoming = next.ahead().take();
            return;
        }
        if (store.holdsFile(ref)) {
            try {
                reader = store.openReader(ref);
                elsewhere.servingLocally(ref);
                return;
            } catch (CorruptDataException e) {
                // Deleted by the store if it failed SHA-256: a good copy from elsewhere replaces it.
            }
        }
        incoming = streamed ? elsewhere.open(ref) : ChunkSource.Incoming.of(elsewhere.fetch(ref));
    }

    /** Asks for the chunks after the current one, up to {@link #READ_AHEAD}, that the range needs and this node lacks. */
    private void askAhead() {
        long start = chunkStart;
        for (int i = index; i < chunks.size() && i <= index + READ_AHEAD && start < end; i++) {
            if (i > index && i > askedUpTo) {
                ChunkRef ref = chunks.get(i);
                if (!store.holdsFile(ref)) {
                    ChunkSource.Ahead a = elsewhere.ahead(ref);
                    if (a == null) {
                        return;  // declined: ask again at the next chunk
                    }
                    ahead.addLast(new Pending(i, a));
                }
                askedUpTo = i;
            }
            start += chunks.get(i).length();
        }
    }

    @Override
    public ByteBuffer nextBuffer() throws IOException {
        if (lent > 0) {
            // The caller has taken all of the buffer lent last time.
            position += lent;
            lent = 0;
            current.position(current.limit());
        }
        if ((current == null || !current.hasRemaining()) && !fill()) {
            return null;
        }
        lent = current.remaining();
        return current;
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
        if ((current == null || !current.hasRemaining()) && !fill()) {
            return -1;
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        position += n;
        return n;
    }

    private void closeIncoming() {
        if (incoming != null) {
            incoming.close();
            incoming = null;
        }
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
        current = null;
        closeIncoming();
        for (Pending p : ahead) {
            p.ahead().cancel();
        }
        ahead.clear();
        if (pooled != null) {
            store.readBuffers().give(pooled);
            pooled = null;
        }
        closeReader();
    }
}
