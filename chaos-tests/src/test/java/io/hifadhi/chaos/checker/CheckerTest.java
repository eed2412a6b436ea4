package io.hifadhi.chaos.checker;

import io.hifadhi.chaos.history.Observed;
import io.hifadhi.chaos.history.OpType;
import io.hifadhi.chaos.history.Operation;
import io.hifadhi.chaos.history.Outcome;
import io.hifadhi.chaos.history.Phase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Synthetic histories with hand-placed times (abstract ticks) against the register check. */
class CheckerTest {
    private final List<Operation> ops = new ArrayList<>();
    private long nextId = 1;

    private Operation add(Phase phase, OpType type, String key, long writeId, long start, long end, Outcome outcome,
                          Observed observed, Set<String> listed) {
        Operation op = new Operation(nextId++, 0, 0, phase, type, key, writeId, start, end, start, end, outcome,
                outcome == Outcome.OK ? null : "synthetic", observed, listed);
        ops.add(op);
        return op;
    }

    private void write(String key, long id, long start, long end, Outcome outcome) {
        add(Phase.WORKLOAD, OpType.WRITE, key, id, start, end, outcome, null, null);
    }

    private void delete(String key, long start, long end, Outcome outcome) {
        add(Phase.WORKLOAD, OpType.DELETE, key, 0, start, end, outcome, null, null);
    }

    private void read(String key, long start, long end, Observed seen) {
        add(Phase.WORKLOAD, OpType.READ, key, 0, start, end, Outcome.OK, seen, null);
    }

    private void finalRead(String key, long start, Observed seen) {
        add(Phase.FINAL, OpType.READ, key, 0, start, start + 1, Outcome.OK, seen, null);
    }

    private void list(long start, long end, String... keys) {
        add(Phase.WORKLOAD, OpType.LIST, null, 0, start, end, Outcome.OK, null, Set.of(keys));
    }

    private Verdict check() {
        return new Checker().check(ops);
    }

    @Test
    void sequentialWritesAndReadsPass() {
        write("a", 1, 0, 10, Outcome.OK);
        read("a", 20, 30, Observed.value(1));
        write("a", 2, 40, 50, Outcome.OK);
        read("a", 60, 70, Observed.value(2));
        finalRead("a", 1000, Observed.value(2));
        Verdict v = check();
        assertTrue(v.ok(), v.summary());
        assertEquals(2, v.ackedWrites());
        assertEquals(0, v.lostAckedWrites());
        assertEquals(1, v.keysVerified());
    }

    @Test
    void lostAcknowledgedWriteIsFound() {
        write("a", 1, 0, 10, Outcome.OK);
        write("a", 2, 20, 30, Outcome.OK);
        finalRead("a", 1000, Observed.value(1));
        Verdict v = check();
        assertTrue(v.has(Anomaly.Kind.LOST_WRITE), v.summary());
        assertEquals(1, v.lostAckedWrites());
    }

    @Test
    void acknowledgedWriteThatVanishedEntirelyIsLost() {
        write("a", 1, 0, 10, Outcome.OK);
        finalRead("a", 1000, Observed.absent());
        Verdict v = check();
        assertTrue(v.has(Anomaly.Kind.LOST_WRITE), v.summary());
        assertEquals(1, v.lostAckedWrites());
    }

    @Test
    void resurrectedObjectAfterAcknowledgedDeleteIsLostDelete() {
        write("a", 1, 0, 10, Outcome.OK);
        delete("a", 20, 30, Outcome.OK);
        finalRead("a", 1000, Observed.value(1));
        Verdict v = check();
        assertTrue(v.has(Anomaly.Kind.LOST_WRITE), v.summary());
    }

    @Test
    void acknowledgedDeleteThenAbsentPasses() {
        write("a", 1, 0, 10, Outcome.OK);
        delete("a", 20, 30, Outcome.OK);
        read("a", 40, 50, Observed.absent());
        finalRead("a", 1000, Observed.absent());
        assertTrue(check().ok(), check().summary());
    }

    @Test
    void staleReadDuringWorkloadIsFound() {
        write("a", 1, 0, 10, Outcome.OK);
        write("a", 2, 20, 30, Outcome.OK);
        read("a", 40, 50, Observed.value(1));
        finalRead("a", 1000, Observed.value(2));
        Verdict v = check();
        assertTrue(v.has(Anomaly.Kind.STALE_READ), v.summary());
        assertFalse(v.has(Anomaly.Kind.LOST_WRITE));
        assertEquals(0, v.lostAckedWrites());
    }

    @Test
    void readOfAbsentAfterAcknowledgedWriteIsStale() {
        write("a", 1, 0, 10, Outcome.OK);
        read("a", 20, 30, Observed.absent());
        finalRead("a", 1000, Observed.value(1));
        assertTrue(check().has(Anomaly.Kind.STALE_READ));
    }

    @Test
    void phantomBytesAreAlwaysWrong() {
        write("a", 1, 0, 10, Outcome.OK);
        read("a", 20, 30, Observed.garbage("write#1 differs at byte 77"));
        finalRead("a", 1000, Observed.value(1));
        Verdict v = check();
        assertTrue(v.has(Anomaly.Kind.PHANTOM_BYTES), v.summary());
        assertEquals(1, v.anomalies().size());
    }

    @Test
    void phantomBytesDuringConvergenceAreWrongToo() {
        write("a", 1, 0, 10, Outcome.OK);
        add(Phase.CONVERGENCE, OpType.READ, "a", 0, 500, 501, Outcome.OK, Observed.garbage("no payload header"), null);
        finalRead("a", 1000, Observed.value(1));
        assertTrue(check().has(Anomaly.Kind.PHANTOM_BYTES));
    }

    @Test
    void staleReadsDuringConvergenceAreAllowed() {
        write("a", 1, 0, 10, Outcome.OK);
        write("a", 2, 20, 30, Outcome.OK);
        add(Phase.CONVERGENCE, OpType.READ, "a", 0, 500, 501, Outcome.OK, Observed.value(1), null);
        finalRead("a", 1000, Observed.value(2));
        assertTrue(check().ok(), check().summary());
    }

    @Test
    void writeIdNeverIssuedIsUnknown() {
        write("a", 1, 0, 10, Outcome.OK);
        read("a", 20, 30, Observed.value(99));
        finalRead("a", 1000, Observed.value(1));
        assertTrue(check().has(Anomaly.Kind.UNKNOWN_WRITE));
    }

    @Test
    void anotherKeysWriteIsUnknownForThisKey() {
        write("a", 1, 0, 10, Outcome.OK);
        write("b", 2, 0, 10, Outcome.OK);
        read("a", 20, 30, Observed.value(2));
        finalRead("a", 1000, Observed.value(1));
        finalRead("b", 1000, Observed.value(2));
        assertTrue(check().has(Anomaly.Kind.UNKNOWN_WRITE));
    }

    @Test
    void readFromTheFutureIsFound() {
        read("a", 0, 10, Observed.value(1));
        write("a", 1, 20, 30, Outcome.OK);
        finalRead("a", 1000, Observed.value(1));
        assertTrue(check().has(Anomaly.Kind.READ_FROM_FUTURE));
    }

    @Test
    void concurrentOverlappingWritesMayEitherWin() {
        write("a", 1, 0, 100, Outcome.OK);
        write("a", 2, 50, 150, Outcome.OK);
        read("a", 200, 210, Observed.value(1));
        read("a", 220, 230, Observed.value(2));
        finalRead("a", 1000, Observed.value(1));
        Verdict v = check();
        assertTrue(v.ok(), v.summary());
    }

    @Test
    void readConcurrentWithWriteMaySeeOldOrNew() {
        write("a", 1, 0, 10, Outcome.OK);
        write("a", 2, 100, 200, Outcome.OK);
        read("a", 150, 160, Observed.value(1));
        read("a", 150, 160, Observed.value(2));
        finalRead("a", 1000, Observed.value(2));
        assertTrue(check().ok(), check().summary());
    }

    @Test
    void readConcurrentWithFirstWriteMaySeeAbsent() {
        write("a", 1, 0, 100, Outcome.OK);
        read("a", 50, 60, Observed.absent());
        finalRead("a", 1000, Observed.value(1));
        assertTrue(check().ok(), check().summary());
    }

    @Test
    void indeterminateWriteMayOrMayNotBeVisible() {
        write("a", 1, 0, 10, Outcome.OK);
        write("a", 2, 20, 30, Outcome.INDETERMINATE);
        read("a", 40, 50, Observed.value(1));
        read("a", 60, 70, Observed.value(2));
        finalRead("a", 1000, Observed.value(1));
        assertTrue(check().ok(), check().summary());

        ops.clear();
        write("b", 3, 0, 10, Outcome.OK);
        write("b", 4, 20, 30, Outcome.INDETERMINATE);
        finalRead("b", 1000, Observed.value(4));
        assertTrue(check().ok(), check().summary());
        assertEquals(1, check().indeterminateWritesSeen());
    }

    @Test
    void indeterminateWriteIsStillSupersededByLaterAcknowledgedOne() {
        // The unanswered write may land late, so it is never "superseded": but an acknowledged write
        // that started after the final known point of every other candidate still must not be lost.
        write("a", 1, 0, 10, Outcome.OK);
        write("a", 2, 20, 30, Outcome.OK);
        write("a", 3, 40, 50, Outcome.INDETERMINATE);
        finalRead("a", 1000, Observed.value(1));
        assertTrue(check().has(Anomaly.Kind.LOST_WRITE));
    }

    @Test
    void failedWriteMustNotBecomeVisible() {
        write("a", 1, 0, 10, Outcome.OK);
        write("a", 2, 20, 30, Outcome.FAILED);
        finalRead("a", 1000, Observed.value(2));
        Verdict strict = check();
        assertTrue(strict.has(Anomaly.Kind.FAILED_WRITE_VISIBLE), strict.summary());
        Verdict lenient = new Checker(new Checker.Options(true, true)).check(ops);
        assertTrue(lenient.ok(), lenient.summary());
    }

    @Test
    void failedWriteDoesNotSupersede() {
        write("a", 1, 0, 10, Outcome.OK);
        write("a", 2, 20, 30, Outcome.FAILED);
        finalRead("a", 1000, Observed.value(1));
        assertTrue(check().ok(), check().summary());
    }

    @Test
    void keyWithoutFinalReadIsUnverified() {
        write("a", 1, 0, 10, Outcome.OK);
        read("a", 20, 30, Observed.value(1));
        Verdict v = check();
        assertTrue(v.has(Anomaly.Kind.UNVERIFIED_KEY), v.summary());
        assertTrue(new Checker(new Checker.Options(false, false)).check(ops).ok());
    }

    @Test
    void failedFinalReadDoesNotVerify() {
        write("a", 1, 0, 10, Outcome.OK);
        add(Phase.FINAL, OpType.READ, "a", 0, 1000, 1001, Outcome.FAILED, null, null);
        assertTrue(check().has(Anomaly.Kind.UNVERIFIED_KEY));
    }

    @Test
    void keysWithOnlyFailedWritesNeedNoVerification() {
        write("a", 1, 0, 10, Outcome.FAILED);
        assertTrue(check().ok(), check().summary());
    }

    @Test
    void listingOfNeverWrittenKeyIsPhantom() {
        write("a", 1, 0, 10, Outcome.OK);
        list(20, 30, "a", "ghost");
        finalRead("a", 1000, Observed.value(1));
        Verdict v = check();
        assertTrue(v.has(Anomaly.Kind.PHANTOM_LISTING), v.summary());
        assertEquals("ghost", v.anomalies().get(0).key());
    }

    @Test
    void listingOfDeletedKeyIsPhantom() {
        write("a", 1, 0, 10, Outcome.OK);
        delete("a", 20, 30, Outcome.OK);
        list(40, 50, "a");
        finalRead("a", 1000, Observed.absent());
        assertTrue(check().has(Anomaly.Kind.PHANTOM_LISTING));
    }

    @Test
    void listingMissingAnExistingKeyIsFound() {
        write("a", 1, 0, 10, Outcome.OK);
        write("b", 2, 0, 10, Outcome.OK);
        list(20, 30, "a");
        finalRead("a", 1000, Observed.value(1));
        finalRead("b", 1000, Observed.value(2));
        Verdict v = check();
        assertTrue(v.has(Anomaly.Kind.MISSING_FROM_LISTING), v.summary());
    }

    @Test
    void listingConcurrentWithWriteAndDeleteMayGoEitherWay() {
        write("a", 1, 0, 10, Outcome.OK);
        delete("a", 15, 40, Outcome.OK);
        write("b", 2, 15, 40, Outcome.OK);
        list(20, 30, "a");
        list(20, 30, "b");
        finalRead("a", 1000, Observed.absent());
        finalRead("b", 1000, Observed.value(2));
        assertTrue(check().ok(), check().summary());
    }

    @Test
    void duplicateWriteIdsAreRejectedAsABrokenHistory() {
        write("a", 1, 0, 10, Outcome.OK);
        write("b", 1, 0, 10, Outcome.OK);
        assertThrows(IllegalArgumentException.class, this::check);
    }

    @Test
    void operationsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> add(Phase.WORKLOAD, OpType.READ, "a", 0, 10, 5, Outcome.OK, Observed.absent(), null));
        assertThrows(IllegalArgumentException.class, () -> add(Phase.WORKLOAD, OpType.READ, "a", 0, 0, 5, Outcome.OK, null, null));
        assertThrows(IllegalArgumentException.class, () -> add(Phase.WORKLOAD, OpType.WRITE, "a", 0, 0, 5, Outcome.OK, null, null));
    }
}
