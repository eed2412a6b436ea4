package io.hifadhi.chaos.drills;

import io.hifadhi.chaos.checker.Checker;
import io.hifadhi.chaos.checker.Verdict;
import io.hifadhi.chaos.client.NativeStoreClient;
import io.hifadhi.chaos.client.S3StoreClient;
import io.hifadhi.chaos.client.StoreClient;
import io.hifadhi.chaos.client.StoreException;
import io.hifadhi.chaos.harness.ClusterHarness;
import io.hifadhi.chaos.harness.JarLocator;
import io.hifadhi.chaos.harness.NodeProcess;
import io.hifadhi.chaos.harness.NodeSpec;
import io.hifadhi.chaos.history.FaultEvent;
import io.hifadhi.chaos.history.History;
import io.hifadhi.chaos.report.DrillReport;
import io.hifadhi.chaos.report.ReportBuilder;
import io.hifadhi.chaos.report.ReportWriter;
import io.hifadhi.chaos.workload.FinalVerification;
import io.hifadhi.chaos.workload.Workload;
import io.hifadhi.chaos.workload.WorkloadConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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
    private final NodeSpec spec;
    private final Instant startedAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private long workloadStartNanos;
    private Workload workload;

    private DrillRun(String drill, String description, ClusterHarness cluster, NodeSpec spec, BeforeStart beforeStart) throws Exception {
        this.drill = drill;
        this.description = description;
        this.cluster = cluster;
        this.spec = spec;
        beforeStart.prepare(cluster);
        cluster.startAll();
        this.api = Api.choose(cluster.node(0).baseUri());
        String namespace = "run-" + Long.toHexString(System.currentTimeMillis());
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
            return new DrillRun(drill, description, cluster, spec, beforeStart);
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
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

    /** SIGKILL, stay down for {@code down}, restart on the same data directory and wait until healthy. */
    void killAndRestart(int node, Duration down) throws InterruptedException {
        NodeProcess n = cluster.node(node);
        long wall = System.currentTimeMillis();
        long start = System.nanoTime();
        n.kill();
        Thread.sleep(down.toMillis());
        long end = System.nanoTime();
        n.start();
        long recovered = awaitHealthy(n, ClusterHarness.START_TIMEOUT);
        faults.add(new FaultEvent("kill -9", node, start, end, recovered, wall, "down " + down.toMillis() + " ms, then restarted"));
    }

    /** SIGSTOP for {@code length}, then SIGCONT and wait until healthy. */
    void pause(int node, Duration length) throws InterruptedException {
        NodeProcess n = cluster.node(node);
        long wall = System.currentTimeMillis();
        long start = System.nanoTime();
        n.pause();
        Thread.sleep(length.toMillis());
        long end = System.nanoTime();
        n.resume();
        long recovered = awaitHealthy(n, Duration.ofSeconds(30));
        faults.add(new FaultEvent("SIGSTOP", node, start, end, recovered, wall, "stopped " + length.toMillis() + " ms"));
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

    /** Stops the workload, verifies the final state on every node, checks the history and writes the report. */
    /** Drill-specific checks computed from the figures of the report (e.g. recovery after every fault). */
    interface Expectations {
        void check(DrillReport draft, DrillRun run);
    }

    DrillReport finish(Checker checker, Duration convergenceBound, List<String> notes, Expectations expectations)
            throws InterruptedException, IOException {
        if (workload != null) {
            workload.stop();
            if (!workload.await(OP_TIMEOUT.multipliedBy(3))) {
                throw new IllegalStateException("workload clients did not stop");
            }
        }
        FinalVerification.Result convergence = new FinalVerification(history, clients).run(convergenceBound, Duration.ofMillis(500));
        return report(checker.check(history.snapshot()), convergence, notes, expectations);
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
        return report;
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
    }
}
