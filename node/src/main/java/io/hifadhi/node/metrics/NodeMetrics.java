package io.hifadhi.node.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.hifadhi.api.ApiMetrics;
import io.hifadhi.membership.MemberState;
import io.hifadhi.membership.Membership;
import io.hifadhi.membership.MembershipStats;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The node's metrics registry. Meters (not bare counters) so the same numbers can feed the load
 * digest that membership gossips later.
 */
public final class NodeMetrics implements ApiMetrics {
    private final MetricRegistry registry = new MetricRegistry();
    /** Each endpoint's metrics, found once: composing their names on every request cost more than counting it. */
    private final ConcurrentHashMap<String, EndpointMetrics> endpoints = new ConcurrentHashMap<>();

    /** What one endpoint's requests count into; {@code requests} by status. */
    private record EndpointMetrics(Timer duration, Meter received, Meter sent, ConcurrentHashMap<Integer, Meter> requests) {
    }

    public NodeMetrics(long startedAtMillis) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        registry.register("hifadhi_uptime_seconds", (Gauge<Double>) () -> (System.currentTimeMillis() - startedAtMillis) / 1000.0);
        registry.register("jvm_memory_heap_used_bytes", (Gauge<Long>) () -> memory.getHeapMemoryUsage().getUsed());
        registry.register("jvm_memory_heap_max_bytes", (Gauge<Long>) () -> memory.getHeapMemoryUsage().getMax());
    }

    public MetricRegistry registry() {
        return registry;
    }

    @Override
    public void requestCompleted(String endpoint, int status, long nanos, long bytesIn, long bytesOut) {
        EndpointMetrics m = endpoints.computeIfAbsent(endpoint, this::endpointMetrics);
        m.requests().computeIfAbsent(status, s -> registry.meter(MetricNames.of("hifadhi_http_requests", "endpoint", endpoint,
                "status", Integer.toString(s)))).mark();
        m.duration().update(nanos, TimeUnit.NANOSECONDS);
        if (bytesIn > 0) {
            m.received().mark(bytesIn);
        }
        if (bytesOut > 0) {
            m.sent().mark(bytesOut);
        }
    }

    private EndpointMetrics endpointMetrics(String endpoint) {
        return new EndpointMetrics(registry.timer(MetricNames.of("hifadhi_http_request_duration_seconds", "endpoint", endpoint)),
                registry.meter(MetricNames.of("hifadhi_http_received_bytes", "endpoint", endpoint)),
                registry.meter(MetricNames.of("hifadhi_http_sent_bytes", "endpoint", endpoint)), new ConcurrentHashMap<>());
    }

    public Timer storeTimer(String operation) {
        return registry.timer(MetricNames.of("hifadhi_store_operation_duration_seconds", "op", operation));
    }

    /** Requests per second over the last minute, all endpoints: the load this node gossips. */
    public double requestRate() {
        return oneMinuteRate("hifadhi_http_requests");
    }

    public double bytesInRate() {
        return oneMinuteRate("hifadhi_http_received_bytes");
    }

    public double bytesOutRate() {
        return oneMinuteRate("hifadhi_http_sent_bytes");
    }

    private double oneMinuteRate(String family) {
        double sum = 0;
        for (var e : registry.getMeters((name, metric) -> name.equals(family) || name.startsWith(family + "{")).entrySet()) {
            sum += e.getValue().getOneMinuteRate();
        }
        return sum;
    }

    /**
     * Membership figures: members by state and reachability, suspicions and refutations, ping round trips, and the
     * membership protocol's own messages and bytes.
     */
    public void membership(Membership membership) {
        MembershipStats stats = membership.stats();
        for (MemberState state : MemberState.values()) {
            for (boolean reachable : new boolean[] {true, false}) {
                registry.register(MetricNames.of("hifadhi_membership_members", "state", state.name().toLowerCase(),
                        "reachability", reachable ? "reachable" : "unreachable"), (Gauge<Long>) () -> membership.view().all()
                        .stream().filter(m -> m.metadata().state() == state && m.isReachable() == reachable).count());
            }
        }
        counter("hifadhi_membership_suspicions", stats::suspicions);
        counter("hifadhi_membership_refutations", stats::refutations);
        counter(MetricNames.of("hifadhi_membership_messages", "direction", "sent"), stats::messagesSent);
        counter(MetricNames.of("hifadhi_membership_messages", "direction", "received"), stats::messagesReceived);
        counter(MetricNames.of("hifadhi_membership_bytes", "direction", "sent"), stats::bytesSent);
        counter(MetricNames.of("hifadhi_membership_bytes", "direction", "received"), stats::bytesReceived);
        Timer rtt = registry.timer("hifadhi_membership_ping_rtt_seconds");
        stats.onPingRoundTrip(nanos -> rtt.update(nanos, TimeUnit.NANOSECONDS));
    }

    /** Tombstones this node holds of a replicated table: deletes the tombstone collector has not dropped yet. */
    public void tableTombstones(String table, LongSupplier count) {
        registry.register(MetricNames.of("hifadhi_table_tombstones", "table", table), (Gauge<Long>) count::getAsLong);
    }

    /** A counter whose value lives elsewhere (exported with {@code _total}, typed counter). */
    public void counter(String name, LongSupplier value) {
        registry.register(name, new Counter() {
            @Override
            public long getCount() {
                return value.getAsLong();
            }
        });
    }

    public String prometheusText() {
        return PrometheusText.format(registry);
    }
}
