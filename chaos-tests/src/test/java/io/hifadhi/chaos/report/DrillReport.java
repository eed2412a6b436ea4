package io.hifadhi.chaos.report;

import java.util.List;
import java.util.Map;

/**
 * Everything a drill run established, in the form written to report.json. Times in milliseconds;
 * fault times are relative to the start of the workload.
 */
public record DrillReport(String drill, String description, String profile, String api, String startedAt,
                          long durationMillis, int nodes, String nodeSpec, Operations operations,
                          List<Fault> faults, Availability availability, Convergence convergence,
                          CheckerResult checker, List<Check> checks, List<String> errorSamples, List<String> notes) {

    /** The drill passes when the checker found nothing and every drill-specific check held. */
    public boolean passed() {
        return checker.ok() && checks.stream().allMatch(Check::passed);
    }

    /** A drill-specific expectation beyond the history check, e.g. "the node came back after every kill". */
    public record Check(String name, boolean passed, String detail) {
    }

    /** Counts per operation type and outcome, e.g. {@code WRITE -> {OK: 812, INDETERMINATE: 3}}. */
    public record Operations(int total, int ok, Map<String, Map<String, Integer>> byTypeAndOutcome) {
    }

    /**
     * @param recoveryMillis        from the end of the fault (restart or SIGCONT) to the node answering health; -1 if never
     * @param clientRecoveryMillis  from the end of the fault to the first successful client operation on that node; -1 if none
     * @param detectMillis          from the fault to the first client operation on that node that ended without success
     *                              (client-observed detection); -1 if none
     * @param clusterDetectMillis   from the fault to another member first showing the node {@code reachable:false}
     *                              in {@code /api/v1/cluster}; -1 if not seen or not measured
     * @param clusterRejoinMillis   from the end of the fault until every member that had lost the node showed it
     *                              reachable again; -1 if not seen or not measured
     * @param opsOnOthers           operations overlapping the fault window sent to nodes that were not faulted then
     * @param okOnOthers            of those, how many succeeded
     * @param writesOkOnOthers      acknowledged writes among them
     * @param readsOkOnOthers       successful reads among them
     */
    public record Fault(String kind, int node, long atMillis, long durationMillis, long recoveryMillis,
                        long clientRecoveryMillis, long detectMillis, int opsDuring, int okDuring,
                        double successRateDuring, String detail, long clusterDetectMillis, long clusterRejoinMillis,
                        int opsOnOthers, int okOnOthers, double successRateOnOthers, int writesOkOnOthers, int readsOkOnOthers) {
    }

    /** Operations overlapping any fault window (fault start to node healthy again) versus the rest. */
    public record Availability(int opsDuringFaults, int okDuringFaults, double successRateDuringFaults,
                               int opsOutsideFaults, int okOutsideFaults, double successRateOutsideFaults) {
    }

    public record Convergence(boolean converged, long millis, int rounds, long boundMillis, List<String> disagreements) {
    }

    public record CheckerResult(boolean ok, String summary, long acknowledgedWrites, long acknowledgedDeletes,
                                long lostAcknowledgedWrites, long indeterminateWritesSeen, int readsChecked, int listsChecked, int keysVerified,
                                Map<String, Integer> anomalyCounts, List<String> anomalies) {
    }
}
