package io.hifadhi.node.config;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Command-line flags. Environment variables are applied by {@link #toConfig} (not by picocli) so
 * the mapping can be tested with an explicit environment.
 */
@Command(name = "hifadhi", mixinStandardHelpOptions = true, version = "hifadhi 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Runs one Hifadhi storage node (S3-compatible, peer-to-peer).%n"
                + "Environment: INSTANCE_NAME, SHARD_KEY, HIFADHI_ACCESS_KEY, HIFADHI_SECRET_KEY (flags win).",
        footer = {"", "As a client of a running node: ls, put, get, rm, cp, mv, info, mkdir, rmdir, locate, share, grant, cache, "
                + "cluster status, node leave|remove, key ... (java -jar hifadhi.jar COMMAND --help)."})
public final class NodeOptions {
    @Option(names = "--name", paramLabel = "NAME", description = "Instance name (env INSTANCE_NAME). Default: generated once and kept in the data directory.")
    String name;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default: ${DEFAULT-VALUE}).", defaultValue = "./hifadhi-data")
    Path dataDir;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default: ${DEFAULT-VALUE}).", defaultValue = "0.0.0.0")
    String bind;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port for S3 and the native API (default: ${DEFAULT-VALUE}).", defaultValue = "7111")
    int httpPort;

    @Option(names = "--cluster-port", paramLabel = "PORT", description = "Cluster port: gossip and node-to-node traffic (default: ${DEFAULT-VALUE}).", defaultValue = "7112")
    int clusterPort;

    @Option(names = "--data-port", paramLabel = "PORT", description = "Chunk data port: peers fetch chunk bytes here; 0 lets the system pick one (default: ${DEFAULT-VALUE}).", defaultValue = "7113")
    int dataPort;

    @Option(names = "--advertise-host", paramLabel = "HOST", description = "Host name or address other nodes use to reach this one (default: the --bind address if specific, else the first non-loopback IPv4 address).")
    String advertiseHost;

    @Option(names = "--join", paramLabel = "HOST:PORT", split = ",", description = "Existing members to join, comma-separated.")
    List<String> join = List.of();

    @Option(names = "--zone", paramLabel = "ZONE", description = "Failure zone (default: ${DEFAULT-VALUE}).", defaultValue = "default")
    String zone;

    @Option(names = "--capacity", paramLabel = "SIZE", description = "Declared capacity, e.g. 500GiB; weighs this node's share of the data (default: the size of the disk holding --data-dir).", defaultValue = "0")
    String capacity;

    @Option(names = "--replication", paramLabel = "N", description = "Replicas per chunk and record (default: ${DEFAULT-VALUE}).", defaultValue = "3")
    int replication;

    @Option(names = "--write-quorum", paramLabel = "W", description = "Acks needed for a write (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int writeQuorum;

    @Option(names = "--read-quorum", paramLabel = "R", description = "Replies needed for a read (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int readQuorum;

    @Option(names = "--chunk-size", paramLabel = "SIZE", description = "Chunk size, 64KiB..64MiB (default: ${DEFAULT-VALUE}).", defaultValue = "4MiB")
    String chunkSize;

    @Option(names = "--max-object-size", paramLabel = "SIZE", description = "Largest object accepted (default: ${DEFAULT-VALUE}).", defaultValue = "5TiB")
    String maxObjectSize;

    @Option(names = "--shard-key", paramLabel = "KEY", description = "Cluster secret (env SHARD_KEY; prefer the environment: flags show in ps).")
    String shardKey;

    @Option(names = "--access-key", paramLabel = "KEY", description = "Bootstrap S3 access key (env HIFADHI_ACCESS_KEY).")
    String accessKey;

    @Option(names = "--secret-key", paramLabel = "KEY", description = "Bootstrap S3 secret key (env HIFADHI_SECRET_KEY).")
    String secretKey;

    @Option(names = "--region", paramLabel = "REGION", description = "Region S3 clients sign for (default: ${DEFAULT-VALUE}).", defaultValue = "us-east-1")
    String region;

    @Option(names = "--s3-domain", paramLabel = "DOMAIN", split = ",", description = "Domain(s) for virtual-host-style S3: bucket.DOMAIN names a bucket.")
    List<String> s3Domains = List.of();

    @Option(names = "--trusted-proxies", paramLabel = "CIDR", split = ",", description = "Reverse proxies (IPs or CIDR networks, IPv4/IPv6, comma-separated) whose X-Forwarded-For/Forwarded headers name the client; from anyone else those headers are ignored (default: none).")
    List<String> trustedProxies = List.of();

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain: serve HTTPS instead of HTTP (with --tls-key).")
    java.nio.file.Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM PKCS#8 private key of --tls-cert.")
    java.nio.file.Path tlsKey;

    @Option(names = "--client-min-rate", paramLabel = "SIZE", description = "Slowest transfer a client may keep the node waiting on, per second: a request body that trickles in more slowly, or a response read more slowly, averaged over --client-stall-window of waiting, gets its connection closed (default: ${DEFAULT-VALUE}).", defaultValue = "1KiB")
    String clientMinRate;

    @Option(names = "--client-stall-window", paramLabel = "SECONDS", description = "Waiting time the --client-min-rate average is taken over; also the longest a client that sends or reads nothing keeps its connection, and the longest a refused connection lingers, reading the rest of its body so that the client reads the error (default: ${DEFAULT-VALUE}).", defaultValue = "30")
    double clientStallWindow;

    @Option(names = "--client-connections", paramLabel = "N", description = "Open connections one client address may have; more are answered 503 with Retry-After (default: ${DEFAULT-VALUE}). Trusted proxies are not limited.", defaultValue = "256")
    int clientConnections;

    @Option(names = "--client-request-rate", paramLabel = "N", description = "Requests one client address may start per second, bursts of as many again; more are answered 503 with Retry-After (default: ${DEFAULT-VALUE}).", defaultValue = "5000")
    int clientRequestRate;

    @Option(names = "--key-request-rate", paramLabel = "N", description = "S3 requests one access key may make per second, from all its addresses together, bursts of as many again; more are answered 503 SlowDown with Retry-After (default: ${DEFAULT-VALUE}).", defaultValue = "5000")
    int keyRequestRate;

    @Option(names = "--key-connections", paramLabel = "N", description = "S3 requests one access key may have open (being served) at once, from all its addresses together; more are answered 503 SlowDown with Retry-After (default: ${DEFAULT-VALUE}).", defaultValue = "512")
    int keyConnections;

    @Option(names = "--max-buckets-per-key", paramLabel = "N", description = "S3 buckets one access key may own; CreateBucket beyond it answers TooManyBuckets (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int maxBucketsPerKey;

    @Option(names = "--max-uploads-per-object", paramLabel = "N", description = "S3 multipart uploads one object key may have open at once; CreateMultipartUpload beyond it answers TooManyUploads (default: ${DEFAULT-VALUE}).", defaultValue = "100")
    int maxUploadsPerObject;

    @Option(names = "--max-uploads-per-key", paramLabel = "N", description = "S3 multipart uploads one access key may have open at once, in all buckets; CreateMultipartUpload beyond it answers TooManyUploads (default: ${DEFAULT-VALUE}). Exact for creates through one node; creates racing through several nodes may pass it by a few.", defaultValue = "10000")
    int maxUploadsPerKey;

    @Option(names = "--dead-after", paramLabel = "DURATION", description = "How long a node may stay unreachable before the cluster removes it and re-creates its copies elsewhere, e.g. 10m, 2h; at least 10s (default: ${DEFAULT-VALUE}).", defaultValue = "10m")
    String deadAfter;

    @Option(names = "--transfer-rate", paramLabel = "SIZE", description = "Bytes per second this node spends moving data when nodes join, leave or are removed, e.g. 50MiB; 0 = no limit (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    String transferRate;

    @Option(names = "--fsync", paramLabel = "BOOL", arity = "1", description = "fsync data before acknowledging writes (default: ${DEFAULT-VALUE}).", defaultValue = "true")
    String fsync;

    @Option(names = "--cache-size", paramLabel = "SIZE", description = "Bound of the chunk cache on disk (read-through copies and hot objects' extra copies, under DATA-DIR/cache); 0 keeps none (default: ${DEFAULT-VALUE}).", defaultValue = "1GiB")
    String cacheSize;

    @Option(names = "--hot-spreading", paramLabel = "BOOL", arity = "1", description = "Push hot objects' chunks to ring neighbours past their replicas (default: ${DEFAULT-VALUE}).", defaultValue = "true")
    String hotSpreading;

    @Option(names = "--hot-threshold", paramLabel = "READS/S", description = "An object read through this node more often than this is hot (default: ${DEFAULT-VALUE}).", defaultValue = "20")
    double hotThreshold;

    @Option(names = "--hot-node-load", paramLabel = "REQUESTS/S", description = "Above this many requests/s this node is loaded and spreads objects at a quarter of --hot-threshold too (default: ${DEFAULT-VALUE}).", defaultValue = "500")
    double hotNodeLoad;

    @Option(names = "--hot-cool-down", paramLabel = "SECONDS", description = "A hot object read at less than half --hot-threshold for this long loses its extra copies (default: ${DEFAULT-VALUE}).", defaultValue = "60")
    double hotCoolDown;

    @Option(names = "--hot-copies", paramLabel = "N", description = "Extra copies of a hot object's chunks, 1..16 (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int hotCopies;

    @Option(names = "--gc-grace", paramLabel = "DURATION", description = "How long a chunk no object or upload references stays on disk after it was last written, before it is deleted; e.g. 30s, 10m, 1h (default: ${DEFAULT-VALUE}).", defaultValue = "10m")
    String gcGrace;

    @Option(names = "--multipart-expiry", paramLabel = "DURATION", description = "Multipart uploads not completed this long after they began are aborted and their parts' space freed (default: ${DEFAULT-VALUE}).", defaultValue = "7d")
    String multipartExpiry;

    @Option(names = "--lifecycle-interval", paramLabel = "DURATION", description = "Pause between two expiry passes, which delete native files past their expires_in and objects S3 lifecycle rules expire, and abort the uploads those rules abandon (default: ${DEFAULT-VALUE}).", defaultValue = "10m")
    String lifecycleInterval;

    @Option(names = "--lifecycle-day", paramLabel = "DURATION", description = "For testing only: the length of the 'day' S3 lifecycle rules count in (default: ${DEFAULT-VALUE}).", defaultValue = "1d")
    String lifecycleDay;

    @Option(names = "--scrub-interval", paramLabel = "DURATION", description = "Pause between two scrub passes, which re-hash every chunk file with SHA-256 and replace a damaged one with a replica's copy (default: ${DEFAULT-VALUE}).", defaultValue = "7d")
    String scrubInterval;

    @Option(names = "--scrub-rate", paramLabel = "SIZE", description = "Bytes per second a scrub pass reads at most; 0 = no limit (default: ${DEFAULT-VALUE}).", defaultValue = "32MiB")
    String scrubRate;

    /** @throws IllegalArgumentException with a message naming the bad flag */
    public NodeConfig toConfig(Map<String, String> env) {
        boolean fsyncValue = switch (fsync.toLowerCase()) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("--fsync must be true or false, got '" + fsync + "'");
        };
        long chunk = size("--chunk-size", chunkSize);
        boolean spreading = switch (hotSpreading.toLowerCase()) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("--hot-spreading must be true or false, got '" + hotSpreading + "'");
        };
        if (!(hotCoolDown > 0) || hotCoolDown > 86_400) {
            throw new IllegalArgumentException("--hot-cool-down must be between 0 and 86400 seconds, got " + hotCoolDown);
        }
        io.hifadhi.node.cache.CacheSettings cache = new io.hifadhi.node.cache.CacheSettings(size("--cache-size", cacheSize),
                spreading, hotThreshold, hotNodeLoad, java.time.Duration.ofMillis(Math.round(hotCoolDown * 1000)), hotCopies);
        if (chunk > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--chunk-size must be between 64KiB and 64MiB");
        }
        if (!(clientStallWindow >= 0.05 && clientStallWindow <= 86400)) {
            throw new IllegalArgumentException("--client-stall-window must be between 0.05 and 86400 seconds");
        }
        if (clientConnections < 1 || clientRequestRate < 1 || keyRequestRate < 1 || keyConnections < 1) {
            throw new IllegalArgumentException("--client-connections, --client-request-rate, --key-request-rate and --key-connections must be at least 1");
        }
        if (maxBucketsPerKey < 1 || maxUploadsPerObject < 1 || maxUploadsPerKey < 1) {
            throw new IllegalArgumentException("--max-buckets-per-key, --max-uploads-per-object and --max-uploads-per-key must be at least 1");
        }
        io.hifadhi.api.ClientLimits limits = new io.hifadhi.api.ClientLimits(size("--client-min-rate", clientMinRate),
                java.time.Duration.ofMillis(Math.round(clientStallWindow * 1000)), clientConnections, clientRequestRate, keyRequestRate,
                keyConnections);
        return NodeConfig.builder(dataDir)
                .name(firstNonNull(name, env.get("INSTANCE_NAME")))
                .bindAddress(bind)
                .httpPort(httpPort)
                .clusterPort(clusterPort)
                .dataPort(dataPort)
                .advertiseHost(advertiseHost)
                .join(join.stream().map(String::trim).filter(s -> !s.isEmpty()).toList())
                .zone(zone)
                .capacityBytes(size("--capacity", capacity))
                .replication(replication)
                .writeQuorum(writeQuorum)
                .readQuorum(readQuorum)
                .chunkSize((int) chunk)
                .maxObjectSize(size("--max-object-size", maxObjectSize))
                .shardKey(firstNonNull(shardKey, env.get("SHARD_KEY")))
                .accessKey(firstNonNull(accessKey, env.get("HIFADHI_ACCESS_KEY")))
                .secretKey(firstNonNull(secretKey, env.get("HIFADHI_SECRET_KEY")))
                .fsync(fsyncValue)
                .s3Region(region == null ? NodeConfig.DEFAULT_S3_REGION : region)
                .s3Domains(s3Domains.stream().map(String::trim).filter(d -> !d.isEmpty()).toList())
                .trustedProxies(trustedProxies.stream().map(String::trim).filter(p -> !p.isEmpty()).toList())
                .tls(tlsCert, tlsKey)
                .clientLimits(limits)
                .s3Quotas(new io.hifadhi.api.s3.S3Quotas(maxBucketsPerKey, maxUploadsPerObject, maxUploadsPerKey))
                .deadAfter(duration("--dead-after", deadAfter))
                .transferRate(size("--transfer-rate", transferRate))
                .cache(cache)
                .gcGraceMillis(duration("--gc-grace", gcGrace).toMillis())
                .multipartExpiryMillis(duration("--multipart-expiry", multipartExpiry).toMillis())
                .lifecycle(new LifecycleSettings(duration("--lifecycle-day", lifecycleDay).toMillis(),
                        duration("--lifecycle-interval", lifecycleInterval).toMillis()))
                .scrub(new ScrubSettings(duration("--scrub-interval", scrubInterval).toMillis(), size("--scrub-rate", scrubRate)))
                .build();
    }

    static java.time.Duration duration(String flag, String value) {
        String d = value.trim().toLowerCase(java.util.Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)").matcher(d);
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + ": '" + value + "' is not a duration like 30s, 10m, 2h or 1d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> java.time.Duration.ofMillis(n);
            case "s" -> java.time.Duration.ofSeconds(n);
            case "m" -> java.time.Duration.ofMinutes(n);
            case "h" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofDays(n);
        };
    }

    private static long size(String flag, String value) {
        try {
            return Sizes.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    private static String firstNonNull(String... values) {
        return Arrays.stream(values).filter(v -> v != null && !v.isEmpty()).findFirst().orElse(null);
    }
}
