package io.hifadhi.chaos.workload;

import io.hifadhi.chaos.client.StoreClient;
import io.hifadhi.chaos.client.StoreException;
import io.hifadhi.chaos.history.History;
import io.hifadhi.chaos.history.OpType;
import io.hifadhi.chaos.history.Operation;
import io.hifadhi.chaos.history.Outcome;
import io.hifadhi.chaos.history.Payload;
import io.hifadhi.chaos.history.Phase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Concurrent clients issuing writes, overwrites, reads, deletes and listings over a small shared
 * key space, so that keys are overwritten and raced on. Each client sends each operation to the
 * next node in {@code nodes} (round robin); every operation goes into the {@link History}.
 */
public final class Workload {
    static final long BACKOFF_MILLIS = 100;
    private final History history;
    private final List<StoreClient> nodes;
    private final WorkloadConfig config;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    public Workload(History history, List<StoreClient> nodes, WorkloadConfig config) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no nodes to talk to");
        }
        this.history = history;
        this.nodes = List.copyOf(nodes);
        this.config = config;
    }

    public synchronized void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        long deadline = System.nanoTime() + config.duration().toNanos();
        for (int c = 0; c < config.clients(); c++) {
            int client = c;
            Thread t = new Thread(() -> runClient(client, deadline), "chaos-client-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Asks clients to stop after their current operation. */
    public void stop() {
        stopRequested.set(true);
    }

    public synchronized boolean running() {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    /** Waits for every client to finish; false if some still ran when {@code max} passed. */
    public boolean await(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        return threads.stream().noneMatch(Thread::isAlive);
    }

    private void runClient(int client, long deadline) {
        SplittableRandom random = new SplittableRandom(config.seed() * 1_000_003L + client);
        int next = client % nodes.size();
        for (long n = 0; n < config.maxOpsPerClient() && System.nanoTime() < deadline && !stopRequested.get(); n++) {
            int node = next;
            next = (next + 1) % nodes.size();
            StoreClient store = nodes.get(node);
            String key = config.key(random.nextInt(config.keys()));
            OpType type = pick(random, store);
            Operation op = switch (type) {
                case WRITE -> write(client, node, store, key, random);
                case READ -> Probes.read(history, client, node, Phase.WORKLOAD, store, key);
                case DELETE -> delete(client, node, store, key);
                case LIST -> Probes.list(history, client, node, Phase.WORKLOAD, store);
            };
            history.add(op);
            if (!op.ok()) {
                // Like a real client, back off instead of hammering a node that is down.
                sleep(BACKOFF_MILLIS);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private OpType pick(SplittableRandom random, StoreClient store) {
        int total = config.writeWeight() + config.readWeight() + config.deleteWeight() + config.listWeight();
        int r = random.nextInt(total);
        OpType type;
        if ((r -= config.writeWeight()) < 0) {
            type = OpType.WRITE;
        } else if ((r -= config.readWeight()) < 0) {
            type = OpType.READ;
        } else if (r - config.deleteWeight() < 0) {
            type = OpType.DELETE;
        } else {
            type = OpType.LIST;
        }
        return store.supports(type) ? type : OpType.READ;
    }

    private Operation write(int client, int node, StoreClient store, String key, SplittableRandom random) {
        long writeId = history.newWriteId();
        int size = Math.max(Payload.minSize(key, writeId), config.minSize() + random.nextInt(config.maxSize() - config.minSize() + 1));
        byte[] body = Payload.body(key, writeId, size);
        long start = System.nanoTime();
        long wall = System.currentTimeMillis();
        try {
            store.put(key, body);
            return history.endingNow(client, node, Phase.WORKLOAD, OpType.WRITE, key, writeId, start, wall, Outcome.OK, null, null, null);
        } catch (StoreException e) {
            return history.endingNow(client, node, Phase.WORKLOAD, OpType.WRITE, key, writeId, start, wall, mutationOutcome(e), e.getMessage(), null, null);
        }
    }

    private Operation delete(int client, int node, StoreClient store, String key) {
        long start = System.nanoTime();
        long wall = System.currentTimeMillis();
        try {
            store.delete(key);
            return history.endingNow(client, node, Phase.WORKLOAD, OpType.DELETE, key, 0, start, wall, Outcome.OK, null, null, null);
        } catch (StoreException e) {
            return history.endingNow(client, node, Phase.WORKLOAD, OpType.DELETE, key, 0, start, wall, mutationOutcome(e), e.getMessage(), null, null);
        }
    }

    /**
     * A timeout, a cut connection or an answer saying the write may still take effect leaves a mutation's effect
     * unknown; any other error answer or a refused connection means not applied.
     */
    static Outcome mutationOutcome(StoreException e) {
        return e.kind() == StoreException.Kind.NO_ANSWER || e.kind() == StoreException.Kind.OUTCOME_UNKNOWN
                ? Outcome.INDETERMINATE : Outcome.FAILED;
    }
}
