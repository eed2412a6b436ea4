package io.hifadhi.api;

import io.hifadhi.api.auth.AccessPolicy;
import io.hifadhi.api.auth.Presigning;
import io.hifadhi.api.nativeapi.ClusterMemberStatus;
import io.hifadhi.api.s3.S3Backend;
import io.hifadhi.api.store.ObjectStore;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The collaborators the HTTP surface talks to.
 *
 * @param cluster        the cluster members this node knows, itself included (membership plugs in here)
 * @param metricsText    Prometheus text exposition served at /metrics
 * @param s3             the S3 endpoint's collaborators, or null to serve no S3
 * @param presigning     what POST /api/v1/presign signs links with, or null to offer no presigning
 */
public record ApiContext(String instanceName, ObjectStore store, AccessPolicy nativeAccess,
                         Supplier<List<ClusterMemberStatus>> cluster, ApiMetrics metrics, Supplier<String> metricsText,
                         Clock clock, Instant startedAt, S3Backend s3, Presigning presigning) {

    /** A context without presigning. */
    public ApiContext(String instanceName, ObjectStore store, AccessPolicy nativeAccess,
                      Supplier<List<ClusterMemberStatus>> cluster, ApiMetrics metrics, Supplier<String> metricsText,
                      Clock clock, Instant startedAt, S3Backend s3) {
        this(instanceName, store, nativeAccess, cluster, metrics, metricsText, clock, startedAt, s3, null);
    }

    /** A context without S3. */
    public ApiContext(String instanceName, ObjectStore store, AccessPolicy nativeAccess,
                      Supplier<List<ClusterMemberStatus>> cluster, ApiMetrics metrics, Supplier<String> metricsText,
                      Clock clock, Instant startedAt) {
        this(instanceName, store, nativeAccess, cluster, metrics, metricsText, clock, startedAt, null, null);
    }

    public ApiContext {
        Objects.requireNonNull(instanceName);
        Objects.requireNonNull(store);
        Objects.requireNonNull(nativeAccess);
        Objects.requireNonNull(cluster);
        Objects.requireNonNull(metrics);
        Objects.requireNonNull(metricsText);
        Objects.requireNonNull(clock);
        Objects.requireNonNull(startedAt);
    }
}
