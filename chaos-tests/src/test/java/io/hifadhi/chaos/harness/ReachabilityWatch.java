package io.hifadhi.chaos.harness;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Polls the other members' {@code /api/v1/cluster} every {@code interval} while one node is
 * faulted, and remembers per observer when it first showed the target {@code reachable:false} and,
 * after that, when it first showed it reachable again. This is detection as the cluster sees it,
 * not as a client sees it.
 */
public final class ReachabilityWatch implements AutoCloseable {
    private final ClusterAdmin admin;
    private final String target;
    private final List<NodeProcess> observers;
    private final Duration interval;
    private final Map<String, Long> firstUnreachable = new ConcurrentHashMap<>();
    private final Map<String, Long> firstReachableAgain = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stop;

    public ReachabilityWatch(ClusterAdmin admin, NodeProcess target, List<NodeProcess> observers, Duration interval) {
        this.admin = admin;
        this.target = target.name();
        this.observers = List.copyOf(observers);
        this.interval = interval;
        this.thread = new Thread(this::run, "chaos-watch-" + target.name());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        // Bounded: at most an hour of polling even if nobody closes the watch.
        long deadline = System.nanoTime() + Duration.ofHours(1).toNanos();
        while (!stop && System.nanoTime() < deadline) {
            for (NodeProcess o : observers) {
                if (!o.alive() || o.paused()) {
                    continue;
                }
                Optional<Map<String, ClusterAdmin.Member>> view = admin.members(o, Duration.ofMillis(800));
                long now = System.nanoTime();
                view.map(v -> v.get(target)).ifPresent(m -> {
                    if (!m.reachable()) {
                        firstUnreachable.putIfAbsent(o.name(), now);
                    } else if (firstUnreachable.containsKey(o.name())) {
                        firstReachableAgain.putIfAbsent(o.name(), now);
                    }
                });
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Earliest moment any observer showed the target unreachable, or 0 if none did. */
    public long firstUnreachableNanos() {
        return firstUnreachable.values().stream().mapToLong(Long::longValue).min().orElse(0);
    }

    /** Moment the last observer that had lost the target showed it reachable again, or 0 if some never did. */
    public long allReachableAgainNanos() {
        if (firstUnreachable.isEmpty() || !firstReachableAgain.keySet().containsAll(firstUnreachable.keySet())) {
            return 0;
        }
        return firstReachableAgain.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Per observer: first unreachable sighting, in nanoTime (for the report). */
    public Map<String, Long> unreachableByObserver() {
        return Map.copyOf(firstUnreachable);
    }

    /** Waits until every observer that lost the target sees it again, or {@code max} passes. */
    public boolean awaitReachableAgain(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (allReachableAgainNanos() > 0) {
                return true;
            }
            Thread.sleep(interval.toMillis());
        }
        return false;
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
