package io.hifadhi.api;

import java.time.Duration;

/**
 * Listener and protocol limits.
 *
 * @param maxObjectSize      largest object body accepted (S3's limit, 5 TiB, by default)
 * @param maxHeaderBytes     largest request header block
 * @param requestParseTimeout time allowed to send a request's headers
 * @param noRequestTimeout   how long an idle keep-alive connection waits for its next request
 * @param idleTimeout        how long a connection may sit without any read or write mid-request
 * @param workerThreads      Undertow's worker threads: requests without a body (GET, HEAD, DELETE, listings) and
 *                           downloads resumed once their client made room; few, as these work on the CPU
 * @param bodyThreads        threads for requests that send a body (PUT, POST, parts), which wait on their clients'
 *                           bytes and on fsync: see {@link ApiServer}
 * @param tls                the HTTPS identity, or null for plain HTTP
 * @param limits             what one client may take: connections, request rate, minimum transfer rate
 */
public record ApiSettings(String bindAddress, int port, long maxObjectSize, int maxHeaderBytes,
                          Duration requestParseTimeout, Duration noRequestTimeout, Duration idleTimeout,
                          int ioThreads, int workerThreads, int bodyThreads, javax.net.ssl.SSLContext tls,
                          ClientLimits limits) {
    public static final long FIVE_TIB = 5L << 40;

    public static ApiSettings defaults(String bindAddress, int port) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ApiSettings(bindAddress, port, FIVE_TIB, 64 * 1024, Duration.ofSeconds(30),
                Duration.ofMinutes(2), Duration.ofMinutes(5), Math.max(2, cores), Math.max(4, cores * 2), Math.max(16, cores * 8), null, ClientLimits.DEFAULTS);
    }

    public ApiSettings withMaxObjectSize(long bytes) {
        return new ApiSettings(bindAddress, port, bytes, maxHeaderBytes, requestParseTimeout, noRequestTimeout,
                idleTimeout, ioThreads, workerThreads, bodyThreads, tls, limits);
    }

    public ApiSettings withTls(javax.net.ssl.SSLContext context) {
        return new ApiSettings(bindAddress, port, maxObjectSize, maxHeaderBytes, requestParseTimeout, noRequestTimeout,
                idleTimeout, ioThreads, workerThreads, bodyThreads, context, limits);
    }

    public ApiSettings withLimits(ClientLimits clientLimits) {
        return new ApiSettings(bindAddress, port, maxObjectSize, maxHeaderBytes, requestParseTimeout, noRequestTimeout,
                idleTimeout, ioThreads, workerThreads, bodyThreads, tls, clientLimits);
    }
}
