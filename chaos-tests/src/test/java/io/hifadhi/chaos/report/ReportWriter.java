package io.hifadhi.chaos.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hifadhi.chaos.history.Operation;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes report.json, report.md and history.jsonl (one operation per line) into a drill directory. */
public final class ReportWriter {
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path dir, DrillReport report, List<Operation> history) throws IOException {
        Files.createDirectories(dir);
        json.writeValue(dir.resolve("report.json").toFile(), report);
        Files.writeString(dir.resolve("report.md"), markdown(report), StandardCharsets.UTF_8);
        ObjectMapper compact = new ObjectMapper();
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("history.jsonl"), StandardCharsets.UTF_8)) {
            for (Operation op : history) {
                out.write(compact.writeValueAsString(op));
                out.write('\n');
            }
        }
    }

    static String markdown(DrillReport r) {
        StringBuilder md = new StringBuilder();
        md.append("# Drill: ").append(r.drill()).append("\n\n").append(r.description()).append("\n\n");
        md.append("* Verdict: **").append(r.passed() ? "PASS" : "FAIL").append("**\n");
        md.append("* Checker: ").append(r.checker().summary()).append('\n');
        md.append("* Profile: ").append(r.profile()).append(", API: ").append(r.api()).append(", nodes: ").append(r.nodes())
                .append(" (").append(r.nodeSpec()).append(")\n");
        md.append("* Started: ").append(r.startedAt()).append(", took ").append(r.durationMillis()).append(" ms\n");
        md.append("* Operations: ").append(r.operations().total()).append(" total, ").append(r.operations().ok()).append(" ok\n");
        md.append("* Acknowledged writes: ").append(r.checker().acknowledgedWrites()).append(", acknowledged deletes: ")
                .append(r.checker().acknowledgedDeletes()).append(", **acknowledged mutations lost: ")
                .append(r.checker().lostAcknowledgedWrites()).append("**; unanswered writes read back later: ")
                .append(r.checker().indeterminateWritesSeen()).append('\n');
        DrillReport.Availability a = r.availability();
        md.append("* Availability: ").append(percent(a.okDuringFaults(), a.opsDuringFaults())).append(" of ").append(a.opsDuringFaults())
                .append(" ops overlapping a fault succeeded; ").append(percent(a.okOutsideFaults(), a.opsOutsideFaults())).append(" of ")
                .append(a.opsOutsideFaults()).append(" ops outside faults\n");
        if (r.convergence() != null) {
            md.append("* Final state: ").append(r.convergence().converged() ? "all nodes agreed" : "nodes DID NOT agree")
                    .append(" after ").append(r.convergence().millis()).append(" ms (").append(r.convergence().rounds())
                    .append(" rounds, bound ").append(r.convergence().boundMillis()).append(" ms)\n");
        }
        if (!r.checks().isEmpty()) {
            md.append("\n## Drill checks\n\n");
            for (DrillReport.Check c : r.checks()) {
                md.append("* ").append(c.passed() ? "PASS" : "**FAIL**").append(" — ").append(c.name())
                        .append(c.detail() == null || c.detail().isEmpty() ? "" : ": " + c.detail()).append('\n');
            }
        }
        md.append("\n## Operations by type and outcome\n\n| type | outcome | count |\n|---|---|---|\n");
        for (Map.Entry<String, Map<String, Integer>> t : r.operations().byTypeAndOutcome().entrySet()) {
            for (Map.Entry<String, Integer> o : t.getValue().entrySet()) {
                md.append("| ").append(t.getKey()).append(" | ").append(o.getKey()).append(" | ").append(o.getValue()).append(" |\n");
            }
        }
        if (!r.faults().isEmpty()) {
            md.append("\n## Faults\n\nTimes in ms from workload start; recovery = fault end to healthy; client recovery = fault end to first "
                    + "successful op on that node; detect = fault start to the first failed/timed-out op on that node; "
                    + "cluster detect = fault start to another member showing it reachable:false (-1: not seen/not measured); "
                    + "rejoin = fault end to every member showing it reachable again; others = ops sent to nodes not faulted meanwhile.\n\n"
                    + "| kind | node | at | length | recovery | client recovery | detect | cluster detect | rejoin | ops during | ok during "
                    + "| ops on others | ok on others | writes ok on others | reads ok on others |\n"
                    + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (DrillReport.Fault f : r.faults()) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d (%s) | %d | %d (%s) | %d | %d |%n",
                        f.kind(), f.node(), f.atMillis(), f.durationMillis(), f.recoveryMillis(), f.clientRecoveryMillis(), f.detectMillis(),
                        f.clusterDetectMillis(), f.clusterRejoinMillis(), f.opsDuring(), f.okDuring(), percent(f.okDuring(), f.opsDuring()),
                        f.opsOnOthers(), f.okOnOthers(), percent(f.okOnOthers(), f.opsOnOthers()), f.writesOkOnOthers(), f.readsOkOnOthers()));
            }
        }
        if (!r.checker().anomalies().isEmpty()) {
            md.append("\n## Anomalies (first ").append(r.checker().anomalies().size()).append(")\n\n");
            r.checker().anomalies().forEach(s -> md.append("* ").append(s).append('\n'));
        }
        if (!r.errorSamples().isEmpty()) {
            md.append("\n## Errors seen by clients (count, first 20 distinct)\n\n");
            r.errorSamples().forEach(s -> md.append("* ").append(s.replace("|", "\\|")).append('\n'));
        }
        if (!r.notes().isEmpty()) {
            md.append("\n## Notes\n\n");
            r.notes().forEach(s -> md.append("* ").append(s).append('\n'));
        }
        return md.toString();
    }

    private static String percent(int ok, int total) {
        return total == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100.0 * ok / total);
    }
}
