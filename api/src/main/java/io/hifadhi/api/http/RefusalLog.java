package io.hifadhi.api.http;

import org.slf4j.Logger;

/**
 * WARN lines for refusals that a flood could repeat thousands of times a second (over a rate limit, a
 * full probe queue): at most one a second, and the next one says how many were not logged, so the
 * refusals cannot flood the log themselves.
 */
public final class RefusalLog {
    private static final long SECOND = 1_000_000_000L;

    private final Logger log;
    private long lastLogged = System.nanoTime() - 2 * SECOND;
    private long notLogged;

    public RefusalLog(Logger log) {
        this.log = log;
    }

    public void warn(String line) {
        long skipped;
        synchronized (this) {
            long now = System.nanoTime();
            if (now - lastLogged < SECOND) {
                notLogged++;
                return;
            }
            lastLogged = now;
            skipped = notLogged;
            notLogged = 0;
        }
        log.warn("{}{}", line, skipped == 0 ? "" : " (" + skipped + " more refusals in the last second not logged)");
    }
}
