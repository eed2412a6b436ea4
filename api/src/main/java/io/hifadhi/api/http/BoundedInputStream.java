package io.hifadhi.api.http;

import io.hifadhi.api.store.ObjectTooLargeException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/** Counts bytes read (for metrics) and fails once more than {@code limit} bytes arrive. */
public final class BoundedInputStream extends FilterInputStream {
    private final long limit;
    private final AtomicLong counter;
    private long count;

    public BoundedInputStream(InputStream in, long limit, AtomicLong counter) {
        super(in);
        this.limit = limit;
        this.counter = counter;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
            add(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(n);
        add(s);
        return s;
    }

    private void add(long n) throws ObjectTooLargeException {
        count += n;
        counter.addAndGet(n);
        if (count > limit) {
            throw new ObjectTooLargeException(limit);
        }
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
