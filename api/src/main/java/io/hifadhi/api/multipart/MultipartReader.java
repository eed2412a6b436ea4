package io.hifadhi.api.multipart;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A streaming multipart/form-data reader (RFC 7578 / RFC 2046) with a fixed-size buffer: part
 * bodies are handed out as streams, so memory never grows with the size of a part.
 *
 * <p>The stream is read as if it began with CRLF, which turns the first boundary line into an
 * ordinary delimiter ({@code CRLF--boundary}) and lets one search routine handle every part.
 */
public final class MultipartReader {
    static final int MAX_HEADER_LINE = 8 * 1024;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    static final int MAX_HEADERS = 32;

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buf;
    private int pos;
    private int lim;
    private boolean eof;
    private boolean finished;
    private PartBody current;

    public MultipartReader(InputStream in, String boundary) {
        this(in, boundary, 64 * 1024);
    }

    MultipartReader(InputStream in, String boundary, int bufferSize) {
        if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
            throw new IllegalArgumentException("bad boundary");
        }
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.buf = new byte[Math.max(bufferSize, delimiter.length * 2 + MAX_HEADER_LINE + 4)];
        buf[0] = '\r';
        buf[1] = '\n';
        lim = 2;
        current = new PartBody(); // the preamble, discarded
    }

    /** The boundary parameter of a multipart Content-Type, or null. */
    public static String boundaryOf(String contentType) {
        if (contentType == null || !contentType.trim().toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            return null;
        }
        String b = HeaderParams.parse(contentType).get("boundary");
        return b == null || b.isEmpty() || b.length() > 200 ? null : b;
    }

    /** The next part, or null after the closing delimiter. Any unread rest of the previous part is skipped. */
    public Part next() throws IOException {
        if (finished) {
            return null;
        }
        if (current != null) {
            current.drain();
            current = null;
        }
        // Right after a delimiter: "--" closes the body, otherwise optional padding then CRLF.
        if (!ensure(2)) {
            throw new MultipartException("body ends right after a boundary");
        }
        if (buf[pos] == '-' && buf[pos + 1] == '-') {
            finished = true;
            return null;
        }
        String after = readLine();
        if (!after.isBlank()) {
            throw new MultipartException("unexpected text after boundary");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        while (true) {
            String line = readLine();
            if (line.isEmpty()) {
                break;
            }
            total += line.length();
            if (total > MAX_HEADER_BYTES || headers.size() >= MAX_HEADERS) {
                throw new MultipartException("part headers too large");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MultipartException("malformed part header");
            }
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        String disposition = headers.get("content-disposition");
        if (disposition == null) {
            throw new MultipartException("part without Content-Disposition");
        }
        Map<String, String> params = HeaderParams.parse(disposition);
        String name = params.get("name");
        if (name == null) {
            throw new MultipartException("part without a name");
        }
        String fileName = params.containsKey("filename*") ? params.get("filename*") : params.get("filename");
        current = new PartBody();
        return new Part(name, fileName, headers.get("content-type"), Map.copyOf(headers), current);
    }

    /** Ensures at least n unread bytes are buffered; false on EOF before that. */
    private boolean ensure(int n) throws IOException {
        while (lim - pos < n) {
            if (eof) {
                return false;
            }
            fill();
        }
        return true;
    }

    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            return;
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            eof = true;
        } else {
            lim += n;
        }
    }

    /** A header line decoded as UTF-8 (browsers send raw UTF-8 file names), without its CRLF. */
    private String readLine() throws IOException {
        int scanned = 0;
        while (true) {
            for (int i = pos + scanned; i + 1 < lim; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n') {
                    String line = new String(buf, pos, i - pos, StandardCharsets.UTF_8);
                    pos = i + 2;
                    return line;
                }
            }
            scanned = Math.max(0, lim - pos - 1);
            if (scanned > MAX_HEADER_LINE) {
                throw new MultipartException("part header line too long");
            }
            if (eof) {
                throw new MultipartException("body ends inside part headers");
            }
            fill();
        }
    }

    /** Index of the delimiter in buf[pos, lim), or -1. */
    private int findDelimiter() {
        byte first = delimiter[0];
        int last = lim - delimiter.length;
        outer:
        for (int i = pos; i <= last; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int j = 1; j < delimiter.length; j++) {
                if (buf[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private final class PartBody extends InputStream {
        private boolean done;
        /** Bytes at buf[pos..pos+safe) known to belong to this part (no delimiter can start there). */
        private int safe;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!available0()) {
                return -1;
            }
            int n = Math.min(len, safe);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            safe -= n;
            return n;
        }

        @Override
        public int available() {
            return done ? 0 : safe;
        }

        /** Makes safe > 0, or marks the part done (consuming the delimiter) and returns false. */
        private boolean available0() throws IOException {
            while (!done && safe == 0) {
                int at = findDelimiter();
                if (at == pos) {
                    pos += delimiter.length;
                    done = true;
                } else if (at > pos) {
                    safe = at - pos;
                } else if (lim - pos >= delimiter.length) {
                    safe = lim - pos - (delimiter.length - 1);
                } else if (eof) {
                    throw new MultipartException("body ends before the closing boundary");
                } else {
                    fill();
                }
            }
            return !done;
        }

        void drain() throws IOException {
            while (available0()) {
                pos += safe;
                safe = 0;
            }
        }
    }
}
