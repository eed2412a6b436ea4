package io.hifadhi.chaos.report;

import io.hifadhi.chaos.checker.Anomaly;
import io.hifadhi.chaos.checker.Verdict;
import io.hifadhi.chaos.history.FaultEvent;
import io.hifadhi.chaos.history.OpType;
import io.hifadhi.chaos.history.Operation;
import io.hifadhi.chaos.history.Phase;
import io.hifadhi.chaos.workload.FinalVerification;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Turns a history, its faults and the checker's verdict into a {@link DrillReport}. Pure computation. */
public final class ReportBuilder {
    private static final int MAX_LISTED = 50;

    private ReportBuilder() {
    }

    public static DrillReport build(String drill, String description, String profile, String api, String startedAt,
                                    long workloadStartNanos, long durationMillis, int nodes, String nodeSpec,
                                    List<Operation> history, List<FaultEvent> faults, FinalVerification.Result convergence,
                                    Verdict verdict, List<DrillReport.Check> checks, List<String> notes) {
        List<Operation> workload = history.stream().filter(o -> o.phase() == Phase.WORKLOAD).toList();
        return new DrillReport(drill, description, profile, api, startedAt, durationMillis, nodes, nodeSpec,
                operations(history), faults(workloadStartNanos, faults, workload), availability(faults, workload),
                convergence == null ? null : new DrillReport.Convergence(convergence.converged(), convergence.millis(),
                        convergence.rounds(), convergence.boundMillis(), convergence.disagreements()),
                checker(verdict), List.copyOf(checks), errorSamples(history), List.copyOf(notes));
    }

    static DrillReport.Operations operations(List<Operation> history) {
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        int ok = 0;
        for (Operation op : history) {
            String type = op.phase() == Phase.WORKLOAD ? op.type().name() : op.phase() + "_" + op.type();
            counts.computeIfAbsent(type, k -> new TreeMap<>()).merge(op.outcome().name(), 1, Integer::sum);
            if (op.ok()) {
                ok++;
            }
        }
        return new DrillReport.Operations(history.size(), ok, counts);
    }

    static List<DrillReport.Fault> faults(long workloadStart, List<FaultEvent> faults, List<Operation> workload) {
        List<DrillReport.Fault> out = new ArrayList<>();
        for (FaultEvent f : faults) {
            long windowEnd = f.windowEndNanos();
            // Nodes that were out at some point of this window (two of five go down together): not "others".
            Set<Integer> faulted = new HashSet<>();
            for (FaultEvent g : faults) {
                if (g.startNanos() < windowEnd && f.startNanos() < g.windowEndNanos()) {
                    faulted.add(g.node());
                }
            }
            int during = 0;
            int okDuring = 0;
            int others = 0;
            int okOthers = 0;
            int writesOthers = 0;
            int readsOthers = 0;
            long detect = -1;
            long clientRecovery = -1;
            for (Operation op : workload) {
                if (op.overlaps(f.startNanos(), windowEnd)) {
                    during++;
                    if (op.ok()) {
                        okDuring++;
                    }
                    if (!faulted.contains(op.node())) {
                        others++;
                        if (op.ok()) {
                            okOthers++;
                            writesOthers += op.type() == OpType.WRITE ? 1 : 0;
                            readsOthers += op.type() == OpType.READ ? 1 : 0;
                        }
                    }
                }
                if (op.node() == f.node() && !op.ok() && op.endNanos() >= f.startNanos() && op.endNanos() <= windowEnd) {
                    long d = op.endNanos() - f.startNanos();
                    detect = detect < 0 ? d : Math.min(detect, d);
                }
                if (op.node() == f.node() && op.ok() && op.startNanos() >= f.endNanos()) {
                    long r = op.endNanos() - f.endNanos();
                    clientRecovery = clientRecovery < 0 ? r : Math.min(clientRecovery, r);
                }
            }
            out.add(new DrillReport.Fault(f.kind(), f.node(), millis(f.startNanos() - workloadStart),
                    millis(f.endNanos() - f.startNanos()), f.recovered() ? millis(f.recoveredNanos() - f.endNanos()) : -1,
                    clientRecovery < 0 ? -1 : millis(clientRecovery), detect < 0 ? -1 : millis(detect),
                    during, okDuring, rate(okDuring, during), f.detail(),
                    f.clusterDetectNanos() > 0 ? millis(f.clusterDetectNanos() - f.startNanos()) : -1,
                    f.clusterRejoinNanos() > 0 ? millis(f.clusterRejoinNanos() - f.endNanos()) : -1,
                    others, okOthers, rate(okOthers, others), writesOthers, readsOthers));
        }
        return out;
    }

    static DrillReport.Availability availability(List<FaultEvent> faults, List<Operation> workload) {
        int during = 0;
        int okDuring = 0;
        int outside = 0;
        int okOutside = 0;
        for (Operation op : workload) {
            boolean inFault = faults.stream().anyMatch(f -> op.overlaps(f.startNanos(), f.recovered() ? f.recoveredNanos() : Long.MAX_VALUE));
            if (inFault) {
                during++;
                okDuring += op.ok() ? 1 : 0;
            } else {
                outside++;
                okOutside += op.ok() ? 1 : 0;
            }
        }
        return new DrillReport.Availability(during, okDuring, rate(okDuring, during), outside, okOutside, rate(okOutside, outside));
    }

    static DrillReport.CheckerResult checker(Verdict v) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        v.counts().forEach((k, n) -> counts.put(k.name(), n));
        return new DrillReport.CheckerResult(v.ok(), v.summary(), v.ackedWrites(), v.ackedDeletes(), v.lostAckedWrites(), v.indeterminateWritesSeen(),
                v.readsChecked(), v.listsChecked(), v.keysVerified(), counts,
                v.anomalies().stream().limit(MAX_LISTED).map(Anomaly::toString).toList());
    }

    static List<String> errorSamples(List<Operation> history) {
        Map<String, Integer> byMessage = new LinkedHashMap<>();
        for (Operation op : history) {
            if (!op.ok() && op.error() != null) {
                String msg = op.type() + " " + op.outcome() + ": " + (op.error().length() > 160 ? op.error().substring(0, 160) + "..." : op.error());
                byMessage.merge(msg, 1, Integer::sum);
            }
        }
        return byMessage.entrySet().stream().limit(20).map(e -> e.getValue() + "x " + e.getKey()).toList();
    }

    private static double rate(int ok, int total) {
        return total == 0 ? 1.0 : Math.round(10_000.0 * ok / total) / 10_000.0;
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
