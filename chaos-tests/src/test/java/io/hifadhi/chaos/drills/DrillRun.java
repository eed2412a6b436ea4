package io.hifadhi.chaos.drills;

import io.hifadhi.chaos.checker.Anomaly;
import io.hifadhi.chaos.checker.Checker;
import io.hifadhi.chaos.checker.Verdict;
import io.hifadhi.chaos.client.NativeStoreClient;
import io.hifadhi.chaos.client.S3StoreClient;
import io.hifadhi.chaos.client.StoreClient;
import io.hifadhi.chaos.client.StoreException;
import io.hifadhi.chaos.harness.ClusterAdmin;
import io.hifadhi.chaos.harness.ClusterHarness;
import io.hifadhi.chaos.harness.JarLocator;
import io.hifadhi.chaos.harness.NetnsNetwork;
import io.hifadhi.chaos.harness.NodeProcess;
import io.hifadhi.chaos.harness.NodeSpec;
import io.hifadhi.chaos.harness.ReachabilityWatch;
import io.hifadhi.chaos.history.FaultEvent;
import io.hifadhi.chaos.history.History;
import io.hifadhi.chaos.history.Operation;
import io.hifadhi.chaos.report.DrillReport;
import io.hifadhi.chaos.report.ReportBuilder;
import io.hifadhi.chaos.report.ReportWriter;
import io.hifadhi.chaos.workload.FinalVerification;
import io.hifadhi.chaos.workload.Workload;
import io.hifadhi.chaos.workload.WorkloadConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * One drill: a cluster from the jar, one client per node on the chosen API, a history, the faults
 * injected, and at the end the final verification, the checker and the report under
 * {@code target/chaos/<drill>/}.
 */
final class DrillRun implements AutoCloseable {
    static final Duration OP_TIMEOUT = Duration.ofSeconds(3);

    final String drill;
    final String description;
    final ClusterHarness cluster;
    final History history = new History();
    final List<StoreClient> clients = new ArrayList<>();
    final List<FaultEvent> faults = new CopyOnWriteArrayList<>();
    final List<DrillReport.Check> checks = new ArrayList<>();
    final Api api;
    final ClusterAdmin admin;
    /** S3 key prefix (without the trailing slash) or native namespace of this run. */
    final String namespace;
    /** The namespaces the nodes run in, when the drill cuts the network; else null (all on loopback). */
    final NetnsNetwork network;
    /** Each partition from the cut until every member saw every other again: {start, end} in nanoTime. */
    final List<long[]> partitionWindows = new CopyOnWriteArrayList<>();
    private final NodeSpec spec;
    private final Instant startedAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private long workloadStartNanos;
    private Workload workload;

    private DrillRun(String drill, String description, ClusterHarness cluster, NodeSpec spec, NetnsNetwork network,
                     BeforeStart beforeStart) throws Exception {
        this.drill = drill;
        this.network = network;
        this.description = description;
        this.cluster = cluster;
        this.spec = spec;
        beforeStart.prepare(cluster);
        cluster.startAll();
        this.admin = new ClusterAdmin(cluster.shardKey());
        if (cluster.nodes().size() > 1) {
            awaitClusterFormed(Duration.ofSeconds(60));
        }
        this.api = Api.choose(cluster.node(0).baseUri());
        this.namespace = "run-" + Long.toHexString(System.currentTimeMillis());
        for (NodeProcess n : cluster.nodes()) {
            clients.add(api == Api.S3
                    ? new S3StoreClient(n.baseUri(), cluster.accessKey(), cluster.secretKey(), "chaos", namespace + "/", OP_TIMEOUT)
                    : new NativeStoreClient(n.baseUri(), cluster.shardKey(), namespace, OP_TIMEOUT));
        }
        if (api == Api.S3) {
            try {
                ((S3StoreClient) clients.get(0)).ensureBucket();
            } catch (StoreException e) {
                throw new IllegalStateException("cannot create the drill bucket: " + e.getMessage(), e);
            }
        }
    }

    /** Work on the laid-out cluster before any node starts (e.g. mounting a small disk). */
    interface BeforeStart {
        void prepare(ClusterHarness cluster) throws Exception;
    }

    static DrillRun start(String drill, String description, int nodes, NodeSpec spec) throws Exception {
        return start(drill, description, nodes, spec, c -> { });
    }

    static DrillRun start(String drill, String description, int nodes, NodeSpec spec, BeforeStart beforeStart) throws Exception {
        Path dir = outputDir().resolve(drill);
        ClusterHarness cluster = ClusterHarness.create(JarLocator.locate(), dir, nodes, spec);
        try {
            return new DrillRun(drill, description, cluster, spec, null, beforeStart);
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * A drill whose nodes each run in their own network namespace ({@link NetnsNetwork}), so that the
     * drill can partition them; the test JVM reaches every node. Needs root, {@code ip} and {@code nft}.
     */
    static DrillRun startPartitionable(String drill, String description, int nodes, NodeSpec spec) throws Exception {
        Path dir = outputDir().resolve(drill);
        NetnsNetwork network = NetnsNetwork.create(nodes);
        ClusterHarness cluster = null;
        try {
            cluster = ClusterHarness.create(JarLocator.locate(), dir, nodes, spec, network);
            network.logTo(dir.resolve("network.log"));
            return new DrillRun(drill, description, cluster, spec, network, c -> { });
        } catch (Exception | Error e) {
            if (cluster != null) {
                cluster.close();
            }
            network.close();
            throw e;
        }
    }

    /** A joined cluster with the given replication settings, 64 KiB chunks (so bodies span several), lean JVMs. */
    static NodeSpec clusterSpec(int replication, int writeQuorum, int readQuorum) {
        return new NodeSpec(replication, writeQuorum, readQuorum, true, List.of("--chunk-size", "64KiB"), NodeSpec.LEAN_JVM);
    }

    /** Waits until every running node lists every node as reachable (the membership has formed or re-formed). */
    void awaitClusterFormed(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        List<String> names = cluster.nodes().stream().map(NodeProcess::name).toList();
        String last = "";
        while (System.nanoTime() < deadline) {
            boolean formed = true;
            for (NodeProcess n : cluster.nodes()) {
                Optional<Map<String, ClusterAdmin.Member>> view = admin.members(n, Duration.ofSeconds(2));
                if (view.isEmpty() || !names.stream().allMatch(m -> view.get().containsKey(m) && view.get().get(m).reachable())) {
                    formed = false;
                    last = n.name() + " sees " + view.map(Object::toString).orElse("nothing (no answer)");
                    break;
                }
            }
            if (formed) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("cluster did not form within " + max + ": " + last);
    }

    static Path outputDir() {
        return Path.of(System.getProperty("chaos.outputDir", "target/chaos"));
    }

    static boolean fullProfile() {
        return "full".equals(System.getProperty("chaos.profile", "quick"));
    }

    static String profile() {
        return fullProfile() ? "full" : "quick";
    }

    Path dir() {
        return cluster.drillDir();
    }

    void startWorkload(WorkloadConfig config) {
        workload = new Workload(history, clients, config);
        if (workloadStartNanos == 0) {
            workloadStartNanos = System.nanoTime();
        }
        workload.start();
    }

    /** Stops the current workload and waits for its clients. */
    void stopWorkload() throws InterruptedException {
        workload.stop();
        if (!workload.await(OP_TIMEOUT.multipliedBy(3))) {
            throw new IllegalStateException("workload clients did not stop");
        }
    }

    /**
     * SIGKILL, stay down for {@code down}, restart on the same data directory and wait until healthy.
     * On a cluster the other members' views are watched meanwhile (cluster detection), and the call
     * returns once they all see the node again (bounded).
     */
    void killAndRestart(int node, Duration down) throws InterruptedException {
        killAndRestart(List.of(node), down);
    }

    /** Kills every node of {@code nodes} at once, keeps them down for {@code down}, restarts them all. */
    void killAndRestart(List<Integer> nodes, Duration down) throws InterruptedException {
        long wall = System.currentTimeMillis();
        List<ReachabilityWatch> watches = nodes.stream().map(this::watch).toList();
        long start = System.nanoTime();
        nodes.forEach(i -> cluster.node(i).kill());
        Thread.sleep(down.toMillis());
        long end = System.nanoTime();
        nodes.forEach(i -> cluster.node(i).start());
        List<Long> recovered = new ArrayList<>();
        for (int i : nodes) {
            recovered.add(awaitHealthy(cluster.node(i), ClusterHarness.START_TIMEOUT));
        }
        for (int k = 0; k < nodes.size(); k++) {
            ReachabilityWatch w = watches.get(k);
            long rejoin = 0;
            if (w != null) {
                w.awaitReachableAgain(Duration.ofSeconds(30));
                rejoin = w.allReachableAgainNanos();
                w.close();
            }
            faults.add(new FaultEvent("kill -9", nodes.get(k), start, end, recovered.get(k), wall,
                    "down " + down.toMillis() + " ms, then restarted" + (nodes.size() > 1 ? " (together with nodes " + nodes + ")" : ""),
                    w == null ? 0 : w.firstUnreachableNanos(), rejoin));
        }
    }

    /** SIGSTOP for {@code length}, then SIGCONT and wait until healthy (and, on a cluster, seen again by every member). */
    void pause(int node, Duration length) throws InterruptedException {
        NodeProcess n = cluster.node(node);
        long wall = System.currentTimeMillis();
        ReachabilityWatch w = watch(node);
        long start = System.nanoTime();
        n.pause();
        Thread.sleep(length.toMillis());
        long end = System.nanoTime();
        n.resume();
        long recovered = awaitHealthy(n, Duration.ofSeconds(30));
        long rejoin = 0;
        if (w != null) {
            w.awaitReachableAgain(Duration.ofSeconds(30));
            rejoin = w.allReachableAgainNanos();
            w.close();
        }
        faults.add(new FaultEvent("SIGSTOP", node, start, end, recovered, wall, "stopped " + length.toMillis() + " ms",
                w == null ? 0 : w.firstUnreachableNanos(), rejoin));
    }

    /**
     * Cuts the network between {@code sides} for {@code length}, heals it, and waits until every member
     * sees every other reachable again. One fault is recorded for each node of {@code reported} (the
     * side whose view by the others is watched, e.g. the isolated node or the minority), from the cut
     * until the cluster had re-formed.
     */
    void partition(List<Set<Integer>> sides, Set<Integer> reported, Duration length) throws InterruptedException {
        if (network == null) {
            throw new IllegalStateException("this drill runs on loopback; start it with startPartitionable");
        }
        long wall = System.currentTimeMillis();
        Map<Integer, ReachabilityWatch> watches = new TreeMap<>();
        reported.forEach(i -> watches.put(i, watch(i)));
        String what = "partition " + sides;
        cluster.nodes().forEach(n -> n.mark(what));
        network.partition(sides);
        long start = System.nanoTime(); // every rule is in force from here
        Thread.sleep(length.toMillis());
        network.heal();
        long end = System.nanoTime();
        cluster.nodes().forEach(n -> n.mark("healed " + what));
        long formed;
        try {
            awaitClusterFormed(Duration.ofSeconds(60));
            formed = System.nanoTime();
        } catch (IllegalStateException e) {
            formed = 0;
        }
        partitionWindows.add(new long[] {start, formed == 0 ? Long.MAX_VALUE : formed});
        for (Map.Entry<Integer, ReachabilityWatch> e : watches.entrySet()) {
            ReachabilityWatch w = e.getValue();
            w.awaitReachableAgain(Duration.ofSeconds(10));
            faults.add(new FaultEvent("partition", e.getKey(), start, end, formed, wall,
                    "cut " + length.toMillis() + " ms: " + sides + "; window ends when every member sees every other again",
                    w.firstUnreachableNanos(), w.allReachableAgainNanos()));
            w.close();
        }
    }

    /** Watches the other members' view of {@code node}; null on a single node. */
    private ReachabilityWatch watch(int node) {
        if (cluster.nodes().size() < 2) {
            return null;
        }
        List<NodeProcess> observers = cluster.nodes().stream().filter(n -> n.index() != node).toList();
        return new ReachabilityWatch(admin, cluster.node(node), observers, Duration.ofMillis(100));
    }

    /** Outcome of {@link #awaitReplicaConvergence}. */
    record ReplicaConvergence(boolean converged, long millis, int rounds, int keysLocated, int keysAbsent, List<String> lagging) {
        String describe() {
            return (converged ? "every replica holds the newest record and every chunk of " + keysLocated + " live keys after " + millis + " ms"
                    : "replicas still lagging after " + millis + " ms: " + lagging)
                    + " (" + rounds + " rounds of /api/v1/locate; " + keysAbsent + " keys deleted/absent, not located)";
        }
    }

    /**
     * After the workload: asks {@code /api/v1/locate} for every key until each live object's newest
     * record is on all of its replicas and each chunk on at least N nodes, which shows that hints and
     * repairs brought every replica up to date (reads through a node only show that R replicas agree).
     * S3 names only; on the native API it reports nothing located.
     */
    ReplicaConvergence awaitReplicaConvergence(Duration bound) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        Set<String> keys = new TreeSet<>();
        history.snapshot().forEach(op -> {
            if (op.key() != null) {
                keys.add(op.key());
            }
        });
        int rounds = 0;
        while (true) {
            rounds++;
            List<String> lagging = new ArrayList<>();
            int located = 0;
            int absent = 0;
            if (api == Api.S3) {
                for (String key : keys) {
                    NodeProcess via = cluster.node(Math.abs(key.hashCode()) % cluster.nodes().size());
                    Optional<ClusterAdmin.Location> loc = admin.locate(via, "chaos", namespace + "/" + key, Duration.ofSeconds(5));
                    if (loc.isEmpty()) {
                        absent++;
                        continue;
                    }
                    located++;
                    ClusterAdmin.Location l = loc.get();
                    if (!l.recordHolders().containsAll(l.replicas())) {
                        lagging.add(key + ": record " + l.version() + " on " + l.recordHolders() + " of replicas " + l.replicas());
                    }
                    for (int c = 0; c < l.chunkHolders().size(); c++) {
                        if (l.chunkHolders().get(c).size() < spec.replication()) {
                            lagging.add(key + ": chunk " + c + " on " + l.chunkHolders().get(c));
                        }
                    }
                }
            }
            long now = System.nanoTime();
            if (lagging.isEmpty() || now >= deadline || rounds >= 200) {
                return new ReplicaConvergence(lagging.isEmpty(), (now - start) / 1_000_000, rounds, located, absent,
                        lagging.stream().limit(10).toList());
            }
            Thread.sleep(1_000);
        }
    }

    private static long awaitHealthy(NodeProcess n, Duration max) {
        try {
            n.awaitHealthy(max);
            return System.nanoTime();
        } catch (IllegalStateException e) {
            return 0;
        }
    }

    boolean workloadRunning() {
        return workload != null && workload.running();
    }

    /** Drill-specific checks computed from the figures of the report (e.g. recovery after every fault). */
    interface Expectations {
        void check(DrillReport draft, DrillRun run);
    }

    /** Stops the workload, verifies the final state on every node, checks the history and writes the report. */
    DrillReport finish(Checker checker, Duration convergenceBound, List<String> notes, Expectations expectations)
            throws InterruptedException, IOException {
        return finish(checker, v -> v, convergenceBound, notes, expectations);
    }

    /** As above; {@code expected} may declare findings expected in this drill ({@link Verdict#tolerating}). */
    DrillReport finish(Checker checker, UnaryOperator<Verdict> expected, Duration convergenceBound, List<String> notes,
                       Expectations expectations) throws InterruptedException, IOException {
        if (workload != null) {
            workload.stop();
            if (!workload.await(OP_TIMEOUT.multipliedBy(3))) {
                throw new IllegalStateException("workload clients did not stop");
            }
        }
        FinalVerification.Result convergence = new FinalVerification(history, clients).run(convergenceBound, Duration.ofMillis(500));
        return report(expected.apply(checker.check(history.snapshot())), convergence, notes, expectations);
    }

    /** Builds the report, lets {@code expectations} add checks from its figures, and writes it. */
    DrillReport report(Verdict verdict, FinalVerification.Result convergence, List<String> notes, Expectations expectations) throws IOException {
        String specText = "N=" + spec.replication() + " W=" + spec.writeQuorum() + " R=" + spec.readQuorum()
                + (spec.extraArgs().isEmpty() ? "" : " " + String.join(" ", spec.extraArgs()));
        long elapsed = (System.nanoTime() - startNanos) / 1_000_000;
        long base = workloadStartNanos == 0 ? startNanos : workloadStartNanos;
        DrillReport draft = ReportBuilder.build(drill, description, profile(), api.name(), startedAt.toString(), base, elapsed,
                cluster.nodes().size(), specText, history.snapshot(), faults, convergence, verdict, checks, notes);
        expectations.check(draft, this);
        DrillReport report = ReportBuilder.build(drill, description, profile(), api.name(), startedAt.toString(), base, elapsed,
                cluster.nodes().size(), specText, history.snapshot(), faults, convergence, verdict, checks, notes);
        new ReportWriter().write(dir(), report, history.snapshot());
        writeAnomalies(verdict);
        return report;
    }

    /** Every anomaly (the report lists the first 50) with the node and wall-clock time of its operation, to line up with the node logs. */
    private void writeAnomalies(Verdict verdict) throws IOException {
        Map<Long, Operation> byId = new HashMap<>();
        history.snapshot().forEach(op -> byId.put(op.id(), op));
        StringBuilder out = new StringBuilder();
        for (Anomaly a : verdict.anomalies()) {
            Operation op = byId.get(a.opId());
            out.append(op == null ? "-" : Instant.ofEpochMilli(op.startWallMillis()) + " .. " + Instant.ofEpochMilli(op.endWallMillis())
                    + " node-" + op.node() + " " + op.phase()).append("  ").append(a).append('\n');
        }
        for (Anomaly a : verdict.tolerated()) {
            Operation op = byId.get(a.opId());
            out.append(op == null ? "-" : Instant.ofEpochMilli(op.startWallMillis()) + " .. " + Instant.ofEpochMilli(op.endWallMillis())
                    + " node-" + op.node() + " " + op.phase()).append("  tolerated (expected in this drill): ").append(a).append('\n');
        }
        Files.writeString(dir().resolve("anomalies.txt"), out.toString());
    }

    /** The end state every cluster drill demands: the same final reads through every node, and every replica complete. */
    void checkConverged(DrillReport draft, ReplicaConvergence replicas) {
        check("every node returns the same final state", draft.convergence().converged(),
                draft.convergence().millis() + " ms " + draft.convergence().disagreements());
        check("every replica holds the newest record and every chunk", replicas.converged() || api != Api.S3, replicas.describe());
    }

    /** Records a drill-specific expectation for the report; {@link #assertPassed} fails the test on it after the report is written. */
    void check(String name, boolean passed, String detail) {
        checks.add(new DrillReport.Check(name, passed, detail));
    }

    /** Fails with every broken expectation and anomaly, pointing at the report. */
    static void assertPassed(DrillReport report, Path dir) {
        if (report.passed()) {
            return;
        }
        StringBuilder why = new StringBuilder("drill " + report.drill() + " failed (see " + dir.resolve("report.md") + "):");
        report.checks().stream().filter(c -> !c.passed()).forEach(c -> why.append("\n  check failed: ").append(c.name()).append(": ").append(c.detail()));
        if (!report.checker().ok()) {
            why.append("\n  checker: ").append(report.checker().summary());
            report.checker().anomalies().stream().limit(10).forEach(a -> why.append("\n    ").append(a));
        }
        throw new AssertionError(why.toString());
    }

    @Override
    public void close() {
        if (workload != null) {
            workload.stop();
        }
        clients.forEach(StoreClient::close);
        cluster.close();
        if (network != null) {
            network.close();
        }
    }
}
