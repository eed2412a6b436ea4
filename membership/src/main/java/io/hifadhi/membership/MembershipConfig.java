package io.hifadhi.membership;

import com.google.common.net.HostAndPort;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How to start a member.
 *
 * @param memberId        this node's id (unique in the cluster)
 * @param bindHost        interface the cluster port binds to (e.g. 0.0.0.0)
 * @param port            cluster (Atomix messaging) port
 * @param advertiseHost   host other members use to reach the cluster port
 * @param join            seeds to join; empty starts a new cluster
 * @param clusterSecret   the cluster secret (SHARD_KEY) bytes; never logged
 * @param settings        cluster settings; must equal the cluster's
 * @param httpAddress     {@code host:port} of this node's HTTP API, gossiped
 * @param dataAddress     {@code host:port} of this node's chunk data port, gossiped; empty for none
 * @param zone            failure zone, gossiped
 * @param capacityBytes   declared capacity, gossiped
 * @param failureDetector failure detector tuning
 * @param joinTimeout     how long start() keeps trying the seeds before giving up
 */
public record MembershipConfig(String memberId, String bindHost, int port, String advertiseHost,
                               List<HostAndPort> join, byte[] clusterSecret, ClusterSettings settings,
                               String httpAddress, String dataAddress, String zone, long capacityBytes,
                               FailureDetectorSettings failureDetector, Duration joinTimeout) {

    public MembershipConfig {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(advertiseHost, "advertiseHost");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(httpAddress, "httpAddress");
        Objects.requireNonNull(dataAddress, "dataAddress");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(failureDetector, "failureDetector");
        Objects.requireNonNull(joinTimeout, "joinTimeout");
        if (memberId.isBlank() || memberId.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            throw new IllegalArgumentException("member id must be non-blank without spaces or control characters");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("cluster port must be in 1..65535, was " + port);
        }
        if (clusterSecret == null || clusterSecret.length < 8) {
            throw new IllegalArgumentException("the cluster secret must have at least 8 bytes");
        }
        clusterSecret = clusterSecret.clone();
        join = join == null ? List.of() : List.copyOf(join);
        for (HostAndPort seed : join) {
            if (!seed.hasPort()) {
                throw new IllegalArgumentException("join address needs a port: " + seed);
            }
        }
    }

    @Override
    public byte[] clusterSecret() {
        return clusterSecret.clone();
    }

    /** Parses {@code host:port[,host:port...]} as given to {@code --join}; blank means none. */
    public static List<HostAndPort> parseJoin(String spec) {
        List<HostAndPort> out = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            HostAndPort hp;
            try {
                hp = HostAndPort.fromString(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad join address '" + p + "': " + e.getMessage(), e);
            }
            if (!hp.hasPort()) {
                throw new IllegalArgumentException("join address '" + p + "' needs a port (host:port)");
            }
            out.add(hp);
        }
        return out;
    }

    public String clusterAddress() {
        return HostAndPort.fromParts(advertiseHost, port).toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MembershipConfig c && memberId.equals(c.memberId) && bindHost.equals(c.bindHost)
                && port == c.port && advertiseHost.equals(c.advertiseHost) && join.equals(c.join)
                && Arrays.equals(clusterSecret, c.clusterSecret) && settings.equals(c.settings)
                && httpAddress.equals(c.httpAddress) && dataAddress.equals(c.dataAddress) && zone.equals(c.zone)
                && capacityBytes == c.capacityBytes
                && failureDetector.equals(c.failureDetector) && joinTimeout.equals(c.joinTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(memberId, port, advertiseHost);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "MembershipConfig[memberId=" + memberId + ", bind=" + bindHost + ":" + port + ", advertise="
                + advertiseHost + ", join=" + join + ", settings=" + settings + ", http=" + httpAddress
                + ", data=" + dataAddress + ", zone=" + zone + ", capacity=" + capacityBytes + ", fd=" + failureDetector
                + ", joinTimeout=" + joinTimeout + ", clusterSecret=<hidden>]";
    }

    public static Builder builder(String memberId, byte[] clusterSecret) {
        return new Builder(memberId, clusterSecret);
    }

    /** Defaults: bind 0.0.0.0:7112, advertise 127.0.0.1, default settings and failure detector, join timeout 15 s. */
    public static final class Builder {
        private final String memberId;
        private final byte[] secret;
        private String bindHost = "0.0.0.0";
        private int port = 7112;
        private String advertiseHost = "127.0.0.1";
        private List<HostAndPort> join = List.of();
        private ClusterSettings settings = ClusterSettings.defaults();
        private String httpAddress;
        private String dataAddress = "";
        private String zone = "default";
        private long capacityBytes;
        private FailureDetectorSettings fd = FailureDetectorSettings.defaults();
        private Duration joinTimeout = Duration.ofSeconds(15);

        private Builder(String memberId, byte[] secret) {
            this.memberId = memberId;
            this.secret = secret.clone();
        }

        public Builder bindHost(String v) { this.bindHost = v; return this; }
        public Builder port(int v) { this.port = v; return this; }
        public Builder advertiseHost(String v) { this.advertiseHost = v; return this; }
        public Builder join(List<HostAndPort> v) { this.join = v; return this; }
        public Builder settings(ClusterSettings v) { this.settings = v; return this; }
        public Builder httpAddress(String v) { this.httpAddress = v; return this; }
        public Builder dataAddress(String v) { this.dataAddress = v; return this; }
        public Builder zone(String v) { this.zone = v; return this; }
        public Builder capacityBytes(long v) { this.capacityBytes = v; return this; }
        public Builder failureDetector(FailureDetectorSettings v) { this.fd = v; return this; }
        public Builder joinTimeout(Duration v) { this.joinTimeout = v; return this; }

        public MembershipConfig build() {
            String http = httpAddress != null ? httpAddress : advertiseHost + ":7111";
            return new MembershipConfig(memberId, bindHost, port, advertiseHost, join, secret, settings, http, dataAddress, zone,
                    capacityBytes, fd, joinTimeout);
        }
    }
}
