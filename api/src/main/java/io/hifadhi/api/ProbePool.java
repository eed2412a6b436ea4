package io.hifadhi.api;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads health and metrics run on, apart from the workers, so that a node busy with data (or held by
 * clients) still answers its probes. Room for waiting probes is taken before a probe is handed over and
 * given back when a thread starts it: a flood of probes is refused with 503 by the caller, never rejected
 * by the executor (which Undertow would log as an error with a stack trace).
 */
final class ProbePool implements Executor, AutoCloseable {
    private final ExecutorService threads;
    private final Semaphore waiting;

    ProbePool(int threadCount, int maxWaiting) {
        this.waiting = new Semaphore(maxWaiting);
        this.threads = new ThreadPoolExecutor(threadCount, threadCount, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "hifadhi-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** Takes a place for one probe to be {@link #execute executed}; false when too many wait already. */
    boolean enter() {
        return waiting.tryAcquire();
    }

    /** Runs a probe that {@link #enter entered}; its place is free again as soon as a thread starts it. */
    @Override
    public void execute(Runnable probe) {
        threads.execute(() -> {
            waiting.release();
            probe.run();
        });
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
