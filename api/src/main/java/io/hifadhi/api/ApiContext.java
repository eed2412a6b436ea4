package io.hifadhi.api;

import io.hifadhi.api.auth.AccessPolicy;
import io.hifadhi.api.nativeapi.ClusterMemberStatus;
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
 */
public record ApiContext(String instanceName, ObjectStore store, AccessPolicy nativeAccess,
                         Supplier<List<ClusterMemberStatus>> cluster, ApiMetrics metrics, Supplier<String> metricsText,
                         Clock clock, Instant startedAt) {
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
