package io.hifadhi.api;

import io.hifadhi.api.auth.AccessPolicy;
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
 */
public record ApiContext(String instanceName, ObjectStore store, AccessPolicy nativeAccess,
                         Supplier<List<ClusterMemberStatus>> cluster, ApiMetrics metrics, Supplier<String> metricsText,
                         Clock clock, Instant startedAt, S3Backend s3) {

    /** A context without S3. */
    public ApiContext(String instanceName, ObjectStore store, AccessPolicy nativeAccess,
                      Supplier<List<ClusterMemberStatus>> cluster, ApiMetrics metrics, Supplier<String> metricsText,
                      Clock clock, Instant startedAt) {
        this(instanceName, store, nativeAccess, cluster, metrics, metricsText, clock, startedAt, null);
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
