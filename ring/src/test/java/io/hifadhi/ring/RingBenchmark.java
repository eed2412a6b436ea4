package io.hifadhi.ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;

/**
 * Prints balance, movement, lookup time and memory of the ring. Not a unit test: run it with
 * {@code mvn -q -pl ring test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.hifadhi.ring.RingBenchmark} (see ring/README.md). Timings are medians of several
 * runs after warmup. Optional system properties: {@code bench.sizes} (default 10,100,1000),
 * {@code bench.sweep} (base vnode counts to compare at 100 members, default 128,...,4096; "none" skips).
 */
public final class RingBenchmark {

    private static final String[] ZONES = {"zone-a", "zone-b", "zone-c"};
    private static final int REPLICATION = 3;
    private static final int TIMED_RUNS = 7;
    private static final int WARMUP_RUNS = 3;
    private static final int LOOKUP_KEYS = 1 << 20;

    /** Sink that keeps the JIT from discarding lookups. */
    static volatile long sink;

    private RingBenchmark() {
    }

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        int[] sizes = ints(System.getProperty("bench.sizes", "10,100,1000"));
        String sweep = System.getProperty("bench.sweep", "128,256,512,1024,2048,4096");
        System.out.printf("Hifadhi ring benchmark: Java %s, %d cores, default base vnodes %d, %d zones, n=%d%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                RingSettings.DEFAULT_BASE_VNODES, ZONES.length, REPLICATION);
        System.out.println();
        System.out.println("| members | tokens | token arrays | build ms | own max/mean | own min/mean | own stddev/mean"
                + " | n=3 max/mean | join moved/ideal (mean, max) | join n=3 copies/ideal (max) | plan ms (join, n=3) | leave moved/ideal (mean, max)"
                + " | primary ns | pref n=3 ns (indexes) | pref n=3 ns (list) | pref n=3+2 ns (list) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (int size : sizes) {
            report(size);
        }
        System.out.println();
        keyHashCost();
        if (!sweep.equals("none")) {
            System.out.println();
            baseSweep(ints(sweep), 100, Integer.getInteger("bench.sets", 20));
        }
    }

    private static void report(int size) {
        List<Member> members = cluster(size);
        double[] buildMs = new double[size >= 1000 ? 3 : 5];
        Ring ring = null;
        for (int w = 0; w < (size >= 1000 ? 1 : 5); w++) {
            Ring.of(members); // warmup
        }
        for (int r = 0; r < buildMs.length; r++) {
            long t0 = System.nanoTime();
            ring = Ring.of(members);
            buildMs[r] = (System.nanoTime() - t0) / 1e6;
        }
        Stats primary = Stats.of(ring.ownership(1));
        Stats replica = Stats.of(ring.ownership(REPLICATION));

        int trials = size >= 1000 ? 5 : 10;
        double[] join = new double[trials];
        double[] joinCopies = new double[trials];
        double[] planMs = new double[trials];
        for (int t = 0; t < trials; t++) {
            Member joiner = Member.of("joiner-" + t, ZONES[t % ZONES.length]);
            Ring grown = ring.with(joiner);
            TransferPlan p1 = TransferPlan.between(ring, grown, 1);
            long t0 = System.nanoTime();
            TransferPlan p3 = TransferPlan.between(ring, grown, REPLICATION);
            planMs[t] = (System.nanoTime() - t0) / 1e6;
            requireOnlyTarget(p1, joiner.id());
            requireOnlyTarget(p3, joiner.id());
            join[t] = p1.movedFraction() * (size + 1);
            joinCopies[t] = p3.movedReplicaFraction() * (size + 1);
        }
        double[] leave = new double[trials];
        for (int t = 0; t < trials; t++) {
            Member leaver = members.get(t * size / trials);
            TransferPlan p1 = TransferPlan.between(ring, ring.without(leaver.id()), 1);
            leave[t] = p1.movedFraction() * size;
        }

        long[] keys = new SplittableRandom(42).longs(LOOKUP_KEYS).toArray();
        final Ring r = ring;
        int[] scratch = new int[REPLICATION];
        double primaryNs = time(keys, k -> r.primaryIndex(k));
        double indexesNs = time(keys, k -> r.preferenceIndexes(k, REPLICATION, 0, scratch) + scratch[0]);
        double listNs = time(keys, k -> r.preferenceList(k, REPLICATION).replicas().size());
        double fallbackNs = time(keys, k -> r.preferenceList(k, REPLICATION, 2).fallbacks().size());

        System.out.printf("| %d | %d | %s | %.1f | %.3f | %.3f | %.3f | %.3f | %.3f, %.3f | %.3f | %.0f | %.3f, %.3f | %.0f | %.0f | %.0f | %.0f |%n",
                size, ring.tokenCount(), bytes(ring.tokenArrayBytes()), median(buildMs),
                primary.maxOverMean, primary.minOverMean, primary.stddevOverMean, replica.maxOverMean,
                mean(join), max(join), max(joinCopies), median(planMs), mean(leave), max(leave),
                primaryNs, indexesNs, listNs, fallbackNs);
    }

    private static void keyHashCost() {
        String[] objectKeys = new String[1 << 18];
        for (int i = 0; i < objectKeys.length; i++) {
            objectKeys[i] = "photos/2024/holiday/IMG_" + i + ".jpg";
        }
        byte[][] chunkIds = new byte[1 << 18][];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < chunkIds.length; i++) {
            chunkIds[i] = new byte[32];
            random.nextBytes(chunkIds[i]);
        }
        double[] objectNs = new double[TIMED_RUNS];
        double[] chunkNs = new double[TIMED_RUNS];
        for (int run = -WARMUP_RUNS; run < TIMED_RUNS; run++) {
            long acc = 0;
            long t0 = System.nanoTime();
            for (String key : objectKeys) {
                acc += KeyHash.ofObject("my-bucket", key);
            }
            long t1 = System.nanoTime();
            for (byte[] id : chunkIds) {
                acc += KeyHash.ofChunk(id);
            }
            long t2 = System.nanoTime();
            sink += acc;
            if (run >= 0) {
                objectNs[run] = (double) (t1 - t0) / objectKeys.length;
                chunkNs[run] = (double) (t2 - t1) / chunkIds.length;
            }
        }
        System.out.printf("KeyHash.ofObject (SHA-256 of a ~40-byte key): %.0f ns/key; KeyHash.ofChunk: %.1f ns/key%n",
                median(objectNs), median(chunkNs));
    }

    /** Balance, movement and memory for several base vnode counts over random member sets. */
    private static void baseSweep(int[] bases, int size, int sets) {
        System.out.printf("Base vnode sweep: %d members, %d random member-id sets each (ownership = exact share of the hash space)%n",
                size, sets);
        System.out.println("| base vnodes | own max/mean median | own max/mean worst | sets over 1.10 | join moved/ideal median | join moved/ideal worst"
                + " | token arrays at 100 | token arrays at 1000 | build ms at 100 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (int base : bases) {
            RingSettings settings = RingSettings.withBaseVnodes(base);
            SplittableRandom random = new SplittableRandom(1000 + base);
            double[] maxOverMean = new double[sets];
            double[] joinRatio = new double[sets];
            double[] buildMs = new double[sets];
            int over = 0;
            Ring ring = null;
            for (int s = 0; s < sets; s++) {
                List<Member> members = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    members.add(Member.of("n-" + Long.toHexString(random.nextLong()), ZONES[i % ZONES.length]));
                }
                long t0 = System.nanoTime();
                ring = Ring.of(members, settings);
                buildMs[s] = (System.nanoTime() - t0) / 1e6;
                maxOverMean[s] = Stats.of(ring.ownership(1)).maxOverMean;
                if (maxOverMean[s] > 1.10) {
                    over++;
                }
                Member joiner = Member.of("j-" + Long.toHexString(random.nextLong()), ZONES[s % ZONES.length]);
                joinRatio[s] = TransferPlan.between(ring, ring.with(joiner), 1).movedFraction() * (size + 1);
            }
            long tokensAt1000 = (long) base * 1000;
            long bucketsAt1000 = Long.highestOneBit(tokensAt1000 / 16) + 1;
            long at1000 = 3 * 16 + tokensAt1000 * 12 + bucketsAt1000 * 4;
            System.out.printf("| %d | %.3f | %.3f | %d/%d | %.3f | %.3f | %s | %s | %.1f |%n",
                    base, median(maxOverMean), max(maxOverMean), over, sets, median(joinRatio), max(joinRatio),
                    bytes(ring.tokenArrayBytes()), bytes(at1000), median(buildMs));
        }
    }

    private static void requireOnlyTarget(TransferPlan plan, String id) {
        for (RangeTransfer t : plan.transfers()) {
            if (t.targets().size() != 1 || !t.targets().get(0).id().equals(id)) {
                throw new IllegalStateException("join moved data to someone else: " + t);
            }
        }
    }

    private static double time(long[] keys, LongUnaryOperator op) {
        double[] ns = new double[TIMED_RUNS];
        for (int run = -WARMUP_RUNS; run < TIMED_RUNS; run++) {
            long acc = 0;
            long t0 = System.nanoTime();
            for (long k : keys) {
                acc += op.applyAsLong(k);
            }
            long elapsed = System.nanoTime() - t0;
            sink += acc;
            if (run >= 0) {
                ns[run] = (double) elapsed / keys.length;
            }
        }
        return median(ns);
    }

    static List<Member> cluster(int size) {
        List<Member> members = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            members.add(Member.of(String.format("node-%04d", i), ZONES[i % ZONES.length]));
        }
        return members;
    }

    private record Stats(double maxOverMean, double minOverMean, double stddevOverMean) {
        static Stats of(double[] shares) {
            double mean = Arrays.stream(shares).average().orElse(0);
            double max = Arrays.stream(shares).max().orElse(0);
            double min = Arrays.stream(shares).min().orElse(0);
            double var = Arrays.stream(shares).map(x -> (x - mean) * (x - mean)).sum() / shares.length;
            return new Stats(max / mean, min / mean, Math.sqrt(var) / mean);
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(0);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    private static String bytes(long b) {
        return b >= 1 << 20 ? String.format("%.1f MiB", b / 1048576.0) : String.format("%.0f KiB", b / 1024.0);
    }
}
