package io.hifadhi.api.signature;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Passes a body through while hashing it, and at end of stream checks every {@link ExpectedDigest}:
 * on a mismatch the final {@code read()} throws the matching {@link S3AuthException} (e.g.
 * XAmzContentSHA256Mismatch, BadDigest) instead of returning -1.
 *
 * <p>So the consumer must treat what it has read as provisional until it sees end of stream, and
 * discard it on an exception; that is the same rule a store follows for a half-received body anyway.
 * It can also compute extra digests (MD5 for the ETag, a checksum to store) and read them after EOF.
 */
public final class ChecksumVerifyingInputStream extends FilterInputStream {
    private final List<ExpectedDigest> expectations;
    private final List<Digester> expectationDigesters;
    private final Map<ChecksumAlgorithm, Digester> extra = new EnumMap<>(ChecksumAlgorithm.class);
    private final Map<ChecksumAlgorithm, byte[]> extraValues = new EnumMap<>(ChecksumAlgorithm.class);
    private final Digester md5;
    private byte[] md5Value;
    private long count;
    private boolean finished;
    private S3AuthException failure;

    /**
     * @param computeMd5 also compute the MD5 of the body (for the ETag), readable after EOF
     * @param compute further checksums to compute, readable after EOF
     */
    public ChecksumVerifyingInputStream(InputStream in, List<ExpectedDigest> expectations, boolean computeMd5,
            List<ChecksumAlgorithm> compute) {
        super(in);
        this.expectations = List.copyOf(expectations);
        this.expectationDigesters = new ArrayList<>();
        for (ExpectedDigest e : this.expectations) {
            expectationDigesters.add(e.digester());
        }
        this.md5 = computeMd5 ? Digester.md5() : null;
        for (ChecksumAlgorithm a : compute) {
            extra.put(a, a.newDigester());
        }
    }

    /** Checks the body against the hex SHA-256 from x-amz-content-sha256. */
    public static ChecksumVerifyingInputStream sha256(InputStream in, String expectedHex) throws S3AuthException {
        return new ChecksumVerifyingInputStream(in, List.of(ExpectedDigest.payloadSha256(expectedHex)), false,
                List.of());
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (finished) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int n = in.read(b, off, len);
        if (n < 0) {
            finish();
            return -1;
        }
        count += n;
        for (Digester d : expectationDigesters) {
            d.update(b, off, n);
        }
        if (md5 != null) {
            md5.update(b, off, n);
        }
        for (Digester d : extra.values()) {
            d.update(b, off, n);
        }
        return n;
    }

    private void finish() throws S3AuthException {
        finished = true;
        for (int i = 0; i < expectations.size(); i++) {
            ExpectedDigest e = expectations.get(i);
            if (!e.matches(expectationDigesters.get(i).finish())) {
                failure = new S3AuthException(e.onMismatch(), e.mismatchMessage());
                throw failure;
            }
        }
        if (md5 != null) {
            md5Value = md5.finish();
        }
        extra.forEach((a, d) -> extraValues.put(a, d.finish()));
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipping would bypass the digests.
        byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    /** True once end of stream was reached and every expectation held. */
    public boolean verified() {
        return finished && failure == null;
    }

    /** The MD5 of the whole body, after a verified end of stream. */
    public byte[] md5() {
        if (!verified() || md5Value == null) {
            throw new IllegalStateException("MD5 not available: not requested or body not fully read");
        }
        return md5Value.clone();
    }

    /** The requested checksums of the whole body, after a verified end of stream. */
    public Map<ChecksumAlgorithm, byte[]> checksums() {
        if (!verified()) {
            throw new IllegalStateException("body not fully read and verified");
        }
        return Collections.unmodifiableMap(extraValues);
    }
}
