package io.hifadhi.chaos.harness;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness against a real node process: health, SIGSTOP/SIGCONT, SIGKILL and restart on the same data. */
class HarnessTest {

    @Test
    void startPauseResumeKillRestart() throws Exception {
        Path dir = Path.of(System.getProperty("chaos.outputDir", "target/chaos"), "harness");
        try (ClusterHarness cluster = ClusterHarness.create(JarLocator.locate(), dir, 1, NodeSpec.singleNode(List.of()))) {
            cluster.startAll();
            NodeProcess node = cluster.node(0);
            assertTrue(node.healthy(Duration.ofSeconds(2)));
            long firstPid = node.pid();

            node.pause();
            assertTrue(node.alive());
            assertFalse(node.healthy(Duration.ofMillis(800)), "a stopped process must not answer");
            node.resume();
            node.awaitHealthy(Duration.ofSeconds(10));
            assertEquals(firstPid, node.pid(), "SIGCONT continues the same process");

            node.kill();
            assertFalse(node.alive());
            assertFalse(node.healthy(Duration.ofMillis(800)), "a killed node must not answer");

            node.start();
            node.awaitHealthy(ClusterHarness.START_TIMEOUT);
            assertNotEquals(firstPid, node.pid());
            assertEquals(2, node.incarnation());
            assertTrue(Files.isDirectory(node.dataDir()));

            String log = Files.readString(node.logFile());
            for (String marker : List.of("start #1", "SIGSTOP", "SIGCONT", "SIGKILL", "start #2")) {
                assertTrue(log.contains("chaos harness") && log.contains(marker), "log lacks " + marker);
            }
            assertFalse(log.contains(cluster.shardKey()), "the shard key must not be printed to the log");
        }
    }

    @Test
    void threeJoinedNodesGetTheirOwnPortsDirectoriesAndLogs() {
        Path dir = Path.of(System.getProperty("chaos.outputDir", "target/chaos"), "harness-three");
        NodeSpec spec = new NodeSpec(3, 2, 2, true, List.of(), NodeSpec.LEAN_JVM);
        try (ClusterHarness cluster = ClusterHarness.create(JarLocator.locate(), dir, 3, spec)) {
            cluster.startAll();
            assertEquals(3, cluster.nodes().stream().map(NodeProcess::httpPort).distinct().count());
            assertEquals(3, cluster.nodes().stream().map(NodeProcess::dataDir).distinct().count());
            for (NodeProcess n : cluster.nodes()) {
                assertTrue(n.healthy(Duration.ofSeconds(2)), n.name());
                assertTrue(Files.isRegularFile(n.logFile()), n.name());
            }
            cluster.node(1).kill();
            assertTrue(cluster.node(0).healthy(Duration.ofSeconds(2)) && cluster.node(2).healthy(Duration.ofSeconds(2)),
                    "killing one node leaves the others running");
            cluster.node(1).start();
            cluster.node(1).awaitHealthy(ClusterHarness.START_TIMEOUT);
        }
    }
}
