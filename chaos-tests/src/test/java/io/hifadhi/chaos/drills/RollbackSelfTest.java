package io.hifadhi.chaos.drills;

import io.hifadhi.chaos.checker.Anomaly;
import io.hifadhi.chaos.checker.Checker;
import io.hifadhi.chaos.checker.Verdict;
import io.hifadhi.chaos.harness.NodeProcess;
import io.hifadhi.chaos.harness.NodeSpec;
import io.hifadhi.chaos.workload.FinalVerification;
import io.hifadhi.chaos.workload.WorkloadConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the drill pipeline can fail: a real node is made to lose acknowledged writes (its data
 * directory is rolled back to a copy taken earlier, as a disk that lied about fsync would) and the
 * same workload, verification and checker the drills use must report them as lost.
 */
@Tag("quick")
class RollbackSelfTest {

    @Test
    void rolledBackDataDirectoryIsReportedAsLostWrites() throws Exception {
        try (DrillRun run = DrillRun.start("self-test-rollback",
                "Self-test: roll the node's data directory back to an earlier copy; the checker must report lost writes.",
                1, NodeSpec.singleNode(List.of("--chunk-size", "64KiB")))) {
            NodeProcess node = run.cluster.node(0);
            Path snapshot = run.dir().resolve("snapshot");

            run.startWorkload(WorkloadConfig.mixed(2, 10, 150, Duration.ofSeconds(2), 3));
            Thread.sleep(1_000);
            run.stopWorkload();
            node.kill();
            copy(node.dataDir(), snapshot);
            node.start();
            node.awaitHealthy(Duration.ofSeconds(60));

            long ackedBefore = ackedWrites(run);
            run.startWorkload(WorkloadConfig.mixed(2, 10, 400, Duration.ofSeconds(15), 4));
            // Enough acknowledged writes after the snapshot that the rollback must lose some, even on a slow machine.
            for (int i = 0; i < 150 && ackedWrites(run) - ackedBefore < 20 && run.workloadRunning(); i++) {
                Thread.sleep(100);
            }
            run.stopWorkload();
            node.kill();
            delete(node.dataDir());
            copy(snapshot, node.dataDir());
            node.start();
            node.awaitHealthy(Duration.ofSeconds(60));

            FinalVerification.Result convergence = new FinalVerification(run.history, run.clients).run(Duration.ofSeconds(10), Duration.ofMillis(500));
            Verdict verdict = new Checker().check(run.history.snapshot());
            run.report(verdict, convergence, List.of("Expected verdict: FAIL with LOST_WRITE (this is the self-test)."), (d, r) -> { });

            assertFalse(verdict.ok(), "a rolled-back node must fail the check");
            assertTrue(verdict.has(Anomaly.Kind.LOST_WRITE), verdict.summary());
            assertTrue(verdict.lostAckedWrites() > 0);
            assertFalse(verdict.has(Anomaly.Kind.PHANTOM_BYTES), "old bytes are real writes, not phantoms: " + verdict.summary());
        }
    }

    private static long ackedWrites(DrillRun run) {
        return run.history.snapshot().stream().filter(o -> o.type() == io.hifadhi.chaos.history.OpType.WRITE && o.ok()).count();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
