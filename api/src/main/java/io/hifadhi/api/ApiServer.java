package io.hifadhi.api;

import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.HeaderBlock;
import io.hifadhi.api.http.ObjectResponder;
import io.hifadhi.api.nativeapi.ClusterHandler;
import io.hifadhi.api.nativeapi.HealthHandler;
import io.hifadhi.api.nativeapi.MetricsHandler;
import io.hifadhi.api.nativeapi.RetrieveHandler;
import io.hifadhi.api.nativeapi.StoreHandler;
import io.hifadhi.api.s3.S3Router;
import io.hifadhi.api.s3.S3Services;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.jboss.threads.EnhancedQueueExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;

import java.net.InetSocketAddress;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The node's HTTP listener: routing, limits, accounting. Handlers live in their own packages. */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final String NATIVE = "/api/v1/";
    static final String UI = "/ui/";
    static final io.undertow.util.HttpString NOSNIFF = new io.undertow.util.HttpString("X-Content-Type-Options");

    private final ApiSettings settings;
    private final ApiContext context;
    private Undertow undertow;
    private volatile io.hifadhi.api.nativeapi.ObjectLocator locator;
    private volatile io.hifadhi.api.s3.GrantPolicy grants;
    private volatile io.hifadhi.api.nativeapi.KeyRegistry keys;
    private volatile io.hifadhi.api.auth.ClientAddress clients = io.hifadhi.api.auth.ClientAddress.direct();
    private ProgressWatchdog watchdog;
    private ProbePool probes;
    /** Requests that send a body: see {@link #guarded(String, HttpHandler, ProbePool)}. */
    private EnhancedQueueExecutor bodies;
    /** Refusals by the client limits are logged at most once a second, or they would flood the log themselves. */
    private final io.hifadhi.api.http.RefusalLog refusals = new io.hifadhi.api.http.RefusalLog(LOG);
    /** Request bodies that failed on the wire: their own budget of one WARN line a second. */
    private final io.hifadhi.api.http.RefusalLog bodyRefusals = new io.hifadhi.api.http.RefusalLog(LOG);
    private volatile io.hifadhi.api.nativeapi.ClusterAdmin clusterAdmin;
    private volatile io.hifadhi.api.nativeapi.CacheControl cache;
    /** The request router, for the console's admin calls (set before the listener starts). */
    private volatile HttpHandler nativeRoutes;
    /** Connections whose request body was refused unread are closed after the client has read the answer. */
    private final LingeringClose lingering;

    public ApiServer(ApiSettings settings, ApiContext context) {
        this.settings = settings;
        this.context = context;
        this.lingering = LingeringClose.within(settings.limits());
    }

    /** How many refused connections linger before their close, and what they sent meanwhile (for /metrics). */
    public LingeringClose lingering() {
        return lingering;
    }

    public synchronized void start() {
        AddressLimiter limiter = new AddressLimiter(settings.limits(), clients);
        io.hifadhi.api.http.RequestRate<String> keyRate = new io.hifadhi.api.http.RequestRate<>(settings.limits().requestsPerKeyPerSecond());
        watchdog = new ProgressWatchdog(settings.limits(), () -> {
            limiter.sweep();
            keyRate.sweep();
        });
        // Health and metrics have their own two threads: they answer while every worker is busy with data.
        probes = new ProbePool(2, 256);
        bodies = new EnhancedQueueExecutor.Builder()
                .setCorePoolSize(settings.bodyThreads())
                .setMaximumPoolSize(settings.bodyThreads())
                .setThreadFactory(new BodyThreads())
                .build();
        HttpHandler health = guarded("health", new HealthHandler(context), probes);
        HttpHandler cluster = guarded("cluster", new ClusterHandler(context, () -> clusterAdmin));
        HttpHandler store = guarded("store", new StoreHandler(context, settings.maxObjectSize()));
        ObjectResponder responder = new ObjectResponder();
        HttpHandler retrieve = guarded("retrieve", new RetrieveHandler(context, responder, RetrieveHandler.Mode.ATTACHMENT));
        HttpHandler stream = guarded("stream", new RetrieveHandler(context, responder, RetrieveHandler.Mode.INLINE));
        HttpHandler metrics = guarded("metrics", new MetricsHandler(context.metricsText()), probes);
        S3Router s3Router = context.s3() == null ? null : new S3Router(new S3Services(context.store(),
                context.s3().uploads(), context.s3().buckets(), context.s3().settings(), context.clock()), context.s3().secrets(),
                context.s3().permissions(), context.s3().keys()).grants(grants).clients(clients).maxHeaderBytes(settings.maxHeaderBytes()).keyRate(keyRate)
                .keyOpenRequests(new io.hifadhi.api.http.OpenRequests<>(settings.limits().openRequestsPerKey()));
        HttpHandler s3 = s3Router == null ? null : guarded("s3", s3Router);
        HttpHandler locate = guarded("locate", new io.hifadhi.api.nativeapi.LocateHandler(context, () -> locator));
        HttpHandler presign = guarded("presign", new io.hifadhi.api.nativeapi.PresignHandler(context));
        HttpHandler upload = guarded("store", new io.hifadhi.api.nativeapi.UploadHandler(context, settings.maxObjectSize()));
        HttpHandler grant = guarded("grant", new io.hifadhi.api.nativeapi.GrantHandler(context,
                () -> grants == null ? null : grants.store()));
        HttpHandler keyAdmin = guarded("keys", new io.hifadhi.api.nativeapi.KeysHandler(context, () -> keys));
        HttpHandler files = guarded("files", new io.hifadhi.api.nativeapi.FileHandler(context, () -> locator,
                () -> grants == null ? null : grants.store()));
        HttpHandler transfer = guarded("transfer", new io.hifadhi.api.nativeapi.TransferHandler(context,
                () -> grants == null ? null : grants.store()));
        HttpHandler cacheAdmin = guarded("cache", new io.hifadhi.api.nativeapi.CacheHandler(context, () -> cache));
        HttpHandler dirs = guarded("dirs", new io.hifadhi.api.nativeapi.DirectoryHandler(context));
        HttpHandler console = guarded("console", new io.hifadhi.api.console.ConsoleHandler(context,
                new io.hifadhi.api.console.ConsoleSessions(context.clock(), java.time.Duration.ofHours(8), 10_000),
                s3, exchange -> nativeRoutes.handleRequest(exchange)));

        HttpHandler routes = exchange -> {
            // DECODE_URL is off: the path is raw, and handlers decode their own parameters strictly.
            String path = exchange.getRequestPath();
            long headerBytes = HeaderBlock.size(exchange.getRequestHeaders());
            if (headerBytes > settings.maxHeaderBytes() && (path.startsWith("/api/") || path.equals("/metrics"))) {
                exchange.putAttachment(Endpoint.NAME, "unknown");
                ApiErrors.send(exchange, 431, "headers_too_large", "The request's headers take " + headerBytes
                        + " bytes; the limit is " + settings.maxHeaderBytes() + ".", "Send fewer or shorter headers.");
                return;
            }
            HttpHandler target;
            if (path.equals(NATIVE + "health")) {
                target = health;
            } else if (path.equals(NATIVE + "cluster") || path.startsWith(NATIVE + "cluster/")) {
                target = cluster;
            } else if (path.equals(NATIVE + "store")) {
                target = store;
            } else if (path.startsWith(NATIVE + "store/")) {
                target = upload;
            } else if (path.equals(NATIVE + "presign")) {
                target = presign;
            } else if (path.startsWith(NATIVE + "retrieve/")) {
                target = retrieve;
            } else if (path.startsWith(NATIVE + "stream/")) {
                target = stream;
            } else if (path.startsWith(NATIVE + "locate/")) {
                target = locate;
            } else if (path.equals(io.hifadhi.api.nativeapi.GrantHandler.GRANT_PATH)
                    || path.startsWith(io.hifadhi.api.nativeapi.GrantHandler.LIST_PREFIX)) {
                target = grant;
            } else if (path.equals(io.hifadhi.api.nativeapi.KeysHandler.PREFIX)
                    || path.startsWith(io.hifadhi.api.nativeapi.KeysHandler.PREFIX + "/")) {
                target = keyAdmin;
            } else if (path.startsWith(io.hifadhi.api.nativeapi.FileHandler.PREFIX)) {
                target = files;
            } else if (path.equals(io.hifadhi.api.nativeapi.TransferHandler.COPY_PATH)
                    || path.equals(io.hifadhi.api.nativeapi.TransferHandler.MOVE_PATH)) {
                target = transfer;
            } else if (path.equals(io.hifadhi.api.nativeapi.CacheHandler.PATH)) {
                target = cacheAdmin;
            } else if (path.startsWith(io.hifadhi.api.nativeapi.DirectoryHandler.PREFIX)) {
                target = dirs;
            } else if (path.equals("/metrics")) {
                target = metrics;
            } else if (path.startsWith(UI) || path.equals("/ui")) {
                target = console;
            } else if (io.hifadhi.api.console.ConsoleHandler.isBrowserVisit(exchange)) {
                exchange.putAttachment(Endpoint.NAME, "console");
                io.hifadhi.api.console.ConsoleHandler.redirectToConsole(exchange);
                return;
            } else if (s3 != null && !path.startsWith("/api/")) {
                // Everything outside the native API (all of /api/), metrics and the console is S3, path or
                // virtual-host style; the bucket names "api", "metrics" and "ui" are reserved for that reason.
                target = s3;
            } else {
                exchange.putAttachment(Endpoint.NAME, "unknown");
                ApiErrors.send(exchange, 404, "not_found", "No endpoint at " + safe(path) + ".",
                        "Native endpoints: /api/v1/health, /api/v1/cluster, /api/v1/cluster/leave, /api/v1/cluster/remove/<node>, /api/v1/store, /api/v1/store/<query>, /api/v1/presign, /api/v1/retrieve/<query>, /api/v1/stream/<query>, /api/v1/locate/<query>, /api/v1/files/<query>, /api/v1/copy, /api/v1/move, /api/v1/dirs/<dir>, /api/v1/keys, /api/v1/grant, /api/v1/grants/<query>, /api/v1/cache; metrics: /metrics.");
                return;
            }
            target.handleRequest(exchange);
        };
        nativeRoutes = routes;
        // Four pool buffers (64 KiB with Undertow's default 16 KiB buffers) of a body before a worker is given.
        HttpHandler gated = new BodyStartGate(Handlers.httpContinueRead(exchange -> {
            // Marked again inside: commit listeners run last-added first, and the 100-continue handler's would shut
            // the socket's input for a request refused before its 100 (a client sending the body anyway got a reset).
            lingering.markUnreadBodies(exchange);
            routes.handleRequest(exchange);
        }), 4, exchange -> {
            if (s3Router == null || isNative(exchange.getRequestPath()) || !s3Router.refusedBadBody(exchange)) {
                refusedBadBody("request", exchange);
            }
        });
        HttpHandler root = lingering.around(accounting(limited(limiter, gated)));

        Undertow.Builder builder = Undertow.builder();
        if (settings.tls() != null) {
            builder.addHttpsListener(settings.port(), settings.bindAddress(), settings.tls());
        } else {
            builder.addHttpListener(settings.port(), settings.bindAddress());
        }
        undertow = builder
                .setIoThreads(settings.ioThreads())
                .setWorkerThreads(settings.workerThreads())
                .setServerOption(UndertowOptions.DECODE_URL, false)
                // Parse up to 4x the limit, so that a block over it gets an answer saying so (below, and in
                // S3Router); beyond that Undertow can only close the connection with a bare 400.
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, settings.maxHeaderBytes() * 4)
                // The object limit is enforced on the file part itself; this only bounds the envelope.
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, maxEntitySize())
                .setServerOption(UndertowOptions.MAX_PARAMETERS, 1000)
                .setServerOption(UndertowOptions.MAX_HEADERS, 200)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) settings.requestParseTimeout().toMillis())
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int) settings.noRequestTimeout().toMillis())
                .setServerOption(UndertowOptions.IDLE_TIMEOUT, (int) settings.idleTimeout().toMillis())
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                .setSocketOption(Options.REUSE_ADDRESSES, true)
                .setHandler(root)
                .build();
        undertow.start();
        LOG.info("HTTP listening on {}:{}", settings.bindAddress(), port());
    }

    /** Serves /api/v1/locate with this locator (the node's replicated store); without one it answers 503. */
    public void locator(io.hifadhi.api.nativeapi.ObjectLocator locator) {
        this.locator = locator;
    }

    /** Serves /api/v1/keys with this registry (the node's access key table); without one it answers 503. */
    /** The cluster layout behind /api/v1/cluster's layout, rebalance, leave and remove. */
    public void clusterAdmin(io.hifadhi.api.nativeapi.ClusterAdmin admin) {
        this.clusterAdmin = admin;
    }

    public void keys(io.hifadhi.api.nativeapi.KeyRegistry keys) {
        this.keys = keys;
    }

    /** Serves POST /api/v1/cache with this control (the node's hot-object spreading); without one it answers 503. */
    public void cache(io.hifadhi.api.nativeapi.CacheControl cache) {
        this.cache = cache;
    }

    /**
     * IP grants: serves /api/v1/grant and /api/v1/grants/ with the policy's store and lets S3 serve
     * unsigned GET/HEAD to granted addresses. Call before {@link #start()}; without it grants answer 503.
     * (Native retrieve/stream honour grants through the context's access policy.)
     */
    public void grants(io.hifadhi.api.s3.GrantPolicy policy) {
        this.grants = policy;
    }

    /** The bound port (useful when the configured port is 0). */
    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** Who the client is behind trusted proxies, for the per-client limits. Call before {@link #start()}. */
    public void clients(io.hifadhi.api.auth.ClientAddress clientAddress) {
        this.clients = clientAddress;
    }

    @Override
    public synchronized void close() {
        if (watchdog != null) {
            // Uploads blocked on their clients' bytes would hold their threads, and the stop, until the clients moved.
            watchdog.closeAll();
        }
        if (undertow != null) {
            undertow.stop();
            undertow = null;
        }
        if (watchdog != null) {
            watchdog.close();
            watchdog = null;
        }
        if (probes != null) {
            probes.close();
            probes = null;
        }
        if (bodies != null) {
            finishUploads(bodies);
            bodies = null;
        }
    }

    /**
     * Runs first on the I/O thread: every response says nosniff (a browser must never guess HTML into a
     * stored object), the exchange's progress is watched, and a client over its limits is refused
     * before any worker is involved.
     */
    private HttpHandler limited(AddressLimiter limiter, HttpHandler next) {
        return exchange -> {
            exchange.getResponseHeaders().put(NOSNIFF, "nosniff");
            // Before anything reads the body: a malformed chunked body then gets an answer, not just a closed socket.
            ChunkedBodyDecoder.install(exchange);
            // A response sent before its request body was read says Connection: close, as the connection will be
            // closed after lingering rather than drained (NonDrainingExchange): clients then do not reuse it.
            lingering.markUnreadBodies(exchange);
            String path = exchange.getRequestPath();
            watchdog.watch(exchange, String.valueOf(exchange.getSourceAddress()));
            AddressLimiter.Refusal refusal = limiter.admit(exchange);
            if (refusal == null && path.startsWith("/api/") && exchange.getRequestContentLength() > maxEntitySize()) {
                // Said here, before a 100 Continue handler could answer a bare 417 for it.
                exchange.putAttachment(Endpoint.NAME, "refused");
                exchange.setPersistent(false);
                LOG.warn("refused a request body of {} bytes from {} to {}", exchange.getRequestContentLength(),
                        exchange.getSourceAddress(), safe(path));
                ApiErrors.send(exchange, 413, "too_large", "The request body is " + exchange.getRequestContentLength()
                        + " bytes; this node accepts objects of up to " + settings.maxObjectSize() + " bytes.",
                        "Split the file, or raise the node's --max-object-size.");
                return;
            }
            if (refusal == null) {
                next.handleRequest(exchange);
                return;
            }
            exchange.putAttachment(Endpoint.NAME, "refused");
            refusals.warn("refused with 503 (" + refusal.error() + "): " + refusal.message());
            exchange.setPersistent(false);
            exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, Long.toString(refusal.retryAfterSeconds()));
            if (isNative(path)) {
                ApiErrors.send(exchange, 503, refusal.error(), refusal.message(), refusal.hint());
            } else {
                // S3 clients back off on SlowDown.
                exchange.setStatusCode(503);
                exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/xml");
                exchange.getResponseSender().send("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
                        + "<Message>" + refusal.message() + " " + refusal.hint() + "</Message></Error>");
            }
        };
    }

    private HttpHandler accounting(HttpHandler next) {
        ApiMetrics metrics = context.metrics();
        return exchange -> {
            long start = System.nanoTime();
            AtomicLong in = Endpoint.bytesIn(exchange);
            exchange.addExchangeCompleteListener((ex, nextListener) -> {
                try {
                    String name = ex.getAttachment(Endpoint.NAME);
                    metrics.requestCompleted(name == null ? "unknown" : name, ex.getStatusCode(),
                            System.nanoTime() - start, in.get(), ex.getResponseBytesSent());
                } catch (RuntimeException e) {
                    LOG.warn("metrics listener failed", e);
                } finally {
                    nextListener.proceed();
                }
            });
            next.handleRequest(exchange);
        };
    }

    private HttpHandler guarded(String name, HttpHandler handler) {
        return guarded(name, handler, null);
    }

    /**
     * Names the endpoint, moves to a worker thread in blocking mode, and turns stray failures into an answer: a request
     * body the client botched is a 4xx and one WARN line, only a fault of the node's own is a 500 with its stack trace.
     *
     * <p>The thread comes from {@code probes} when given; else a request that sends a body (PUT, POST, an upload's
     * part) runs on the body pool and every other one (GET, HEAD, DELETE, listings) on the I/O worker pool, which is
     * small. Those spend their time on the CPU (signature, lookups, headers; a slow reader holds no thread, see
     * BodyPump), and on two cores many of them running at once cost more in switching than they did in work. Writes
     * need more threads: they wait on their clients' bodies and on fsync. One pool of sixteen for both (until December
     * 2026) ran 4 KiB GETs at 16 clients on sixteen threads; four threads for reads (uploads keeping their sixteen)
     * served more GETs a second at less CPU per GET (node/README.md, "Small GETs, the fourth cut", has the figures).
     */
    private HttpHandler guarded(String name, HttpHandler handler, ProbePool probes) {
        HttpHandler safeHandler = exchange -> {
            try {
                handler.handleRequest(exchange);
            } catch (Exception e) {
                if (e instanceof io.hifadhi.api.store.StoreUnavailableException) {
                    LOG.warn("{}: {}", name, e.getMessage());
                    exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, "2");
                    ApiErrors.send(exchange, 503, "unavailable", e.getMessage(),
                            "Too few nodes are reachable for the cluster's quorum; retry in a few seconds.");
                    return;
                }
                if (io.hifadhi.api.store.DiskFull.causedBy(e)) {
                    LOG.warn("{}: refused, the data disk is full ({})", name, e.getMessage());
                    ApiErrors.send(exchange, 507, "storage_full", "This node's data disk is full; nothing was stored.",
                            "Free space on the disk holding the data directory, or add capacity; writes work again as soon as there is room.");
                    return;
                }
                if (refusedBadBody(name, exchange)) {
                    return;
                }
                if (isClientGone(e) || !exchange.getConnection().isOpen()) {
                    // Also when the progress watchdog closed it under a blocked read or write.
                    LOG.debug("client went away during {}: {}", name, e.toString());
                    org.xnio.IoUtils.safeClose(exchange.getConnection());
                    return;
                }
                LOG.error("{} failed: {}", name, e.toString(), e);
                ApiErrors.send(exchange, 500, "internal_error", "The node failed to handle this request.",
                        "Retry; if it persists, the node's log has the cause.");
            }
        };
        return exchange -> {
            exchange.putAttachment(Endpoint.NAME, name);
            boolean onIoThread = exchange.isInIoThread();
            if (onIoThread && probes != null && !probes.enter()) {
                exchange.setPersistent(false);
                exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, "1");
                refusals.warn("refused with 503 (busy): " + name + " from " + exchange.getSourceAddress()
                        + ", too many probes are waiting already");
                ApiErrors.send(exchange, 503, "busy", "This node has too many " + name + " requests waiting.",
                        "Probe less often; retry after the Retry-After seconds.");
                return;
            }
            exchange.startBlocking(new NonDrainingExchange(exchange));
            if (onIoThread) {
                exchange.dispatch(probes != null ? probes : sendsBody(exchange) ? bodies : null, safeHandler);
            } else {
                safeHandler.handleRequest(exchange);
            }
        };
    }

    /**
     * Lets the uploads still running end before the node closes its stores under them, as Undertow's own stop does with
     * its workers: their connections are closed by then ({@link ProgressWatchdog#closeAll}), so they fail fast.
     * Interrupting them at once could leave a thread inside a database write after the database is closed.
     */
    private static void finishUploads(EnhancedQueueExecutor pool) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("uploads still running 10 s after the HTTP server stopped; interrupting them");
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static boolean sendsBody(HttpServerExchange exchange) {
        return exchange.getRequestContentLength() > 0
                || exchange.getRequestHeaders().contains(io.undertow.util.Headers.TRANSFER_ENCODING);
    }

    /** Threads of the body pool: named for thread dumps and profiles, daemons like Undertow's own workers. */
    private static final class BodyThreads implements ThreadFactory {
        private final AtomicLong made = new AtomicLong();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "hifadhi-body-" + made.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }

    /** Paths answered in JSON (native API, metrics, console); everything else is S3 and answered in XML. */
    private static boolean isNative(String path) {
        return path.startsWith("/api/") || path.equals("/metrics") || path.startsWith(UI) || path.equals("/ui");
    }

    /**
     * When reading the request body failed on the wire (malformed chunking, cut short, over the size
     * limit), answers 400 or 413 and closes the connection, logging one line (at most one a second);
     * false otherwise.
     */
    private boolean refusedBadBody(String name, HttpServerExchange exchange) {
        java.io.IOException fault = io.hifadhi.api.http.RequestBodyFault.of(exchange);
        if (fault == null) {
            return false;
        }
        exchange.setPersistent(false);
        if (io.hifadhi.api.http.RequestBodyFault.tooLarge(exchange)) {
            bodyRefusals.warn(name + ": refused a request body from " + exchange.getSourceAddress() + " over the size limit");
            ApiErrors.send(exchange, 413, "too_large", "The request body is larger than this node accepts.",
                    "Split the file, or raise the node's --max-object-size.");
            return true;
        }
        bodyRefusals.warn(name + ": refused a malformed request body from " + exchange.getSourceAddress() + ": " + fault);
        ApiErrors.send(exchange, 400, "malformed_body", "The request body could not be read: " + fault.getMessage(),
                "Send the body as Content-Length bytes or valid chunked transfer encoding.");
        return true;
    }

    private static boolean isClientGone(Exception e) {
        return e instanceof java.io.IOException && !(e instanceof io.hifadhi.api.store.CorruptDataException)
                && String.valueOf(e.getMessage()).matches("(?i).*(broken pipe|connection reset|closed|UT000128).*");
    }

    private long maxEntitySize() {
        return saturatedAdd(settings.maxObjectSize(), 1L << 20);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < a ? Long.MAX_VALUE : r;
    }

    private static String safe(String path) {
        String p = path.length() > 200 ? path.substring(0, 200) + "..." : path;
        return p.replaceAll("[\\p{Cntrl}]", "?");
    }
}
