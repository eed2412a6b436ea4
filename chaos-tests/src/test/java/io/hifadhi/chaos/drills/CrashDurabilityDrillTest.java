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
 * Drill 1 as far as a single node allows: concurrent clients write, overwrite, read (and on S3
 * delete and list) while the node is killed with SIGKILL again and again and restarted on the same
 * data directory. Every acknowledged write must survive and no read may return foreign bytes.
 * The cluster version (N=3, W=2, rolling kill) is {@link RollingKillDrillTest}.
 */
@Tag("quick")
class CrashDurabilityDrillTest {

    @Test
    void acknowledgedWritesSurviveRepeatedKill9() throws Exception {
        boolean full = DrillRun.fullProfile();
        int kills = full ? 8 : 3;
        try (DrillRun run = DrillRun.start("crash-durability",
                "Single node, " + kills + " x kill -9 + restart on the same data directory during a mixed workload.",
                1, NodeSpec.singleNode(List.of("--chunk-size", "64KiB")))) {
            run.startWorkload(WorkloadConfig.mixed(4, 40, 100_000, Duration.ofMinutes(full ? 5 : 2), 1));
            Thread.sleep(2_000);
            for (int i = 0; i < kills && run.workloadRunning(); i++) {
                run.killAndRestart(0, Duration.ofMillis(500));
                Thread.sleep(full ? 6_000 : 2_500);
            }
            DrillReport report = run.finish(new Checker(), Duration.ofSeconds(30),
                    List.of("One node, so the final state converges trivially; the rolling kill over N=3/W=2 is RollingKillDrillTest."),
                    (draft, r) -> {
                        r.check("every planned kill was carried out", draft.faults().size() == kills, draft.faults().size() + " of " + kills);
                        r.check("the node came back after every kill", draft.faults().stream().allMatch(f -> f.recoveryMillis() >= 0), "");
                        r.check("every kill hit the workload", draft.faults().stream().allMatch(f -> f.opsDuring() > 0 && f.detectMillis() >= 0), "");
                        r.check("the workload made progress", draft.checker().acknowledgedWrites() > 50,
                                draft.checker().acknowledgedWrites() + " acknowledged writes");
                    });
            DrillRun.assertPassed(report, run.dir());
            assertEquals(0, report.checker().lostAcknowledgedWrites());
        }
    }
}
