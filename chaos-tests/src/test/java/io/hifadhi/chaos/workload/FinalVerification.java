package io.hifadhi.chaos.workload;

import io.hifadhi.chaos.client.StoreClient;
import io.hifadhi.chaos.history.History;
import io.hifadhi.chaos.history.Observed;
import io.hifadhi.chaos.history.OpType;
import io.hifadhi.chaos.history.Operation;
import io.hifadhi.chaos.history.Phase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * After faults stop: reads every key the workload touched from every node, round after round,
 * until all nodes return the same thing for every key (or {@code bound} passes). Earlier rounds go
 * into the history as CONVERGENCE reads, the last as FINAL reads (plus a FINAL listing on APIs that
 * list), which is what the checker holds against acknowledged writes.
 */
public final class FinalVerification {

    /** @param millis from the start of verification to the round in which all nodes agreed */
    public record Result(boolean converged, long millis, int rounds, long boundMillis, List<String> disagreements) {
    }

    private final History history;
    private final List<StoreClient> nodes;

    public FinalVerification(History history, List<StoreClient> nodes) {
        this.history = history;
        this.nodes = List.copyOf(nodes);
    }

    public Result run(Duration bound, Duration pauseBetweenRounds) throws InterruptedException {
        Set<String> keys = new TreeSet<>();
        for (Operation op : history.snapshot()) {
            if (op.key() != null) {
                keys.add(op.key());
            }
        }
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        int rounds = 0;
        final int maxRounds = 1000;
        while (true) {
            rounds++;
            List<Operation> round = new ArrayList<>();
            for (int node = 0; node < nodes.size(); node++) {
                for (String key : keys) {
                    round.add(Probes.read(history, -1, node, Phase.FINAL, nodes.get(node), key));
                }
                if (nodes.get(node).supports(OpType.LIST)) {
                    round.add(Probes.list(history, -1, node, Phase.FINAL, nodes.get(node)));
                }
            }
            List<String> disagreements = disagreements(round, keys);
            long now = System.nanoTime();
            boolean last = disagreements.isEmpty() || now >= deadline || rounds >= maxRounds;
            for (Operation op : round) {
                history.add(last ? op : withPhase(op, Phase.CONVERGENCE));
            }
            if (last) {
                return new Result(disagreements.isEmpty(), (now - start) / 1_000_000, rounds, bound.toMillis(),
                        disagreements.stream().limit(20).toList());
            }
            Thread.sleep(pauseBetweenRounds.toMillis());
        }
    }

    /** Keys on which some node failed to answer or nodes answered differently. */
    private List<String> disagreements(List<Operation> round, Set<String> keys) {
        Map<String, Map<Integer, String>> seen = new LinkedHashMap<>();
        List<String> out = new ArrayList<>();
        for (Operation op : round) {
            if (op.type() != OpType.READ) {
                continue;
            }
            if (!op.ok()) {
                out.add(op.key() + ": node " + op.node() + " " + op.outcome() + " (" + op.error() + ")");
                continue;
            }
            seen.computeIfAbsent(op.key(), k -> new LinkedHashMap<>()).put(op.node(), describe(op.observed()));
        }
        for (String key : keys) {
            Map<Integer, String> byNode = seen.getOrDefault(key, Map.of());
            if (byNode.values().stream().distinct().count() > 1) {
                out.add(key + ": " + byNode);
            }
        }
        return out;
    }

    private static String describe(Observed o) {
        return Objects.toString(o);
    }

    private static Operation withPhase(Operation op, Phase phase) {
        return new Operation(op.id(), op.client(), op.node(), phase, op.type(), op.key(), op.writeId(),
                op.startNanos(), op.endNanos(), op.startWallMillis(), op.endWallMillis(), op.outcome(), op.error(),
                op.observed(), op.listed());
    }
}
