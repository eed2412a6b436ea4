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
}
