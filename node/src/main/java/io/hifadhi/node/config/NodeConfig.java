package io.hifadhi.node.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything a node is started with. Secrets may be null, meaning "use the ones in the data
 * directory, or generate them on first start". Build with {@link #builder(Path)}.
 *
 * @param name          instance name, or null for the persisted/generated one
 * @param dataPort      the chunk data port, where peers fetch chunk bytes (0: one the system picks, gossiped)
 * @param capacityBytes declared capacity (weights ring placement later); 0 = unknown
 * @param fsync         false relaxes durability (no fsync of chunks, no synced WAL); never the default
 * @param s3Region      the region S3 clients sign for (one per cluster)
 * @param s3Domains     domains under which virtual-host-style S3 requests name the bucket ("bucket.domain")
 * @param trustedProxies addresses/CIDR networks whose X-Forwarded-For / Forwarded headers are believed
 * @param tlsCert       PEM certificate chain for HTTPS, or null for plain HTTP (set with tlsKey)
 * @param tlsKey        PEM PKCS#8 private key of tlsCert, or null
 * @param clientLimits  what one client may take: connections and requests per address, minimum transfer rate
 * @param s3Quotas      buckets an S3 key may own, multipart uploads an object key may have open
 * @param deadAfter     how long an owner may stay unreachable before it is removed from the layout (its data re-replicated)
 * @param transferRate  bytes per second a node spends moving data after a layout change; 0 = no limit
 * @param cache         the chunk cache and hot-object spreading
 * @param gcGraceMillis how long an unreferenced chunk stays after it was last put before it is collected
 * @param multipartExpiryMillis age after which a multipart upload not completed is aborted
 * @param lifecycle     the expiry pass (native {@code expires_in}, S3 lifecycle rules)
 * @param scrub         the background SHA-256 pass over the chunk files
 * @param keyLeaseTtl   how long a conditional write's lease on its key runs, and how long a node that has just become a
 *                      key's coordinator waits before it grants one (shorter only in tests)
 */
public record NodeConfig(String name, Path dataDir, String bindAddress, int httpPort, int clusterPort, int dataPort,
                         String advertiseHost, List<String> join, String zone, long capacityBytes,
                         int replication, int writeQuorum, int readQuorum, int chunkSize,
                         String shardKey, String accessKey, String secretKey, boolean fsync, long maxObjectSize,
                         String s3Region, List<String> s3Domains, List<String> trustedProxies,
                         Path tlsCert, Path tlsKey, io.hifadhi.api.ClientLimits clientLimits,
                         io.hifadhi.api.s3.S3Quotas s3Quotas, java.time.Duration deadAfter, long transferRate,
                         io.hifadhi.node.cache.CacheSettings cache, long gcGraceMillis, long multipartExpiryMillis,
                         LifecycleSettings lifecycle, ScrubSettings scrub, java.time.Duration keyLeaseTtl) {

    public static final int DEFAULT_HTTP_PORT = 7111;
    public static final int DEFAULT_CLUSTER_PORT = 7112;
    public static final int DEFAULT_DATA_PORT = 7113;
    public static final int DEFAULT_CHUNK_SIZE = 4 << 20;
    public static final int MIN_CHUNK_SIZE = 64 << 10;
    public static final int MAX_CHUNK_SIZE = 64 << 20;
    public static final String DEFAULT_S3_REGION = "us-east-1";
    public static final java.time.Duration DEFAULT_DEAD_AFTER = java.time.Duration.ofMinutes(10);
    public static final java.time.Duration MIN_DEAD_AFTER = java.time.Duration.ofSeconds(10);
    public static final long DEFAULT_GC_GRACE_MILLIS = 10 * 60_000;
    /** Shorter graces are for tests; the write barrier assumes a record write takes well under a quarter of it. */
    public static final long MIN_GC_GRACE_MILLIS = 1_000;
    public static final long DEFAULT_MULTIPART_EXPIRY_MILLIS = 7 * 86_400_000L;
    /** Far longer than a check and a record write (replicas time out after 5 s), so a live holder never loses its lease. */
    public static final java.time.Duration DEFAULT_KEY_LEASE_TTL = java.time.Duration.ofSeconds(30);
    static final Pattern S3_REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    static final Pattern S3_DOMAIN = Pattern.compile("(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public NodeConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(clientLimits, "clientLimits");
        Objects.requireNonNull(s3Quotas, "s3Quotas");
        Objects.requireNonNull(lifecycle, "lifecycle");
        Objects.requireNonNull(scrub, "scrub");
        join = List.copyOf(join);
        s3Domains = List.copyOf(s3Domains);
        trustedProxies = List.copyOf(trustedProxies);
        for (String p : trustedProxies) {
            try {
                io.hifadhi.api.auth.Cidr.parse(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--trusted-proxies: " + e.getMessage());
            }
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both for HTTPS, or neither");
        }
        Objects.requireNonNull(deadAfter, "deadAfter");
        if (deadAfter.compareTo(MIN_DEAD_AFTER) < 0) {
            throw new IllegalArgumentException("--dead-after must be at least " + MIN_DEAD_AFTER.toSeconds()
                    + "s: a shorter wait would remove nodes that are only restarting");
        }
        if (transferRate < 0) {
            throw new IllegalArgumentException("--transfer-rate must not be negative (0 means no limit)");
        }
        Objects.requireNonNull(s3Region, "s3Region");
        Objects.requireNonNull(cache, "cache");
        if (!S3_REGION.matcher(s3Region).matches()) {
            throw new IllegalArgumentException("--region must look like us-east-1 (lower-case letters, digits and '-'), got '" + s3Region + "'");
        }
        for (String d : s3Domains) {
            if (!S3_DOMAIN.matcher(d).matches()) {
                throw new IllegalArgumentException("--s3-domain must be a host name such as s3.example.com, got '" + d + "'");
            }
        }
        if (name != null && !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("instance name '" + name + "' must be 1-63 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        checkPort("--http-port", httpPort);
        checkPort("--cluster-port", clusterPort);
        checkPort("--data-port", dataPort);
        if (httpPort != 0 && httpPort == clusterPort) {
            throw new IllegalArgumentException("--http-port and --cluster-port must differ");
        }
        if (dataPort != 0 && (dataPort == httpPort || dataPort == clusterPort)) {
            throw new IllegalArgumentException("--data-port must differ from --http-port and --cluster-port");
        }
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("--chunk-size must be between 64KiB and 64MiB");
        }
        if (replication < 1 || writeQuorum < 1 || readQuorum < 1 || writeQuorum > replication || readQuorum > replication) {
            throw new IllegalArgumentException("need 1 <= --write-quorum, --read-quorum <= --replication");
        }
        if (capacityBytes < 0 || maxObjectSize < 1) {
            throw new IllegalArgumentException("--capacity must be >= 0 and the maximum object size >= 1");
        }
        for (String[] secret : new String[][]{{"--shard-key", shardKey}, {"--access-key", accessKey}, {"--secret-key", secretKey}}) {
            if (secret[1] != null && (secret[1].length() < 8 || secret[1].chars().anyMatch(c -> c <= 0x20 || c >= 0x7f))) {
                throw new IllegalArgumentException(secret[0] + " must be at least 8 printable ASCII characters without spaces");
            }
        }
        if (gcGraceMillis < MIN_GC_GRACE_MILLIS) {
            throw new IllegalArgumentException("--gc-grace must be at least 1s, got " + gcGraceMillis + " ms");
        }
        if (multipartExpiryMillis < 1_000) {
            throw new IllegalArgumentException("--multipart-expiry must be at least 1s, got " + multipartExpiryMillis + " ms");
        }
        Objects.requireNonNull(keyLeaseTtl, "keyLeaseTtl");
        if (keyLeaseTtl.compareTo(java.time.Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("the key lease TTL must be at least 1s, got " + keyLeaseTtl.toMillis() + " ms");
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("give --access-key and --secret-key together");
        }
    }

    private static void checkPort(String flag, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(flag + " must be between 0 and 65535, got " + port);
        }
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** Mutable only while assembling; {@link #build()} validates. */
    public static final class Builder {
        private String name;
        private Path dataDir;
        private String bindAddress = "0.0.0.0";
        private int httpPort = DEFAULT_HTTP_PORT;
        private int clusterPort = DEFAULT_CLUSTER_PORT;
        /** The system picks one unless set: nodes built in one process (tests) must not share a port. */
        private int dataPort;
        private String advertiseHost;
        private List<String> join = List.of();
        private String zone = "default";
        private long capacityBytes;
        private int replication = 3;
        private int writeQuorum = 2;
        private int readQuorum = 2;
        private int chunkSize = DEFAULT_CHUNK_SIZE;
        private String shardKey;
        private String accessKey;
        private String secretKey;
        private boolean fsync = true;
        private long gcGraceMillis = DEFAULT_GC_GRACE_MILLIS;
        private long multipartExpiryMillis = DEFAULT_MULTIPART_EXPIRY_MILLIS;
        private long maxObjectSize = 5L << 40;
        private String s3Region = DEFAULT_S3_REGION;
        private List<String> s3Domains = List.of();
        private List<String> trustedProxies = List.of();
        private Path tlsCert;
        private Path tlsKey;
        private io.hifadhi.api.ClientLimits clientLimits = io.hifadhi.api.ClientLimits.DEFAULTS;
        private io.hifadhi.api.s3.S3Quotas s3Quotas = io.hifadhi.api.s3.S3Quotas.DEFAULTS;
        private java.time.Duration deadAfter = DEFAULT_DEAD_AFTER;
        private long transferRate;
        private io.hifadhi.node.cache.CacheSettings cache = io.hifadhi.node.cache.CacheSettings.DEFAULTS;
        private LifecycleSettings lifecycle = LifecycleSettings.DEFAULTS;
        private ScrubSettings scrub = ScrubSettings.DEFAULTS;
        private java.time.Duration keyLeaseTtl = DEFAULT_KEY_LEASE_TTL;

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        public Builder name(String v) { name = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder bindAddress(String v) { bindAddress = v; return this; }
        public Builder httpPort(int v) { httpPort = v; return this; }
        public Builder clusterPort(int v) { clusterPort = v; return this; }
        public Builder dataPort(int v) { dataPort = v; return this; }
        public Builder advertiseHost(String v) { advertiseHost = v; return this; }
        public Builder join(List<String> v) { join = v; return this; }
        public Builder zone(String v) { zone = v; return this; }
        public Builder capacityBytes(long v) { capacityBytes = v; return this; }
        public Builder replication(int v) { replication = v; return this; }
        public Builder writeQuorum(int v) { writeQuorum = v; return this; }
        public Builder readQuorum(int v) { readQuorum = v; return this; }
        public Builder chunkSize(int v) { chunkSize = v; return this; }
        public Builder shardKey(String v) { shardKey = v; return this; }
        public Builder accessKey(String v) { accessKey = v; return this; }
        public Builder secretKey(String v) { secretKey = v; return this; }
        public Builder fsync(boolean v) { fsync = v; return this; }
        public Builder maxObjectSize(long v) { maxObjectSize = v; return this; }
        public Builder s3Region(String v) { s3Region = v; return this; }
        public Builder s3Domains(List<String> v) { s3Domains = v; return this; }
        public Builder trustedProxies(List<String> v) { trustedProxies = v; return this; }
        public Builder tls(Path cert, Path key) { tlsCert = cert; tlsKey = key; return this; }
        public Builder clientLimits(io.hifadhi.api.ClientLimits v) { clientLimits = v; return this; }
        public Builder s3Quotas(io.hifadhi.api.s3.S3Quotas v) { s3Quotas = v; return this; }
        public Builder deadAfter(java.time.Duration v) { deadAfter = v; return this; }
        public Builder transferRate(long v) { transferRate = v; return this; }
        public Builder cache(io.hifadhi.node.cache.CacheSettings v) { cache = v; return this; }
        public Builder gcGraceMillis(long v) { gcGraceMillis = v; return this; }
        public Builder multipartExpiryMillis(long v) { multipartExpiryMillis = v; return this; }
        public Builder lifecycle(LifecycleSettings v) { lifecycle = v; return this; }
        public Builder scrub(ScrubSettings v) { scrub = v; return this; }
        public Builder keyLeaseTtl(java.time.Duration v) { keyLeaseTtl = v; return this; }

        public NodeConfig build() {
            return new NodeConfig(name, dataDir, bindAddress, httpPort, clusterPort, dataPort, advertiseHost, join, zone,
                    capacityBytes, replication, writeQuorum, readQuorum, chunkSize, shardKey, accessKey, secretKey,
                    fsync, maxObjectSize, s3Region, s3Domains, trustedProxies, tlsCert, tlsKey, clientLimits, s3Quotas, deadAfter, transferRate, cache,
                    gcGraceMillis, multipartExpiryMillis, lifecycle, scrub, keyLeaseTtl);
        }
    }

    /** Secrets never reach logs through toString. */
    @Override
    public String toString() {
        return "NodeConfig[name=" + name + ", dataDir=" + dataDir + ", bind=" + bindAddress + ", httpPort=" + httpPort
                + ", clusterPort=" + clusterPort + ", dataPort=" + dataPort + ", advertiseHost=" + advertiseHost + ", join=" + join + ", zone=" + zone
                + ", capacity=" + capacityBytes + ", replication=" + replication + ", W=" + writeQuorum + ", R=" + readQuorum
                + ", chunkSize=" + chunkSize + ", fsync=" + fsync + ", maxObjectSize=" + maxObjectSize
                + ", s3Region=" + s3Region + ", s3Domains=" + s3Domains + ", trustedProxies=" + trustedProxies
                + ", tls=" + (tlsCert == null ? "off" : tlsCert) + ", clientLimits=" + clientLimits + ", s3Quotas=" + s3Quotas + ", deadAfter=" + deadAfter + ", transferRate=" + transferRate + ", cache=" + cache
                + ", gcGrace=" + gcGraceMillis + "ms, multipartExpiry=" + multipartExpiryMillis + "ms, lifecycle=" + lifecycle + ", scrub=" + scrub + ", keyLeaseTtl=" + keyLeaseTtl
                + ", shardKey=" + (shardKey == null ? "unset" : "***") + ", accessKey=" + (accessKey == null ? "unset" : accessKey) + "]";
    }
}
