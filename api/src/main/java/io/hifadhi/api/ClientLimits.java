package io.hifadhi.api;

import java.time.Duration;

/**
 * What one client may take from a node, so that no client, careless or hostile, can starve the others.
 *
 * @param minBytesPerSecond   a connection the node is waiting on (for request body bytes, or for room
 *                            to write the response) must move at least this many bytes a second,
 *                            averaged over {@code stallWindow} of waiting; otherwise it is closed
 * @param stallWindow         the waiting time that average is taken over (also the longest a client
 *                            that moves nothing at all keeps its connection)
 * @param connectionsPerClient open connections one client address may have; more are answered 503
 * @param requestsPerSecond   requests one client address may start per second (bursts up to as many
 *                            again); more are answered 503 with Retry-After
 * @param requestsPerKeyPerSecond S3 requests one access key may make per second, from all its addresses
 *                            together (bursts up to as many again); more are answered 503 SlowDown
 * @param openRequestsPerKey  S3 requests one access key may have open (being served) at once, from all its
 *                            addresses together; more are answered 503 SlowDown with Retry-After
 */
public record ClientLimits(long minBytesPerSecond, Duration stallWindow, int connectionsPerClient, int requestsPerSecond,
                           int requestsPerKeyPerSecond, int openRequestsPerKey) {
    /**
     * Per address: enough connections for a benchmark or a sync tool with many parallel transfers, and a
     * request rate above what a node serves one client on the reference machine (about 1,500 small GETs a
     * second), so that only a flood is refused; a node facing untrusted clients should set lower ones. Per
     * key: twice an address's connections, as one key often serves a few hosts.
     */
    public static final ClientLimits DEFAULTS = new ClientLimits(1024, Duration.ofSeconds(30), 256, 5000, 5000, 512);

    public ClientLimits {
        if (minBytesPerSecond < 0 || stallWindow.isNegative() || stallWindow.isZero()
                || connectionsPerClient < 1 || requestsPerSecond < 1 || requestsPerKeyPerSecond < 1 || openRequestsPerKey < 1) {
            throw new IllegalArgumentException("client limits must be positive: " + minBytesPerSecond + " B/s over "
                    + stallWindow + ", " + connectionsPerClient + " connections, " + requestsPerSecond + " requests/s, "
                    + requestsPerKeyPerSecond + " requests/s a key, " + openRequestsPerKey + " open requests a key");
        }
    }
}
