package io.hifadhi.chaos.drills;

import io.hifadhi.chaos.checker.Checker;
import io.hifadhi.chaos.harness.NodeSpec;
import io.hifadhi.chaos.harness.TmpfsMount;
import io.hifadhi.chaos.history.OpType;
import io.hifadhi.chaos.history.Operation;
import io.hifadhi.chaos.history.Outcome;
import io.hifadhi.chaos.history.Phase;
import io.hifadhi.chaos.report.DrillReport;
import io.hifadhi.chaos.workload.FinalVerification;
import io.hifadhi.chaos.workload.Probes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;


/**
 * Drill 6 on a single node: its data directory is a small tmpfs, nearly filled with a ballast file
 * before the writes begin. Writes must then fail with a clear error answer (not hang or time out),
 * the node must stay up, nothing half-written may be left (no temp files, every chunk file matches
 * its name's SHA-256), every acknowledged write must read back intact and no failed write may be
 * visible. Then the ballast is removed and writes must succeed again without a restart.
 * Needs the right to mount a tmpfs; elsewhere it fails with the reason, never skips.
 */
@Tag("full")
class FullDiskDrillTest {
    private static final long DISK = 48L << 20;
    private static final long HEADROOM = 3L << 20;
    private static final int ATTEMPTS = 150;
    private static final Pattern CLEAR_CAUSE = Pattern.compile("(?i)disk|space|storage|full");
    private static final Pattern CHUNK_NAME = Pattern.compile("[0-9a-f]{64}");

    @Test
    void fullDiskGivesClearErrorsAndLeavesNothingHalfWritten() throws Exception {
        Path drillDir = DrillRun.outputDir().resolve("full-disk");
        TmpfsMount.unmountIfMounted(drillDir.resolve("node-0-data"));
        TmpfsMount[] mount = new TmpfsMount[1];
        String[] whyNot = new String[1];
        DrillRun run = DrillRun.start("full-disk",
                "Single node on a " + (DISK >> 20) + " MiB tmpfs filled to " + (HEADROOM >> 20) + " MiB free; write until the disk is full, then free space.",
                1, NodeSpec.singleNode(List.of("--chunk-size", "64KiB")), cluster -> {
                    Object m = TmpfsMount.tryMount(cluster.node(0).dataDir(), DISK);
                    if (m instanceof TmpfsMount t) {
                        mount[0] = t;
                    } else {
                        whyNot[0] = (String) m;
                    }
                });
        try {
            if (mount[0] == null) {
                fail("the full-disk drill needs a tmpfs (run it as root, sudo ./test -Pchaos): " + whyNot[0]);
            }
            Path dataDir = run.cluster.node(0).dataDir();
            Path ballast = dataDir.resolve("chaos-ballast");
            fill(ballast, Files.getFileStore(dataDir).getUsableSpace() - HEADROOM);

            List<String> notes = new ArrayList<>();
            int acked = 0;
            int failed = 0;
            for (int i = 0; i < ATTEMPTS && failed < 20; i++) {
                int size = i % 5 == 4 ? 3_000 : 100_000 + (600 * i) % 60_000;
                Operation op = Probes.write(run.history, 0, 0, Phase.WORKLOAD, run.clients.get(0), "k-" + (i % 40), size);
                run.history.add(op);
                if (op.ok()) {
                    acked++;
                } else {
                    failed++;
                }
            }
            notes.add(acked + " writes acknowledged, then " + failed + " refused on the full disk");
            List<Operation> refused = run.history.snapshot().stream().filter(o -> o.type() == OpType.WRITE && !o.ok()).toList();
            boolean answered = refused.stream().allMatch(o -> o.outcome() == Outcome.FAILED);
            boolean clear = !refused.isEmpty() && refused.stream().allMatch(o -> CLEAR_CAUSE.matcher(o.error()).find());
            String firstError = refused.isEmpty() ? "none" : refused.get(0).error();
            boolean healthy = run.cluster.node(0).healthy(Duration.ofSeconds(2));
            String halfWritten = halfWritten(dataDir, notes);

            Files.delete(ballast);
            Operation after = Probes.write(run.history, 0, 0, Phase.WORKLOAD, run.clients.get(0), "after-free", 120_000);
            run.history.add(after);

            FinalVerification.Result convergence = new FinalVerification(run.history, run.clients).run(Duration.ofSeconds(10), Duration.ofMillis(500));
            int refusedCount = failed;
            DrillReport report = run.report(new Checker().check(run.history.snapshot()), convergence, notes, (draft, r) -> {
                r.check("the disk filled up", refusedCount > 0, refusedCount + " writes refused");
                r.check("refused writes got an error answer, not a timeout", answered, firstError);
                r.check("the error names the cause (e.g. 507 Insufficient Storage, 'disk full')", clear, firstError);
                r.check("the node stayed up on a full disk", healthy, "");
                r.check("nothing half-written: no temp files, every chunk file matches its SHA-256 name", halfWritten == null,
                        halfWritten == null ? "" : halfWritten);
                r.check("writes succeed again once space is freed, without a restart", after.ok(), after.ok() ? "" : after.error());
            });
            DrillRun.assertPassed(report, run.dir());
        } finally {
            run.close();
            if (mount[0] != null) {
                mount[0].close();
            }
        }
    }

    private static void fill(Path file, long bytes) throws IOException {
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
    }

    /** Null when no temp file is left behind and every chunk file's bytes hash to its name; else what is wrong. */
    private static String halfWritten(Path dataDir, List<String> notes) throws Exception {
        int chunks = 0;
        try (Stream<Path> walk = Files.walk(dataDir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".part") || name.endsWith(".tmp")) {
                    return "temp file left behind: " + dataDir.relativize(p);
                }
                if (CHUNK_NAME.matcher(name).matches()) {
                    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
                    if (!hash.equals(name)) {
                        return "chunk file does not match its name: " + dataDir.relativize(p);
                    }
                    chunks++;
                }
            }
        }
        notes.add(chunks + " chunk files verified against their SHA-256 names");
        return null;
    }
}
