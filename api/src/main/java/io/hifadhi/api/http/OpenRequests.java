package io.hifadhi.api.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A limit on the requests one client (an access key) may have open at once, from all its addresses
 * together: a key spread over many addresses cannot take every worker of a node by holding requests open
 * (slow uploads, unread downloads), whatever each address's own connection limit. Counts drop to nothing
 * and are forgotten when a client's last request ends, so the map holds only clients being served.
 *
 * @param <K> what a client is identified by
 */
public final class OpenRequests<K> {
    private final int limit;
    private final Map<K, Integer> open = new ConcurrentHashMap<>();

    public OpenRequests(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("an open request limit must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    public int limit() {
        return limit;
    }

    /** Counts one more open request for {@code client}; false (and nothing counted) when it has the limit already. */
    public boolean enter(K client) {
        boolean[] admitted = {false};
        open.compute(client, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= limit) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        return admitted[0];
    }

    /** Ends one request {@link #enter} admitted. */
    public void leave(K client) {
        open.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** The requests {@code client} has open now. */
    public int of(K client) {
        return open.getOrDefault(client, 0);
    }
}
