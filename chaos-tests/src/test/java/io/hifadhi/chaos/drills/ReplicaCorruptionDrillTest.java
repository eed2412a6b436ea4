package io.hifadhi.chaos.drills;

import io.hifadhi.chaos.checker.Checker;
import io.hifadhi.chaos.history.Observed;
import io.hifadhi.chaos.history.Operation;
import io.hifadhi.chaos.history.Payload;
import io.hifadhi.chaos.history.Phase;
import io.hifadhi.chaos.report.DrillReport;
import io.hifadhi.chaos.workload.Probes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drill 5 on a cluster: three nodes (N=3, W=2, R=2), so every chunk has a copy on each node. Damage
 * chunk files on one replica (a flipped byte, a truncated file, a deleted file), then read the
 * objects through that replica (which tries its own disk first) and through the others. Every read
 * must return the right bytes, served from a good copy; the damaged replica should then hold a good
 * copy again (a replica that had to fetch a chunk it should hold stores it), also across a restart.
 *
 * <p>Chunk files are found by their documented name, the SHA-256 of their bytes.
 */
@Tag("quick")
class ReplicaCorruptionDrillTest {
    private static final int CHUNK = 64 * 1024;
    private static final int BIG = 2 * CHUNK + 20_000;
    private static final int VICTIM = 1;


    @Test
    void readsOfDamagedChunksAreServedFromAnotherReplica() throws Exception {
        try (DrillRun run = DrillRun.start("replica-corruption",
                "Three nodes (N=3 W=2 R=2): flip a byte in, truncate, and delete chunk files on node " + VICTIM
                        + ", then read the objects through every node.",
                3, DrillRun.clusterSpec(3, 2, 2))) {
            List<String> damagedKeys = List.of("big-flip", "big-truncate", "big-delete");
            Map<String, Operation> writes = new LinkedHashMap<>();
            for (String key : damagedKeys) {
                writes.put(key, write(run, key, BIG));
            }
            writes.put("big-intact", write(run, "big-intact", BIG));
            writes.put("small-intact", write(run, "small-intact", 2_000));

            Path victimDir = run.cluster.node(VICTIM).dataDir();
            List<String> notes = new ArrayList<>();
            Map<String, Path> damagedFiles = new LinkedHashMap<>();
            Map<String, String> damagedIds = new LinkedHashMap<>();
            ChunkDamage[] damages = ChunkDamage.values();
            for (int i = 0; i < damagedKeys.size(); i++) {
                String key = damagedKeys.get(i);
                List<String> ids = chunkIds(Payload.body(key, writes.get(key).writeId(), BIG));
                String victim = ids.get(i % ids.size());
                // W=2: the third copy may still be on its way when the write was acknowledged.
                Path file = awaitFile(victimDir, victim, Duration.ofSeconds(20))
                        .orElseThrow(() -> new AssertionError("chunk " + victim + " of " + key + " never reached node " + VICTIM));
                damages[i].applyTo(file);
                damagedFiles.put(key, file);
                damagedIds.put(key, victim);
                notes.add(damages[i] + " on chunk " + (i % ids.size()) + " of '" + key + "' on node " + VICTIM + ": " + victimDir.relativize(file));
            }

            boolean allRight = true;
            List<String> seen = new ArrayList<>();
            // Through the damaged replica first (it reads its own disk first), then through the others.
            int[] order = {VICTIM, (VICTIM + 1) % 3, (VICTIM + 2) % 3};
            for (int node : order) {
                for (String key : writes.keySet()) {
                    Operation r = read(run, node, key, Phase.WORKLOAD);
                    boolean right = r.ok() && r.observed().equals(Observed.value(writes.get(key).writeId()));
                    allRight &= right;
                    if (!right || damagedKeys.contains(key)) {
                        seen.add("via node " + node + ", '" + key + "': " + r.outcome() + (r.ok() ? " " + r.observed() : " " + r.error()));
                    }
                }
            }
            List<String> repaired = new ArrayList<>();
            List<String> notRepaired = new ArrayList<>();
            for (String key : damagedKeys) {
                Optional<Path> good = awaitGoodCopy(victimDir, damagedIds.get(key), Duration.ofSeconds(10));
                (good.isPresent() ? repaired : notRepaired).add(key + " chunk " + damagedIds.get(key).substring(0, 12));
            }
            notes.add("good copy back on node " + VICTIM + " after the reads: " + repaired + "; still damaged or missing: " + notRepaired);

            run.killAndRestart(VICTIM, Duration.ofMillis(200));
            run.awaitClusterFormed(Duration.ofSeconds(30));
            boolean afterRestart = true;
            for (int node = 0; node < 3; node++) {
                for (String key : writes.keySet()) {
                    Operation r = read(run, node, key, Phase.FINAL);
                    boolean right = r.ok() && r.observed().equals(Observed.value(writes.get(key).writeId()));
                    afterRestart &= right;
                    if (!right) {
                        seen.add("after restart via node " + node + ", '" + key + "': " + r.outcome() + (r.ok() ? " " + r.observed() : " " + r.error()));
                    }
                }
            }
            notes.addAll(seen);
            boolean right = allRight;
            boolean restartRight = afterRestart;
            DrillReport report = run.report(new Checker().check(run.history.snapshot()), null, notes, (draft, x) -> {
                x.check("every read of a damaged object through any node returned the right bytes", right, "");
                x.check("the damaged replica holds a good copy of every damaged chunk again", notRepaired.isEmpty(),
                        "repaired " + repaired + ", not " + notRepaired);
                x.check("after restarting the damaged replica every object still reads correctly through every node", restartRight, "");
            });
            DrillRun.assertPassed(report, run.dir());
        }
    }

    private static Operation write(DrillRun run, String key, int size) {
        Operation op = Probes.write(run.history, 0, 0, Phase.WORKLOAD, run.clients.get(0), key, size);
        run.history.add(op);
        assertTrue(op.ok(), "write of " + key + " failed: " + op.error());
        return op;
    }

    private static Operation read(DrillRun run, int node, String key, Phase phase) {
        Operation op = Probes.read(run.history, 0, node, phase, run.clients.get(node), key);
        run.history.add(op);
        return op;
    }

    private static List<String> chunkIds(byte[] body) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int off = 0; off < body.length; off += CHUNK) {
            ids.add(sha256(Arrays.copyOfRange(body, off, Math.min(body.length, off + CHUNK))));
        }
        return ids;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static Optional<Path> find(Path dataDir, String name) throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(p -> p.getFileName().toString().equals(name) && Files.isRegularFile(p)).findFirst();
        }
    }

    private static Optional<Path> awaitFile(Path dataDir, String name, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Path> f = find(dataDir, name);
            if (f.isPresent()) {
                return f;
            }
            Thread.sleep(200);
        }
        return Optional.empty();
    }

    /** A file named {@code id} whose bytes hash to {@code id}. */
    private static Optional<Path> awaitGoodCopy(Path dataDir, String id, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Path> f = find(dataDir, id);
            if (f.isPresent() && sha256(Files.readAllBytes(f.get())).equals(id)) {
                return f;
            }
            Thread.sleep(200);
        }
        return Optional.empty();
    }
}
