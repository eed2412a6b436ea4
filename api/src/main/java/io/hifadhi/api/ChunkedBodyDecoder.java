package io.hifadhi.api;

import io.hifadhi.api.http.RequestBodyFault;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.conduits.ChunkedStreamSourceConduit;
import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.protocol.http.HttpServerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;

/**
 * Decodes a {@code Transfer-Encoding: chunked} request body in place of Undertow's own decoder, which
 * closes the connection the moment a chunk line is malformed, before any handler can answer. This one
 * throws {@link RequestBodyFault.Malformed} and leaves the connection open, so the client gets a 400
 * with a body saying what was wrong (and {@code Connection: close}). Stricter than Undertow's: hex sizes
 * of at most 15 digits, size and trailer lines of bounded length, chunk data followed by CRLF (or LF)
 * and nothing else. A body cut off by the client still closes the connection (nobody is left to answer),
 * and one over the exchange's entity limit is a {@link RequestTooBigException}, as with Undertow's.
 */
final class ChunkedBodyDecoder extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkedBodyDecoder.class);
    static final int MAX_LINE = 4096;
    static final int MAX_TRAILERS = 8192;
    private static final int MAX_SIZE_DIGITS = 15;
    /** The connection's raw source (pushed-back bytes first), below Undertow's decoder; package-private there. */
    private static final MethodHandle RAW_SOURCE = rawSourceAccess();

    private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER, END_LF, DONE }

    private final HttpServerExchange exchange;
    private final HttpServerConnection connection;
    private final long maxBody;
    private State state = State.SIZE;
    private int digits;
    private int lineBytes;
    private int trailerBytes;
    private long chunkRemaining;
    private long decoded;
    private IOException failure;

    private ChunkedBodyDecoder(StreamSourceConduit raw, HttpServerExchange exchange, HttpServerConnection connection) {
        super(raw);
        this.exchange = exchange;
        this.connection = connection;
        this.maxBody = exchange.getMaxEntitySize();
    }

    /**
     * Puts this decoder in place of Undertow's for the exchange's chunked body; call on the I/O thread
     * before anything reads the body. Other bodies, and Undertow versions where the raw source cannot be
     * reached, keep Undertow's decoder.
     */
    static void install(HttpServerExchange exchange) {
        if (RAW_SOURCE == null || exchange.isRequestComplete() || !exchange.isRequestChannelAvailable()
                || !(exchange.getConnection() instanceof HttpServerConnection connection)) {
            return;
        }
        ConduitStreamSourceChannel source = connection.getChannel().getSourceChannel();
        if (!(source.getConduit() instanceof ChunkedStreamSourceConduit)) {
            return;
        }
        try {
            source.setConduit(new ChunkedBodyDecoder((StreamSourceConduit) RAW_SOURCE.invoke(connection), exchange, connection));
        } catch (Throwable e) {
            LOG.debug("kept Undertow's chunked decoder: {}", e.toString());
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (state == State.DONE) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        PooledByteBuffer pooled = connection.getByteBufferPool().allocate();
        boolean keep = false;
        try {
            ByteBuffer raw = pooled.getBuffer();
            if (state == State.DATA && chunkRemaining < raw.remaining()) {
                // Never read past what this chunk still needs plus a little framing: less to push back.
                raw.limit((int) Math.min(raw.capacity(), chunkRemaining + MAX_LINE));
            }
            int r = next.read(raw);
            if (r < 0) {
                // The client ended the body before its last chunk: nobody is left to read an answer.
                IoUtils.safeClose(connection);
                throw failure = new ClosedChannelException();
            }
            if (r == 0) {
                return 0;
            }
            raw.flip();
            int copied = decode(raw, dst);
            if (raw.hasRemaining()) {
                // The next request's bytes (pipelined), or data that did not fit into dst.
                connection.ungetRequestBytes(pooled);
                keep = true;
            }
            if (state == State.DONE) {
                Connectors.terminateRequest(exchange);
                return copied == 0 ? -1 : copied;
            }
            return copied;
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
                // The rest of the body is never read: the connection serves this one answer and closes, and
                // the exchange's end does not try to drain it (which would close before the answer is out).
                exchange.setPersistent(false);
                Connectors.terminateRequest(exchange);
            }
            throw e;
        } finally {
            if (!keep) {
                pooled.close();
            }
        }
    }

    /** Moves chunk data from {@code raw} to {@code dst}, parsing the framing around it; returns bytes moved. */
    private int decode(ByteBuffer raw, ByteBuffer dst) throws IOException {
        int copied = 0;
        while (raw.hasRemaining() && state != State.DONE) {
            if (state == State.DATA) {
                if (!dst.hasRemaining()) {
                    break;
                }
                int n = (int) Math.min(chunkRemaining, Math.min(raw.remaining(), dst.remaining()));
                ByteBuffer slice = raw.slice();
                slice.limit(n);
                dst.put(slice);
                raw.position(raw.position() + n);
                chunkRemaining -= n;
                copied += n;
                if (chunkRemaining == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            step(raw.get());
        }
        return copied;
    }

    /** One framing byte. */
    private void step(byte b) throws IOException {
        switch (state) {
            case SIZE -> {
                int digit = Character.digit(b, 16);
                if (digit >= 0) {
                    if (++digits > MAX_SIZE_DIGITS) {
                        throw malformed("a chunk size has more than " + MAX_SIZE_DIGITS + " hex digits");
                    }
                    chunkRemaining = (chunkRemaining << 4) + digit;
                    lineBytes++;
                } else if (digits == 0) {
                    throw malformed("a chunk-size line starts with " + shown(b) + ", not a hex digit");
                } else if (b == ';' || b == ' ' || b == '\t') {
                    state = State.EXTENSION;
                    lineBytes++;
                } else if (b == '\r') {
                    state = State.SIZE_LF;
                } else if (b == '\n') {
                    sizeDone();
                } else {
                    throw malformed("a chunk size is followed by " + shown(b));
                }
            }
            case EXTENSION -> {
                if (b == '\n') {
                    sizeDone();
                } else if (++lineBytes > MAX_LINE) {
                    throw malformed("a chunk-size line is longer than " + MAX_LINE + " bytes");
                }
            }
            case SIZE_LF -> {
                if (b != '\n') {
                    throw malformed("a chunk-size line has a CR not followed by LF");
                }
                sizeDone();
            }
            case DATA_CR -> {
                if (b == '\r') {
                    state = State.DATA_LF;
                } else if (b == '\n') {
                    state = State.SIZE;
                } else {
                    throw malformed("a chunk has more data than its size line announced");
                }
            }
            case DATA_LF -> {
                if (b != '\n') {
                    throw malformed("a chunk's data is followed by a CR not followed by LF");
                }
                state = State.SIZE;
            }
            case TRAILER_START, TRAILER -> {
                if (++trailerBytes > MAX_TRAILERS) {
                    throw malformed("the trailer section is longer than " + MAX_TRAILERS + " bytes");
                }
                if (b == '\n') {
                    state = state == State.TRAILER_START ? State.DONE : State.TRAILER_START;
                } else if (b == '\r' && state == State.TRAILER_START) {
                    state = State.END_LF;
                } else {
                    state = State.TRAILER;
                }
            }
            case END_LF -> {
                if (b != '\n') {
                    throw malformed("the body's last line has a CR not followed by LF");
                }
                state = State.DONE;
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void sizeDone() throws IOException {
        digits = 0;
        lineBytes = 0;
        if (chunkRemaining == 0) {
            state = State.TRAILER_START;
            return;
        }
        if (maxBody > 0 && decoded + chunkRemaining > maxBody) {
            throw new RequestTooBigException("The request body is larger than " + maxBody + " bytes.");
        }
        decoded += chunkRemaining;
        state = State.DATA;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]);
            }
        }
        return 0;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        return IoUtils.transfer(new ConduitReadableByteChannel(this), count, throughBuffer, target);
    }

    /**
     * A body read to its end leaves the connection as it is (the next request follows on it); one given up
     * early makes the connection serve no further request, and shuts its input.
     */
    @Override
    public void terminateReads() throws IOException {
        if (state != State.DONE) {
            exchange.setPersistent(false);
            super.terminateReads();
        }
    }

    private static RequestBodyFault.Malformed malformed(String what) {
        return new RequestBodyFault.Malformed("Malformed chunked body: " + what + ".");
    }

    private static String shown(byte b) {
        return b >= 0x21 && b < 0x7f ? "'" + (char) b + "'" : String.format("byte 0x%02x", b & 0xff);
    }

    private static MethodHandle rawSourceAccess() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(HttpServerConnection.class, MethodHandles.lookup());
            return lookup.findVirtual(HttpServerConnection.class, "getReadDataStreamSourceConduit",
                    MethodType.methodType(io.undertow.conduits.ReadDataStreamSourceConduit.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("chunked request bodies use Undertow's decoder, which closes the connection without an answer "
                    + "on malformed framing: {}", e.toString());
            return null;
        }
    }
}
