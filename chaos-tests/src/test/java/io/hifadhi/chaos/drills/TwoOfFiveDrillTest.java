package io.hifadhi.chaos.drills;

import io.hifadhi.chaos.checker.Checker;
import io.hifadhi.chaos.harness.ClusterAdmin;
import io.hifadhi.chaos.history.FaultEvent;
import io.hifadhi.chaos.history.OpType;
import io.hifadhi.chaos.history.Operation;
import io.hifadhi.chaos.history.Outcome;
import io.hifadhi.chaos.history.Phase;
import io.hifadhi.chaos.report.DrillReport;
import io.hifadhi.chaos.workload.WorkloadConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Drill 3: five nodes (N=3, W=2, R=2), two killed together mid-workload and brought back after
 * 15 s. For keys whose replica set loses two members a write may legally either fail with 503
 * (fewer than W replicas) or succeed through hinted-handoff stand-ins (sloppy quorum): the drill
 * records which happened, per key class. No write may fail any other way while three nodes are up;
 * nothing acknowledged may be lost; after the restart every node returns the same state and every
 * replica catches up. Full profile only (five JVMs on two cores).
 */
@Tag("full")
class TwoOfFiveDrillTest {
    private static final List<Integer> VICTIMS = List.of(1, 2);

    @Test
    void twoOfFiveDownThenBackLosesNothing() throws Exception {
        Duration down = Duration.ofSeconds(15);
        try (DrillRun run = DrillRun.start("two-of-five",
                "Five nodes (N=3 W=2 R=2), nodes " + VICTIMS + " killed with SIGKILL together for " + down.toSeconds()
                        + " s and restarted, during a mixed workload over all nodes.",
                5, DrillRun.clusterSpec(3, 2, 2))) {
            run.startWorkload(WorkloadConfig.mixed(6, 40, 100_000, Duration.ofMinutes(3), 13));
            Thread.sleep(5_000);
            run.killAndRestart(VICTIMS, down);
            Thread.sleep(5_000);
            run.stopWorkload();
            DrillRun.ReplicaConvergence replicas = run.awaitReplicaConvergence(Duration.ofSeconds(90));

            // Which keys had both victims among their record replicas (the ring does not change while members are down).
            List<String> victimNames = VICTIMS.stream().map(i -> run.cluster.node(i).name()).toList();
            Map<String, Boolean> bothDown = new HashMap<>();
            for (Operation op : run.history.snapshot()) {
                if (op.key() != null && !bothDown.containsKey(op.key())) {
                    Optional<ClusterAdmin.Location> loc = run.admin.locate(run.cluster.node(0), "chaos", run.namespace + "/" + op.key(), Duration.ofSeconds(5));
                    loc.ifPresent(l -> bothDown.put(op.key(), l.replicas().containsAll(victimNames)));
                }
            }
            FaultEvent outage = run.faults.get(0);
            Map<String, Integer> outcomes = new TreeMap<>();
            List<String> badFailures = new ArrayList<>();
            for (Operation op : run.history.snapshot()) {
                if (op.phase() != Phase.WORKLOAD || op.type() != OpType.WRITE || VICTIMS.contains(op.node())
                        || !op.overlaps(outage.startNanos(), outage.endNanos())) {
                    continue;
                }
                Boolean both = bothDown.get(op.key());
                String cls = both == null ? "replica set unknown (key deleted at the end)" : both ? "both victims among the replicas" : "at most one victim among the replicas";
                String how = op.outcome() == Outcome.OK ? "acknowledged"
                        : op.error() != null && op.error().contains("503") ? "503" : op.outcome().name();
                outcomes.merge(cls + ": " + how, 1, Integer::sum);
                if (op.outcome() != Outcome.OK && (op.error() == null || !op.error().contains("503"))) {
                    badFailures.add(op.outcome() + " " + op.error());
                }
            }
            List<String> notes = new ArrayList<>(List.of(
                    "Writes sent to the three live nodes while nodes " + VICTIMS + " were down, by key class and result: " + outcomes + ".",
                    "Both 503 and acknowledged-through-stand-ins are legal for keys losing two replicas; an acknowledged one must survive.",
                    "Replica convergence (from the end of the workload): " + replicas.describe() + "."));
            badFailures.stream().distinct().limit(5).forEach(e -> notes.add("write failure other than 503 on a live node: " + e));
            DrillReport report = run.finish(new Checker(), Duration.ofSeconds(90), notes, (draft, x) -> {
                x.check("both victims came back healthy and are seen again by every member",
                        draft.faults().stream().allMatch(f -> f.recoveryMillis() >= 0 && f.clusterRejoinMillis() >= 0), "");
                x.check("the others noticed both victims", draft.faults().stream().allMatch(f -> f.clusterDetectMillis() >= 0),
                        draft.faults().stream().map(f -> f.clusterDetectMillis() + " ms").toList().toString());
                DrillReport.Fault f = draft.faults().get(0);
                x.check("the three live nodes acknowledged writes and served reads during the outage",
                        f.writesOkOnOthers() > 0 && f.readsOkOnOthers() > 0, f.writesOkOnOthers() + " writes, " + f.readsOkOnOthers() + " reads, "
                                + f.okOnOthers() + " of " + f.opsOnOthers() + " ops ok");
                x.check("writes on live nodes either succeeded or failed with 503", badFailures.isEmpty(), badFailures.size() + " other failures");
                x.checkConverged(draft, replicas);
            });
            DrillRun.assertPassed(report, run.dir());
            assertEquals(0, report.checker().lostAcknowledgedWrites());
        }
    }
}
