package io.hifadhi.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.NodeProcess;
import io.hifadhi.node.testing.SeededStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line as a person runs it: a separate JVM against a real 3-node cluster, on a terminal
 * (a pseudo-terminal from script(1)) and piped. A 100 MiB file goes up through one node and comes back
 * byte-exact through another; progress is drawn on a terminal and nothing but the data when piped.
 */
class ClientCliTest {
    private static final String SHARD_KEY = "client-cli-test-shard-key-0123456789";
    private static final String ACCESS = "HFDCLITESTROOTKEY001";
    private static final String SECRET = "cli-test-secret-key-0123456789abcdefghij";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static final List<Node> nodes = new ArrayList<>();

    record Run(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        int seed = NodeProcess.freePort();
        for (int i = 0; i < 3; i++) {
            NodeConfig.Builder b = NodeConfig.builder(dir.resolve("n" + i)).name("cli-" + (char) ('a' + i))
                    .bindAddress("127.0.0.1").httpPort(0).clusterPort(i == 0 ? seed : NodeProcess.freePort())
                    .join(i == 0 ? List.of() : List.of("127.0.0.1:" + seed)).zone(i == 2 ? "zone-2" : "zone-1").shardKey(SHARD_KEY);
            if (i == 0) {
                b.accessKey(ACCESS).secretKey(SECRET);
            }
            Node n = new Node(b.build(), new PrintStream(new ByteArrayOutputStream()));
            n.start();
            nodes.add(n);
        }
        // Every node knows the key and sees the others before the tests start (asked in this JVM: quicker).
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            int up = 0;
            try (InputStream in = calls(nodes.get(2)).admin("GET", "/api/v1/cluster", null).body()) {
                for (JsonNode m : JSON.readTree(in).path("members")) {
                    up += m.path("state").asText().equals("UP") ? 1 : 0;
                }
            }
            calls(nodes.get(1)).s3("GET", "/", Map.of(), null, HttpResponse.BodyHandlers.discarding(), Map.of());
            return up == 3;
        });
    }

    @AfterAll
    static void stopCluster() {
        nodes.forEach(Node::close);
    }

    @Test
    void aHundredMebibytesGoUpOnATerminalAndComeBackExactThroughAPipe() throws Exception {
        assertEquals(0, s3Mb("films"));
        Path file = dir.resolve("film.bin");
        try (InputStream in = new SeededStream(42, 100L << 20); OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
        }
        String sha = sha256(Files.readAllBytes(file));

        // On a terminal: a progress bar, drawn as the bytes go.
        Run put = onTerminal(nodes.get(0), "put", file.toString(), "films/2026/");
        assertEquals(0, put.exit(), put.out());
        assertTrue(put.out().contains("100%") && put.out().contains("MiB"), "no progress bar on the terminal: " + put.out());
        assertTrue(put.out().contains("uploaded films/2026/film.bin"), put.out());

        // Piped, through another node: the exact bytes, and not one byte of progress anywhere.
        Run piped = cli(nodes.get(1), "get", "films/2026/film.bin", "-");
        assertEquals(0, piped.exit(), piped.stderr());
        assertEquals(100L << 20, piped.stdout().length);
        assertEquals(sha, sha256(piped.stdout()));
        assertEquals("", piped.stderr(), "progress noise on a pipe");

        Path back = dir.resolve("back.bin");
        Run get = onTerminal(nodes.get(2), "get", "films/2026/film.bin", back.toString());
        assertEquals(0, get.exit(), get.out());
        assertTrue(get.out().contains("100%"), "no progress bar on the terminal: " + get.out());
        assertEquals(sha, sha256(Files.readAllBytes(back)));

        Run ls = cli(nodes.get(2), "ls", "films/2026/", "--json");
        assertEquals(0, ls.exit(), ls.stderr());
        JsonNode listed = JSON.readTree(ls.stdout()).path("objects").get(0);
        assertEquals("2026/film.bin", listed.path("key").asText());
        assertEquals(100L << 20, listed.path("size").asLong());
        Run lsText = cli(nodes.get(0), "ls", "films");
        assertTrue(lsText.out().contains("DIR  2026/"), lsText.out());
    }

    @Test
    void clusterStatusShowsEveryNode() throws Exception {
        Run text = cli(nodes.get(1), "cluster", "status");
        assertEquals(0, text.exit(), text.stderr());
        for (Node n : nodes) {
            assertTrue(text.out().contains(n.name()), text.out());
        }
        assertTrue(text.out().contains("3 of 3 nodes up"), text.out());
        assertTrue(text.out().contains("zone-2"), text.out());
        assertTrue(text.out().contains("rebalance: "), "the move of data after a layout change is shown: " + text.out());
    }

    @Test
    void nodeRemoveRefusesUnknownAndReachableNodes() throws Exception {
        Run unknown = cli(nodes.get(0), "node", "remove", "no-such-node");
        assertEquals(4, unknown.exit(), unknown.stderr());
        assertTrue(unknown.stderr().contains("no-such-node"), unknown.stderr());
        Run reachable = cli(nodes.get(0), "node", "remove", nodes.get(2).name());
        assertEquals(7, reachable.exit(), reachable.stderr());
        assertTrue(reachable.stderr().contains("node leave"), "says what to do instead: " + reachable.stderr());
        assertEquals(2, cli(nodes.get(0), "node", "remove").exit(), "a name is needed");
        CliException badName = org.junit.jupiter.api.Assertions.assertThrows(CliException.class,
                () -> calls(nodes.get(0)).admin("POST", "/api/v1/cluster/remove/", null));
        assertEquals(7, badName.exitStatus(), "no name is a 400: " + badName.getMessage());
        CliException noSuchEndpoint = org.junit.jupiter.api.Assertions.assertThrows(CliException.class,
                () -> calls(nodes.get(0)).admin("POST", "/api/v1/cluster/shrink", null));
        assertEquals(4, noSuchEndpoint.exitStatus(), noSuchEndpoint.getMessage());
        // Three nodes hold three copies: none may leave before a fourth is added.
        Run leave = cli(nodes.get(1), "node", "leave", "--no-wait");
        assertEquals(7, leave.exit(), leave.stderr());
        assertTrue(leave.stderr().contains("add a node first"), leave.stderr());
        assertTrue(nodes.get(1).layout().current().member(nodes.get(1).name()).orElseThrow().role()
                == io.hifadhi.node.layout.LayoutRole.MEMBER, "still a member");
    }

    @Test
    void shareGivesALinkThatServesTheFileWithoutAKey() throws Exception {
        assertEquals(0, s3Mb("shared"));
        Path file = dir.resolve("note.txt");
        Files.writeString(file, "for your eyes");
        assertEquals(0, cli(nodes.get(0), "put", file.toString(), "shared/note.txt").exit());
        Run share = cli(nodes.get(1), "share", "shared/note.txt", "--expires", "10m", "--json");
        assertEquals(0, share.exit(), share.stderr());
        String url = JSON.readTree(share.stdout()).path("url").asText();
        HttpResponse<String> opened = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, opened.statusCode());
        assertEquals("for your eyes", opened.body());

        Run elsewhere = cli(nodes.get(1), "share", "shared/note.txt", "--ip", "203.0.113.0/24");
        assertEquals(0, elsewhere.exit(), elsewhere.stderr());
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(elsewhere.out().trim())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode(), refused.body());

        Run rm = cli(nodes.get(2), "rm", "shared/note.txt");
        assertEquals(0, rm.exit(), rm.stderr());
        assertEquals(4, cli(nodes.get(0), "get", "shared/note.txt", "-").exit(), "deleted everywhere");
    }

    @Test
    void failuresSayWhatFailedInTheExitStatus() throws Exception {
        assertEquals(0, s3Mb("errors"));
        Run missing = cli(nodes.get(0), "get", "errors/nothing-here", "-");
        assertEquals(4, missing.exit());
        assertTrue(missing.stderr().contains("NoSuchKey"), missing.stderr());
        assertEquals(0, missing.stdout().length);
        assertEquals(4, cli(nodes.get(0), "rm", "errors/nothing-here").exit());

        Map<String, String> wrong = env(nodes.get(0));
        wrong.put("HIFADHI_SECRET_KEY", "not-the-secret-at-all-0000000000000000000");
        Run denied = run(wrong, false, "ls");
        assertEquals(5, denied.exit());
        assertTrue(denied.stderr().contains("SignatureDoesNotMatch"), denied.stderr());

        Map<String, String> nowhere = env(nodes.get(0));
        nowhere.put("HIFADHI_ENDPOINT", "http://127.0.0.1:" + NodeProcess.freePort());
        Run unreachable = run(nowhere, false, "ls");
        assertEquals(3, unreachable.exit());
        assertTrue(unreachable.stderr().contains("connection refused"), unreachable.stderr());

        assertEquals(2, cli(nodes.get(0), "put").exit(), "missing arguments are a usage error");
        assertEquals(2, cli(nodes.get(0), "share", "errors/x", "--expires", "soon").exit());
        assertEquals(6, cli(nodes.get(0), "put", dir.resolve("no-such-file").toString(), "errors/").exit());
        Run noBucket = cli(nodes.get(0), "put", Files.writeString(dir.resolve("tiny"), "x").toString(), "no-such-bucket/tiny");
        assertEquals(4, noBucket.exit(), noBucket.stderr());
    }

    @Test
    void nativeFilesAreManagedByTheirInstanceNames() throws Exception {
        String instance = nodes.get(0).name();
        Path report = dir.resolve("report.pdf");
        byte[] data = new byte[3 << 20];
        new java.util.Random(5).nextBytes(data);
        Files.write(report, data);
        Run put = here(nodes.get(0), "put", report.toString(), instance + "@docs/");
        assertEquals(0, put.exit(), put.stderr());
        assertTrue(put.out().contains("uploaded " + instance + "@docs/report.pdf"), put.out());

        // ls of a directory, and of the instances.
        Run ls = here(nodes.get(1), "ls", instance + "@docs", "--json");
        assertEquals(0, ls.exit(), ls.stderr());
        JsonNode entry = JSON.readTree(ls.stdout()).path("entries").get(0);
        assertEquals("report.pdf", entry.path("name").asText());
        assertEquals(data.length, entry.path("size").asLong());
        Run roots = here(nodes.get(2), "ls", "@");
        assertTrue(roots.out().contains("DIR  " + instance + "@"), roots.out());

        // info through another node; a grant shows there and travels with a copy.
        assertEquals(0, here(nodes.get(0), "grant", instance + "@docs/report.pdf", "--ip", "203.0.113.0/24", "--expires", "1d").exit());
        Run info = here(nodes.get(2), "info", instance + "@docs/report.pdf");
        assertEquals(0, info.exit(), info.stderr());
        assertTrue(info.out().contains("application/pdf") && info.out().contains("203.0.113.0/24 until"), info.out());
        JsonNode infoJson = JSON.readTree(here(nodes.get(1), "info", instance + "@docs/report.pdf", "--json").stdout());
        assertEquals(data.length, infoJson.path("size").asLong());
        assertEquals(3, infoJson.path("replicas").size(), infoJson.toString());

        Run cp = here(nodes.get(1), "cp", instance + "@docs/report.pdf", instance + "@archive/");
        assertEquals(0, cp.exit(), cp.stderr());
        assertTrue(cp.out().contains("copied " + instance + "@docs/report.pdf to " + instance + "@archive/report.pdf")
                && cp.out().contains("1 IP grant carried"), cp.out());
        Run again = here(nodes.get(2), "cp", instance + "@docs/report.pdf", instance + "@archive/report.pdf");
        assertEquals(7, again.exit(), again.stderr());
        assertTrue(again.stderr().contains("--overwrite"), again.stderr());
        assertEquals(0, here(nodes.get(2), "cp", "--overwrite", instance + "@docs/report.pdf", instance + "@archive/report.pdf").exit());

        Run mv = here(nodes.get(2), "mv", instance + "@archive/report.pdf", instance + "@archive/2026/final.pdf", "--json");
        assertEquals(0, mv.exit(), mv.stderr());
        assertEquals(instance + "@archive/2026/final.pdf", JSON.readTree(mv.stdout()).path("to").asText());
        assertEquals(4, here(nodes.get(0), "get", instance + "@archive/report.pdf", "-").exit(), "the old name is gone");
        Run back = here(nodes.get(0), "get", instance + "@archive/2026/final.pdf", "-");
        assertEquals(0, back.exit(), back.stderr());
        assertEquals(sha256(data), sha256(back.stdout()));

        // Where it lives, and the hot-object cache on the real endpoint.
        Run locate = here(nodes.get(1), "locate", instance + "@archive/2026/final.pdf");
        assertEquals(0, locate.exit(), locate.stderr());
        for (Node n : nodes) {
            assertTrue(locate.out().contains(n.name()), locate.out());
        }
        assertTrue(locate.out().contains("chunk 0"), locate.out());
        JsonNode located = JSON.readTree(here(nodes.get(1), "locate", instance + "@archive/2026/final.pdf", "--json").stdout());
        assertTrue(located.path("chunks").size() >= 1, located.toString());
        assertEquals(4, here(nodes.get(1), "locate", instance + "@archive/nothing").exit());
        Run cache = here(nodes.get(2), "cache", "--query", instance + "@archive/2026/final.pdf", "--json");
        assertEquals(0, cache.exit(), cache.stderr());
        assertTrue(JSON.readTree(cache.stdout()).path("chunks").asInt() >= 1, cache.out());

        // Directories: an empty one stays; a full one goes only with --recursive.
        Run mkdir = here(nodes.get(0), "mkdir", instance + "@empty/inner");
        assertEquals(0, mkdir.exit(), mkdir.stderr());
        assertTrue(mkdir.out().contains("created " + instance + "@empty/inner/"), mkdir.out());
        assertTrue(here(nodes.get(1), "ls", instance + "@empty/").out().contains("DIR  inner/"));
        Run notEmpty = here(nodes.get(1), "rmdir", instance + "@archive");
        assertEquals(7, notEmpty.exit(), notEmpty.stderr());
        assertTrue(notEmpty.stderr().contains("--recursive"), notEmpty.stderr());
        Run rmdir = here(nodes.get(2), "rmdir", "--recursive", instance + "@archive");
        assertEquals(0, rmdir.exit(), rmdir.stderr());
        assertTrue(rmdir.out().contains("1 files"), rmdir.out());
        assertEquals(4, here(nodes.get(0), "ls", instance + "@archive/").exit());
        assertEquals(0, here(nodes.get(0), "rmdir", instance + "@empty/inner").exit());

        // An access key with a permission on the native space does what it allows, with no SHARD-KEY.
        Map<String, String> reader = keyEnv(nodes.get(2), "native-reader", "read");
        Run readerLs = run(reader, "ls", instance + "@docs/");
        assertEquals(0, readerLs.exit(), readerLs.stderr());
        assertTrue(readerLs.out().contains("report.pdf"), readerLs.out());
        assertEquals(sha256(data), sha256(run(reader, "get", instance + "@docs/report.pdf", "-").stdout()));
        Run readerRm = run(reader, "rm", instance + "@docs/report.pdf");
        assertEquals(5, readerRm.exit(), readerRm.stderr());
        assertTrue(readerRm.stderr().contains("may not change native files"), readerRm.stderr());
        Map<String, String> writer = keyEnv(nodes.get(0), "native-writer", "readwrite");
        assertEquals(0, run(writer, "cp", instance + "@docs/report.pdf", instance + "@keyed/copy.pdf").exit());
        assertEquals(0, run(writer, "rm", instance + "@keyed/copy.pdf").exit());
        Map<String, String> s3Only = keyEnv(nodes.get(1), "s3-only", null);
        assertEquals(5, run(s3Only, "info", instance + "@docs/report.pdf").exit(), "a key without .native permission is refused");
        // Admin endpoints stay with the SHARD-KEY, even for a root key; a wrong secret is refused.
        NodeCalls rootKeyOnly = new NodeCalls(new ClientSettings.Resolved(URI.create("http://127.0.0.1:" + nodes.get(0).httpPort()),
                ACCESS, SECRET, null, "us-east-1"), java.time.Clock.systemUTC());
        CliException admin = org.junit.jupiter.api.Assertions.assertThrows(CliException.class,
                () -> rootKeyOnly.files("GET", "/api/v1/cluster", null, Map.of()));
        assertTrue(admin.exitStatus() == 5 && admin.getMessage().contains("admin operation"), admin.getMessage());
        Map<String, String> forged = new HashMap<>(writer);
        forged.put("HIFADHI_SECRET_KEY", "not-the-secret-at-all-0000000000000000000");
        Run wrongSecret = run(forged, "ls", instance + "@docs/");
        assertEquals(5, wrongSecret.exit(), wrongSecret.stderr());

        Run rm = here(nodes.get(1), "rm", instance + "@docs/report.pdf");
        assertEquals(0, rm.exit(), rm.stderr());
        assertEquals(4, here(nodes.get(2), "rm", instance + "@docs/report.pdf").exit(), "a missing file is exit 4");
        assertEquals(2, here(nodes.get(2), "cp", instance + "@docs/a", "films/a").exit(), "no copy between S3 and native");
    }

    @Test
    void s3ObjectsAreCopiedMovedAndLocated() throws Exception {
        assertEquals(0, s3Mb("moving"));
        Path file = dir.resolve("letter.txt");
        Files.writeString(file, "dear reader");
        assertEquals(0, here(nodes.get(0), "put", file.toString(), "moving/in/letter.txt").exit());
        Run cp = here(nodes.get(1), "cp", "moving/in/letter.txt", "moving/out/");
        assertEquals(0, cp.exit(), cp.stderr());
        assertEquals(7, here(nodes.get(1), "cp", "moving/in/letter.txt", "moving/out/letter.txt").exit(), "no silent overwrite");
        Run mv = here(nodes.get(2), "mv", "moving/out/letter.txt", "moving/kept.txt");
        assertEquals(0, mv.exit(), mv.stderr());
        assertEquals(4, here(nodes.get(0), "get", "moving/out/letter.txt", "-").exit());
        assertEquals("dear reader", here(nodes.get(0), "get", "moving/kept.txt", "-").out());
        Run locate = here(nodes.get(0), "locate", "moving/kept.txt");
        assertEquals(0, locate.exit(), locate.stderr());
        assertTrue(locate.out().startsWith("moving/kept.txt") && locate.out().contains("replicas"), locate.out());
        assertEquals(4, here(nodes.get(0), "locate", "moving/none.txt").exit());
    }

    @Test
    void settingsComeFromTheConfigFile() throws Exception {
        Path config = dir.resolve("config");
        Files.writeString(config, "endpoint=http://127.0.0.1:" + nodes.get(2).httpPort() + "\naccess-key=" + ACCESS
                + "\nsecret-key=" + SECRET + "\nshard-key=" + SHARD_KEY + "\n");
        Map<String, String> env = new HashMap<>();
        env.put("HOME", dir.toString());
        env.put("HIFADHI_CONFIG", config.toString());
        Run status = run(env, false, "cluster", "status");
        assertEquals(0, status.exit(), status.stderr());
        assertTrue(status.out().contains("asked " + nodes.get(2).name()), status.out());
        Run noKey = run(Map.of("HOME", dir.toString()), false, "ls");
        assertEquals(2, noKey.exit());
        assertTrue(noKey.stderr().contains("no S3 key pair"), noKey.stderr());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static NodeCalls calls(Node node) {
        return new NodeCalls(new ClientSettings.Resolved(URI.create("http://127.0.0.1:" + node.httpPort()),
                ACCESS, SECRET, SHARD_KEY, "us-east-1"), java.time.Clock.systemUTC());
    }

    private static int s3Mb(String bucket) throws Exception {
        // Buckets are made with any S3 client; the CLI has no mb. A signed PUT through the CLI's own signer.
        return calls(nodes.get(0)).s3("PUT", NodeCalls.s3Path(bucket, null), Map.of(), null, HttpResponse.BodyHandlers.discarding(), Map.of())
                .statusCode() == 200 ? 0 : 1;
    }

    private static Map<String, String> env(Node node) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", dir.toString());
        env.put("HIFADHI_ENDPOINT", "http://127.0.0.1:" + node.httpPort());
        env.put("HIFADHI_ACCESS_KEY", ACCESS);
        env.put("HIFADHI_SECRET_KEY", SECRET);
        env.put("SHARD_KEY", SHARD_KEY);
        return env;
    }

    static Run cli(Node node, String... args) throws Exception {
        return run(env(node), false, args);
    }

    /** The environment of a new access key (and no SHARD-KEY) with {@code permission} on the native space, or none. */
    private static Map<String, String> keyEnv(Node node, String name, String permission) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode().put("name", name);
        body.putObject("buckets");
        if (permission != null) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) body.get("buckets")).put(".native", permission);
        }
        JsonNode key;
        try (InputStream in = calls(node).admin("POST", "/api/v1/keys", body.toString()).body()) {
            key = JSON.readTree(in);
        }
        Map<String, String> env = env(node);
        env.remove("SHARD_KEY");
        env.put("HIFADHI_ACCESS_KEY", key.path("access_key").asText());
        env.put("HIFADHI_SECRET_KEY", key.path("secret_key").asText());
        return env;
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ClientCommand.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    /** The CLI in this JVM (the same code and HTTP as in its own; no JVM start per command, so many checks stay quick). */
    static Run here(Node node, String... args) {
        return run(env(node), args);
    }

    private static Run onTerminal(Node node, String... args) throws Exception {
        return run(env(node), true, args);
    }

    /** The CLI in its own JVM; on a terminal through script(1), which gives it a pseudo-terminal. */
    private static Run run(Map<String, String> env, boolean terminal, String... args) throws Exception {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.hifadhi.node.Main"));
        java.addAll(List.of(args));
        List<String> cmd;
        if (terminal) {
            StringBuilder line = new StringBuilder("stty cols 120; exec");
            for (String a : java) {
                line.append(" '").append(a.replace("'", "'\\''")).append('\'');
            }
            cmd = List.of("script", "-qefc", line.toString(), "/dev/null");
        } else {
            cmd = java;
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        pb.environment().putAll(env);
        Path errFile = Files.createTempFile(dir, "stderr", ".txt");
        pb.redirectError(errFile.toFile());
        if (terminal) {
            pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        }
        Process p = pb.start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the CLI did not finish");
        return new Run(p.exitValue(), out, Files.readString(errFile));
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
