package io.hifadhi.chaos.report;

import io.hifadhi.chaos.history.FaultEvent;
import io.hifadhi.chaos.history.Observed;
import io.hifadhi.chaos.history.OpType;
import io.hifadhi.chaos.history.Operation;
import io.hifadhi.chaos.history.Outcome;
import io.hifadhi.chaos.history.Phase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Availability, detection and recovery figures from a hand-made history (times in ms, as nanos x 1e6). */
class ReportBuilderTest {
    private static final long MS = 1_000_000;
    private final List<Operation> ops = new ArrayList<>();

    private void op(long startMs, long endMs, Outcome outcome) {
        ops.add(new Operation(ops.size() + 1, 0, 0, Phase.WORKLOAD, OpType.READ, "k", 0, startMs * MS, endMs * MS,
                startMs, endMs, outcome, outcome == Outcome.OK ? null : "x", outcome == Outcome.OK ? Observed.absent() : null, null));
    }

    @Test
    void figuresAroundOneKill() {
        op(0, 10, Outcome.OK);             // before
        op(95, 105, Outcome.INDETERMINATE); // in flight at the kill (100)
        op(120, 121, Outcome.FAILED);       // while down
        op(300, 310, Outcome.OK);           // after restart (200), before healthy (400): counts as during
        op(500, 510, Outcome.OK);           // after
        FaultEvent kill = new FaultEvent("kill -9", 0, 100 * MS, 200 * MS, 400 * MS, 0, "");

        DrillReport.Fault f = ReportBuilder.faults(0, List.of(kill), ops).get(0);
        assertEquals(100, f.atMillis());
        assertEquals(100, f.durationMillis());
        assertEquals(200, f.recoveryMillis());
        assertEquals(5, f.detectMillis(), "first unsuccessful op ended 5 ms after the kill");
        assertEquals(110, f.clientRecoveryMillis(), "first successful op started after the restart ended at 310");
        assertEquals(3, f.opsDuring());
        assertEquals(1, f.okDuring());

        DrillReport.Availability a = ReportBuilder.availability(List.of(kill), ops);
        assertEquals(3, a.opsDuringFaults());
        assertEquals(0.3333, a.successRateDuringFaults());
        assertEquals(2, a.opsOutsideFaults());
        assertEquals(1.0, a.successRateOutsideFaults());
    }

    @Test
    void faultThatNeverRecoveredCoversTheRest() {
        op(0, 10, Outcome.OK);
        op(500, 510, Outcome.FAILED);
        FaultEvent kill = new FaultEvent("kill -9", 0, 100 * MS, 200 * MS, 0, 0, "");
        DrillReport.Fault f = ReportBuilder.faults(0, List.of(kill), ops).get(0);
        assertEquals(-1, f.recoveryMillis());
        assertEquals(-1, f.clientRecoveryMillis());
        assertEquals(1, f.opsDuring());
    }

    private void opOn(int node, OpType type, long startMs, long endMs, Outcome outcome) {
        ops.add(new Operation(ops.size() + 1, 0, node, Phase.WORKLOAD, type, "k", type == OpType.WRITE ? ops.size() + 1 : 0,
                startMs * MS, endMs * MS, startMs, endMs, outcome, outcome == Outcome.OK ? null : "x",
                outcome == Outcome.OK && type == OpType.READ ? Observed.absent() : null, null));
    }

    @Test
    void othersAreTheNodesNotFaultedDuringTheWindowAndClusterDetectionIsRelativeToTheFault() {
        opOn(0, OpType.WRITE, 120, 130, Outcome.FAILED); // faulted node 0
        opOn(1, OpType.WRITE, 120, 130, Outcome.OK);     // node 1 is out too (overlapping fault): not "others"
        opOn(2, OpType.WRITE, 150, 160, Outcome.OK);
        opOn(2, OpType.READ, 170, 180, Outcome.OK);
        opOn(3, OpType.READ, 170, 180, Outcome.FAILED);
        opOn(2, OpType.READ, 900, 910, Outcome.OK);      // after the window
        FaultEvent a = new FaultEvent("kill -9", 0, 100 * MS, 200 * MS, 400 * MS, 0, "", 1_700 * MS / 10, 650 * MS);
        FaultEvent b = new FaultEvent("kill -9", 1, 100 * MS, 200 * MS, 400 * MS, 0, "");

        DrillReport.Fault f = ReportBuilder.faults(0, List.of(a, b), ops).get(0);
        assertEquals(3, f.opsOnOthers());
        assertEquals(2, f.okOnOthers());
        assertEquals(1, f.writesOkOnOthers());
        assertEquals(1, f.readsOkOnOthers());
        assertEquals(70, f.clusterDetectMillis());
        assertEquals(450, f.clusterRejoinMillis());
        assertEquals(-1, ReportBuilder.faults(0, List.of(a, b), ops).get(1).clusterDetectMillis(), "not measured");
    }
}
