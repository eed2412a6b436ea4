package io.hifadhi.chaos.drills;

import io.hifadhi.chaos.checker.Checker;
import io.hifadhi.chaos.harness.NodeSpec;
import io.hifadhi.chaos.report.DrillReport;
import io.hifadhi.chaos.workload.WorkloadConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Drill 2 on a single node: SIGSTOP mid-workload (5 s quick, 20 s full). Requests sent meanwhile
 * time out and are recorded as indeterminate; after SIGCONT the node may still apply them. Nothing
 * acknowledged may be lost and no read may return foreign bytes. On a cluster, detection by the
 * other members is measured by {@link ClusterPauseDrillTest}.
 */
@Tag("quick")
class PauseDrillTest {

    @Test
    void pausedNodeLosesNothingAcknowledged() throws Exception {
        boolean full = DrillRun.fullProfile();
        Duration pause = Duration.ofSeconds(full ? 20 : 5);
        try (DrillRun run = DrillRun.start("pause",
                "Single node, SIGSTOP for " + pause.toSeconds() + " s then SIGCONT during a mixed workload.",
                1, NodeSpec.singleNode(List.of("--chunk-size", "64KiB")))) {
            run.startWorkload(WorkloadConfig.mixed(4, 40, 100_000, Duration.ofMinutes(2), 2));
            Thread.sleep(3_000);
            run.pause(0, pause);
            Thread.sleep(3_000);
            DrillReport report = run.finish(new Checker(), Duration.ofSeconds(30),
                    List.of("Client operation timeout " + DrillRun.OP_TIMEOUT.toMillis() + " ms; operations that timed out are indeterminate."),
                    (draft, r) -> {
                        DrillReport.Fault fault = draft.faults().get(0);
                        r.check("the node answered again after SIGCONT", fault.recoveryMillis() >= 0, fault.recoveryMillis() + " ms");
                        r.check("operations overlapped the pause and some could not complete",
                                fault.opsDuring() > 0 && fault.okDuring() < fault.opsDuring(), fault.okDuring() + " of " + fault.opsDuring() + " ok");
                        r.check("clients noticed the pause", fault.detectMillis() >= 0, fault.detectMillis() + " ms");
                    });
            DrillRun.assertPassed(report, run.dir());
            assertEquals(0, report.checker().lostAcknowledgedWrites());
        }
    }
}
