package io.hifadhi.node.keys;

import io.hifadhi.node.Node;
import io.hifadhi.node.cli.KeyCommand;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.hifadhi.node.keys.KeyAdmin.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code hifadhi key ...} against a running node: as a real process (java ... io.hifadhi.node.Main key
 * ...) for the round trip and exit statuses, in-process for the error messages. The SHARD-KEY comes
 * from the node's data directory, as an operator on the node's machine would use it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KeyCliTest {
    @TempDir
    static Path tmp;
    Node node;
    String endpoint;
    S3Client root;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    void start() throws Exception {
        // No shard key or access key configured: the node generates them into credentials.properties.
        node = new Node(NodeConfig.builder(tmp.resolve("data")).name("cli").bindAddress("127.0.0.1").httpPort(0).clusterPort(0).build(),
                new PrintStream(new ByteArrayOutputStream()));
        node.start();
        endpoint = "http://127.0.0.1:" + node.httpPort();
        root = KeyAdmin.s3(node.httpPort(), node.credentials().accessKey(), node.credentials().secretKey());
        root.createBucket(r -> r.bucket("photos"));
        root.putObject(r -> r.bucket("photos").key("cat.jpg"), RequestBody.fromString("meow"));
    }

    @AfterAll
    void stop() {
        root.close();
        node.close();
    }

    /** {@code java -cp <test classpath> io.hifadhi.node.Main key <args>} with no SHARD_KEY in its environment. */
    private Run process(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
        cmd.addAll(NodeProcess.ATOMIX_OPENS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.hifadhi.node.Main", "key"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("SHARD_KEY");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the CLI did not exit");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Run inProcess(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = KeyCommand.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String field(String output, String label) {
        Matcher m = Pattern.compile("(?m)^\\s+" + label + "\\s+(\\S+)\\s*$").matcher(output);
        assertTrue(m.find(), "no '" + label + "' in: " + output);
        return m.group(1);
    }

    @Test
    void createListDeleteRoundTripAsAProcess() throws Exception {
        String dataDir = node.dataDir().toString();
        Run created = process("create", "--endpoint", endpoint, "--data-dir", dataDir, "--name", "cli-job",
                "--bucket", "photos=read", "--bucket", "backups=readwrite");
        assertEquals(0, created.exit(), created.err());
        String id = field(created.out(), "access key");
        String secret = field(created.out(), "secret key");
        assertTrue(created.out().contains("backups=readwrite, photos=read"), created.out());
        assertTrue(created.out().contains("shown only this once"), created.out());

        try (S3Client made = KeyAdmin.s3(node.httpPort(), id, secret)) {
            assertEquals("meow", made.getObjectAsBytes(r -> r.bucket("photos").key("cat.jpg")).asUtf8String());
            fails("AccessDenied", 403, () -> made.putObject(r -> r.bucket("photos").key("cat.jpg"), RequestBody.fromString("woof")));

            Run list = process("list", "--endpoint", endpoint, "--data-dir", dataDir);
            assertEquals(0, list.exit(), list.err());
            List<String> lines = list.out().lines().toList();
            assertTrue(lines.get(0).matches("ACCESS KEY\\s+NAME\\s+ROOT\\s+CREATED\\s+BUCKETS"), list.out());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(id) && l.contains("cli-job") && l.contains(" no ")
                    && l.endsWith("backups=readwrite, photos=read")), list.out());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(node.credentials().accessKey()) && l.contains("bootstrap key of cli")
                    && l.contains(" yes ")), list.out());
            assertFalse(list.out().contains(secret) || list.out().contains(node.credentials().secretKey()), "list shows no secret");
            assertTrue(list.out().contains("2 keys"), list.out());

            Run deleted = process("delete", id, "--endpoint", endpoint, "--data-dir", dataDir);
            assertEquals(0, deleted.exit(), deleted.err());
            assertTrue(deleted.out().contains("Deleted access key " + id), deleted.out());
            fails("InvalidAccessKeyId", 403, () -> made.getObjectAsBytes(r -> r.bucket("photos").key("cat.jpg")));
        }
        Run after = process("list", "--endpoint", endpoint, "--data-dir", dataDir);
        assertFalse(after.out().contains(id), after.out());
        assertTrue(after.out().contains("1 key"), after.out());

        Run gone = process("delete", id, "--endpoint", endpoint, "--data-dir", dataDir);
        assertEquals(1, gone.exit());
        assertTrue(gone.err().contains("No access key with that id"), gone.err());
    }

    @Test
    void anUnreachableNodeIsSaidPlainlyWithExitStatusOne() throws Exception {
        int nothing = NodeProcess.freePort();
        Run r = process("list", "--endpoint", "http://127.0.0.1:" + nothing, "--shard-key", "whatever");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("cannot reach the node at http://127.0.0.1:" + nothing), r.err());
        assertFalse(r.err().contains("Exception"), "no stack trace: " + r.err());
    }

    @Test
    void errorsSayWhatIsWrong() {
        String dataDir = node.dataDir().toString();
        Run wrong = inProcess(Map.of(), "list", "--endpoint", endpoint, "--shard-key", "not-the-cluster-key");
        assertEquals(1, wrong.exit());
        assertTrue(wrong.err().contains("refused the SHARD-KEY") && wrong.err().contains("does not match"), wrong.err());
        assertFalse(wrong.err().contains("not-the-cluster-key"), "the key sent is not echoed");

        // SHARD_KEY from the environment wins over the data directory
        Run envWrong = inProcess(Map.of("SHARD_KEY", "also-wrong"), "list", "--endpoint", endpoint, "--data-dir", dataDir);
        assertEquals(1, envWrong.exit());
        Run envRight = inProcess(Map.of("SHARD_KEY", node.credentials().shardKey()), "list", "--endpoint", endpoint);
        assertEquals(0, envRight.exit(), envRight.err());

        Run noKey = inProcess(Map.of(), "list", "--endpoint", endpoint, "--data-dir", tmp.resolve("nowhere").toString());
        assertEquals(2, noKey.exit());
        assertTrue(noKey.err().contains("no SHARD-KEY"), noKey.err());

        Run badBucket = inProcess(Map.of(), "create", "--endpoint", endpoint, "--data-dir", dataDir, "--name", "x", "--bucket", "photos=admin");
        assertEquals(2, badBucket.exit());
        assertTrue(badBucket.err().contains("read, write or readwrite"), badBucket.err());

        Run noName = inProcess(Map.of(), "create", "--endpoint", endpoint, "--data-dir", dataDir);
        assertEquals(2, noName.exit());
        assertTrue(noName.err().contains("--name"), noName.err());

        Run rootDelete = inProcess(Map.of(), "delete", node.credentials().accessKey(), "--endpoint", endpoint, "--data-dir", dataDir);
        assertEquals(1, rootDelete.exit());
        assertTrue(rootDelete.err().contains("bootstrap (root) key"), rootDelete.err());

        Run serverRefusal = inProcess(Map.of(), "create", "--endpoint", endpoint, "--data-dir", dataDir, "--name", "x", "--bucket", "NO_SUCH=read");
        assertEquals(1, serverRefusal.exit());
        assertTrue(serverRefusal.err().contains("is not a bucket name"), serverRefusal.err());
    }

    @Test
    void showAndUpdate() {
        String dataDir = node.dataDir().toString();
        Run created = inProcess(Map.of(), "create", "--endpoint", endpoint, "--data-dir", dataDir, "--name", "changing", "--bucket", "photos=read");
        assertEquals(0, created.exit(), created.err());
        String id = field(created.out(), "access key");
        Run updated = inProcess(Map.of(), "update", id, "--endpoint", endpoint, "--data-dir", dataDir, "--bucket", "photos=readwrite");
        assertEquals(0, updated.exit(), updated.err());
        Run shown = inProcess(Map.of(), "show", id, "--endpoint", endpoint, "--data-dir", dataDir);
        assertEquals(0, shown.exit(), shown.err());
        assertEquals("photos=readwrite", field(shown.out(), "buckets"));
        assertEquals("changing", field(shown.out(), "name"));
        assertEquals(0, inProcess(Map.of(), "delete", id, "--endpoint", endpoint, "--data-dir", dataDir).exit());
    }
}
