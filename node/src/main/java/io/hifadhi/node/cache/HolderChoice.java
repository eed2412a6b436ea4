package io.hifadhi.node.cache;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * Which holder a read asks first: the power of two choices (Mitzenmacher) on the load each member gossips. Two
 * holders drawn at random, the less loaded one first; then the other holders, least loaded first; then the rest of
 * the preference list (stand-ins that may hold a copy as a hint). Asking the least loaded of all would send every
 * reader to the same node between two gossip rounds; two random choices spread them while still avoiding the
 * busiest, and stale load figures hurt them little.
 */
final class HolderChoice {
    private HolderChoice() {
    }

    /**
     * @param walk    the chunk's preference list (replicas first)
     * @param n       how many of {@code walk} are replicas
     * @param extra   known extra holders (hot-object copies)
     * @param usable  nodes that may be asked (reachable, not this node)
     * @param load    a node's gossiped load, lower is better
     */
    static List<String> order(List<String> walk, int n, List<String> extra, Predicate<String> usable,
                              ToDoubleFunction<String> load, RandomGenerator random) {
        Set<String> candidates = new LinkedHashSet<>();
        for (String id : walk.subList(0, Math.min(n, walk.size()))) {
            if (usable.test(id)) {
                candidates.add(id);
            }
        }
        for (String id : extra) {
            if (usable.test(id)) {
                candidates.add(id);
            }
        }
        // Loads read once: gossip may change them while this runs, and a sort needs a consistent order.
        java.util.Map<String, Double> loads = new java.util.HashMap<>();
        candidates.forEach(id -> loads.put(id, load.applyAsDouble(id)));
        List<String> pool = new ArrayList<>(candidates);
        List<String> out = new ArrayList<>(walk.size() + extra.size());
        if (pool.size() >= 2) {
            int i = random.nextInt(pool.size());
            int j = random.nextInt(pool.size() - 1);
            if (j >= i) {
                j++;
            }
            String a = pool.get(i);
            String b = pool.get(j);
            String first = loads.get(b) < loads.get(a) ? b : a;
            out.add(first);
            pool.remove(first);
        }
        pool.sort(java.util.Comparator.comparingDouble(loads::get));
        out.addAll(pool);
        for (String id : walk) {
            if (!out.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }
}
