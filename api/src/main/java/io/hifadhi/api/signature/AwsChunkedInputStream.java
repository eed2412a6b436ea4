package io.hifadhi.api.signature;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decodes an {@code aws-chunked} body ({@code chunk-size[;chunk-signature=sig] CRLF data CRLF ...
 * 0[;chunk-signature=sig] CRLF [trailers CRLF] CRLF}) into the object bytes, checking as it goes:
 * every chunk signature (signed modes), the trailer signature, the trailer checksums against the
 * decoded bytes, and that the decoded length equals {@code x-amz-decoded-content-length}.
 *
 * <p><b>Streaming, not buffering.</b> A chunk's signature can only be checked once its last byte has
 * been hashed. Buffering whole chunks to check them before releasing any byte would cost up to the
 * client's chunk size per upload (clients choose it; 16 MiB and more exist) and would still not
 * make earlier reads final, because the trailer checksum and the decoded length can only be checked
 * at the very end. So this stream passes bytes through as they arrive, with fixed-size buffers, and
 * the last bytes of each chunk are handed out only after that chunk's signature verified. A bad chunk
 * surfaces as an {@link S3AuthException} from {@code read()} before the stream ever reports end of
 * stream: <b>the consumer must treat everything read as provisional until {@code read()} returns -1</b>
 * (write to a temporary place, commit only then), exactly as for a truncated body.
 *
 * <p>Limits: chunk-size and trailer lines at most {@value #MAX_LINE} bytes, at most
 * {@value #MAX_TRAILER_LINES} trailer lines, chunk sizes at most 15 hex digits and never beyond the
 * declared decoded length; lines must end in CRLF. Malformed framing is InvalidRequest /
 * MalformedTrailerError, a body that ends early IncompleteBody, a bad signature
 * SignatureDoesNotMatch, a bad trailer checksum BadDigest. Errors are sticky.
 */
public final class AwsChunkedInputStream extends InputStream {
    static final int MAX_LINE = 4096;
    static final int MAX_TRAILER_LINES = 16;
    private static final String SIGNATURE_EXTENSION = "chunk-signature=";
    private static final String TRAILER_SIGNATURE = "x-amz-trailer-signature";

    private enum State { HEADER, DATA, DONE }

    private final InputStream in;
    private final ChunkSignatureChain chain;
    private final boolean trailerExpected;
    private final List<String> expectedTrailers;
    private final Map<ChecksumAlgorithm, Digester> trailerDigesters = new EnumMap<>(ChecksumAlgorithm.class);
    private final long decodedLength;
    private final Map<String, String> trailers = new LinkedHashMap<>();
    private final byte[] lineBuffer = new byte[MAX_LINE];

    private State state = State.HEADER;
    private long decoded;
    private long chunkRemaining;
    private long chunkIndex;
    private MessageDigest chunkHash;
    private String chunkSignature;
    private IOException failure;

    /**
     * @param chain the signature chain for signed chunks, or null for unsigned chunks
     * @param trailerExpected whether a trailer section follows the final chunk (signed trailer iff chain != null)
     * @param expectedTrailers lower-case trailer names announced in x-amz-trailer (checksum headers)
     */
    AwsChunkedInputStream(InputStream raw, ChunkSignatureChain chain, boolean trailerExpected,
            List<ChecksumAlgorithm> expectedTrailers, long decodedLength) {
        this.in = new BufferedInputStream(raw, 16 * 1024);
        this.chain = chain;
        this.trailerExpected = trailerExpected;
        this.expectedTrailers = expectedTrailers.stream().map(ChecksumAlgorithm::headerName).toList();
        for (ChecksumAlgorithm a : expectedTrailers) {
            trailerDigesters.put(a, a.newDigester());
        }
        this.decodedLength = decodedLength;
        this.chunkHash = chain == null ? null : Crypto.sha256();
    }

    /** The trailers received (lower-case names), complete and verified once end of stream was reached. */
    public Map<String, String> trailers() {
        return Collections.unmodifiableMap(trailers);
    }

    /** Decoded bytes handed out so far. */
    public long decodedCount() {
        return decoded;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (len == 0) {
            return 0;
        }
        try {
            return doRead(b, off, len);
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }

    private int doRead(byte[] b, int off, int len) throws IOException {
        while (true) {
            switch (state) {
                case DONE:
                    return -1;
                case HEADER:
                    readChunkHeader();
                    if (chunkRemaining == 0) {
                        finishBody();
                        state = State.DONE;
                        return -1;
                    }
                    state = State.DATA;
                    break;
                case DATA:
                    int n = in.read(b, off, (int) Math.min(len, chunkRemaining));
                    if (n < 0) {
                        throw incomplete("the body ended inside chunk " + chunkIndex);
                    }
                    if (chunkHash != null) {
                        chunkHash.update(b, off, n);
                    }
                    for (Digester d : trailerDigesters.values()) {
                        d.update(b, off, n);
                    }
                    chunkRemaining -= n;
                    decoded += n;
                    if (chunkRemaining == 0) {
                        endOfChunkData();
                        state = State.HEADER;
                    }
                    return n;
                default:
                    throw new IllegalStateException();
            }
        }
    }

    private void readChunkHeader() throws IOException {
        chunkIndex++;
        String line = readLine("chunk header");
        if (line == null) {
            throw incomplete("the body ended before chunk " + chunkIndex + " (and before the final 0-length chunk)");
        }
        String sizeHex;
        if (chain != null) {
            int semi = line.indexOf(';');
            if (semi < 0 || !line.startsWith(SIGNATURE_EXTENSION, semi + 1)) {
                throw malformed("chunk " + chunkIndex + " header lacks ';chunk-signature=' (signed aws-chunked body)");
            }
            sizeHex = line.substring(0, semi);
            chunkSignature = line.substring(semi + 1 + SIGNATURE_EXTENSION.length());
            if (!Crypto.isLowerHex64(chunkSignature)) {
                throw malformed("chunk " + chunkIndex + " signature is not 64 lowercase hex characters");
            }
            chunkHash.reset();
        } else {
            if (line.indexOf(';') >= 0) {
                throw malformed("chunk " + chunkIndex
                        + " carries a chunk extension, but this body was declared unsigned");
            }
            sizeHex = line;
        }
        chunkRemaining = parseSize(sizeHex);
        if (chunkRemaining > decodedLength - decoded) {
            throw malformed("chunk " + chunkIndex + " would bring the body past x-amz-decoded-content-length ("
                    + decodedLength + " bytes)");
        }
        if (chunkRemaining == 0) {
            verifyChunkSignature();
        }
    }

    private long parseSize(String hex) throws S3AuthException {
        if (hex.isEmpty() || hex.length() > 15) {
            throw malformed("chunk " + chunkIndex + " size must be 1 to 15 hex digits");
        }
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                throw malformed("chunk " + chunkIndex + " size '" + printable(hex) + "' is not hexadecimal");
            }
            size = (size << 4) | d;
        }
        return size;
    }

    private void endOfChunkData() throws IOException {
        verifyChunkSignature();
        int cr = in.read();
        int lf = cr < 0 ? -1 : in.read();
        if (cr < 0 || lf < 0) {
            throw incomplete("the body ended right after the data of chunk " + chunkIndex);
        }
        if (cr != '\r' || lf != '\n') {
            throw malformed("the data of chunk " + chunkIndex + " is not followed by CRLF (is the chunk size right?)");
        }
    }

    private void verifyChunkSignature() throws S3AuthException {
        if (chain == null) {
            return;
        }
        String expected = chain.nextChunk(chunkHash.digest());
        if (!Crypto.signaturesEqual(expected, chunkSignature)) {
            throw new S3AuthException(S3ErrorCode.SignatureDoesNotMatch, "The signature of chunk " + chunkIndex
                    + " of the aws-chunked body does not match: the data was altered in transit or signed with"
                    + " another key. Resend the request.");
        }
    }

    private void finishBody() throws IOException {
        if (decoded != decodedLength) {
            throw incomplete("the body decoded to " + decoded + " bytes, but x-amz-decoded-content-length declares "
                    + decodedLength);
        }
        if (!trailerExpected) {
            String end = readLine("final CRLF");
            if (end == null) {
                throw incomplete("the body ended without the CRLF that closes the final chunk");
            }
            if (!end.isEmpty()) {
                throw malformed("unexpected data after the final 0-length chunk");
            }
        } else {
            readTrailers();
        }
        if (in.read() >= 0) {
            throw malformed("unexpected data after the end of the aws-chunked body");
        }
    }

    private void readTrailers() throws IOException {
        String line = readLine("trailer");
        if (line != null && line.isEmpty()) {
            // Some encoders put an empty line between the final chunk and the trailers; a blank line
            // followed by end of stream is simply the end (and the missing trailers are caught below).
            line = readLine("trailer");
        }
        StringBuilder canonical = new StringBuilder();
        String trailerSignature = null;
        int count = 0;
        while (line != null && !line.isEmpty()) {
            if (++count > MAX_TRAILER_LINES) {
                throw trailerError("more than " + MAX_TRAILER_LINES + " trailer lines");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw trailerError("trailer line '" + printable(line) + "' is not 'name:value'");
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (trailerSignature != null) {
                throw trailerError("x-amz-trailer-signature must be the last trailer");
            }
            if (name.equals(TRAILER_SIGNATURE)) {
                if (chain == null) {
                    throw trailerError("x-amz-trailer-signature sent in an unsigned (STREAMING-UNSIGNED-PAYLOAD-TRAILER) body");
                }
                trailerSignature = value;
            } else {
                if (!expectedTrailers.contains(name)) {
                    throw trailerError("trailer '" + printable(name) + "' was not announced in x-amz-trailer");
                }
                if (trailers.putIfAbsent(name, value) != null) {
                    throw trailerError("trailer '" + name + "' sent twice");
                }
                canonical.append(name).append(':').append(value).append('\n');
            }
            line = readLine("trailer");
        }
        // line == null: end of stream right after the trailers, without the closing CRLF; tolerated.
        for (String name : expectedTrailers) {
            if (!trailers.containsKey(name)) {
                throw new S3AuthException(S3ErrorCode.IncompleteBody, "The body ended without the trailer '" + name
                        + "' announced in x-amz-trailer; resend the request.");
            }
        }
        if (chain != null) {
            if (trailerSignature == null) {
                throw trailerError("the signed trailer lacks x-amz-trailer-signature");
            }
            if (!Crypto.isLowerHex64(trailerSignature)) {
                throw trailerError("x-amz-trailer-signature is not 64 lowercase hex characters");
            }
            byte[] canonicalHash = Crypto.sha256(canonical.toString().getBytes(StandardCharsets.UTF_8));
            if (!Crypto.signaturesEqual(chain.trailer(canonicalHash), trailerSignature)) {
                throw new S3AuthException(S3ErrorCode.SignatureDoesNotMatch, "The trailer signature of the"
                        + " aws-chunked body does not match: the trailers were altered or signed with another key.");
            }
        }
        for (Map.Entry<ChecksumAlgorithm, Digester> e : trailerDigesters.entrySet()) {
            ChecksumAlgorithm algorithm = e.getKey();
            byte[] declared = algorithm.decode(trailers.get(algorithm.headerName()));
            byte[] computed = e.getValue().finish();
            if (!MessageDigest.isEqual(declared, computed)) {
                throw new S3AuthException(S3ErrorCode.BadDigest, "The " + algorithm.name()
                        + " you specified in the trailer did not match the calculated checksum ("
                        + Base64.getEncoder().encodeToString(computed) + "); resend the body.");
            }
        }
    }

    /**
     * Reads one CRLF-terminated line of at most {@link #MAX_LINE} bytes; null on end of stream before
     * its first byte.
     */
    private String readLine(String what) throws IOException {
        int length = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (length == 0) {
                    return null;
                }
                throw incomplete("the body ended inside a " + what + " line");
            }
            if (c == '\r') {
                int lf = in.read();
                if (lf < 0) {
                    throw incomplete("the body ended inside a " + what + " line");
                }
                if (lf != '\n') {
                    throw malformed("a " + what + " line has a CR not followed by LF");
                }
                return new String(lineBuffer, 0, length, StandardCharsets.ISO_8859_1);
            }
            if (c == '\n') {
                throw malformed("a " + what + " line ends in a bare LF; aws-chunked lines end in CRLF");
            }
            if (length == MAX_LINE) {
                throw malformed("a " + what + " line is longer than " + MAX_LINE + " bytes");
            }
            lineBuffer[length++] = (byte) c;
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static S3AuthException malformed(String what) {
        return new S3AuthException(S3ErrorCode.InvalidRequest, "Malformed aws-chunked body: " + what + ".");
    }

    private static S3AuthException trailerError(String what) {
        return new S3AuthException(S3ErrorCode.MalformedTrailerError,
                "The request body's trailer section is malformed: " + what + ".");
    }

    private static S3AuthException incomplete(String what) {
        return new S3AuthException(S3ErrorCode.IncompleteBody,
                "You did not provide the number of bytes specified: " + what + ". Resend the whole request.");
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
