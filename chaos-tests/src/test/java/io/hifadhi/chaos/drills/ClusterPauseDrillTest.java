package io.hifadhi.chaos.drills;

import io.hifadhi.chaos.checker.Checker;
import io.hifadhi.chaos.report.DrillReport;
import io.hifadhi.chaos.workload.WorkloadConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Drill 2 on a cluster: three nodes (N=3, W=2, R=2), one SIGSTOPped mid-workload (quick 8 s, full
 * 20 s). A stopped process keeps its sockets, so peers see silence rather than refused connections:
 * the other members' failure detectors must mark it {@code reachable:false} in
 * {@code /api/v1/cluster} (design: under 3 s; the drill allows {@link #MAX_DETECT}), the two others
 * must keep serving, and nothing acknowledged may be lost, including writes the paused node
 * coordinated and answered only after SIGCONT.
 */
@Tag("quick")
class ClusterPauseDrillTest {
    static final Duration MAX_DETECT = Duration.ofSeconds(5);
    static final double MIN_SURVIVOR_SUCCESS = 0.9;

    @Test
    void othersDetectThePauseKeepServingAndLoseNothing() throws Exception {
        boolean full = DrillRun.fullProfile();
        Duration pause = Duration.ofSeconds(full ? 20 : 8);
        int victim = 1;
        try (DrillRun run = DrillRun.start("cluster-pause",
                "Three nodes (N=3 W=2 R=2), node " + victim + " SIGSTOPped for " + pause.toSeconds() + " s then SIGCONT during a mixed workload over all nodes.",
                3, DrillRun.clusterSpec(3, 2, 2))) {
            run.startWorkload(WorkloadConfig.mixed(6, 40, 100_000, Duration.ofMinutes(3), 12));
            Thread.sleep(3_000);
            run.pause(victim, pause);
            Thread.sleep(3_000);
            run.stopWorkload();
            DrillRun.ReplicaConvergence replicas = run.awaitReplicaConvergence(Duration.ofSeconds(60));
            List<String> notes = new ArrayList<>(List.of(
                    "Client operation timeout " + DrillRun.OP_TIMEOUT.toMillis() + " ms: operations sent to the paused node time out (indeterminate).",
                    "Cluster detection = SIGSTOP to the first /api/v1/cluster answer of another member with reachable:false (polled every 100 ms).",
                    "Replica convergence (from the end of the workload): " + replicas.describe() + "."));
            DrillReport report = run.finish(new Checker(), Duration.ofSeconds(60), notes, (draft, x) -> {
                DrillReport.Fault f = draft.faults().get(0);
                x.check("the other members marked the paused node unreachable within " + MAX_DETECT.toMillis() + " ms",
                        f.clusterDetectMillis() >= 0 && f.clusterDetectMillis() <= MAX_DETECT.toMillis(), f.clusterDetectMillis() + " ms");
                x.check("after SIGCONT every member sees it reachable again", f.clusterRejoinMillis() >= 0, f.clusterRejoinMillis() + " ms");
                x.check("the paused node answered again", f.recoveryMillis() >= 0, f.recoveryMillis() + " ms");
                x.check("the two others acknowledged writes and served reads during the pause",
                        f.writesOkOnOthers() > 0 && f.readsOkOnOthers() > 0, f.writesOkOnOthers() + " writes, " + f.readsOkOnOthers() + " reads");
                x.check("operations on the two others succeeded (>= " + (int) (MIN_SURVIVOR_SUCCESS * 100) + " %)",
                        f.successRateOnOthers() >= MIN_SURVIVOR_SUCCESS, f.okOnOthers() + " of " + f.opsOnOthers());
                x.checkConverged(draft, replicas);
            });
            DrillRun.assertPassed(report, run.dir());
            assertEquals(0, report.checker().lostAcknowledgedWrites());
        }
    }
}
