package io.hifadhi.node.s3;

import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.DebianProgram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The command-line S3 clients people already have, against a real node: the aws CLI (Debian's 2.x,
 * and any other aws on the PATH, e.g. one whose botocore sends CRC32 checksums by default) and
 * rclone. The 50 MiB file makes the CLI use multipart (it switches at 8 MiB).
 */
class S3CliClientsTest {
    private static final int BIG = 50 << 20;
    private static final Path DEBIAN_AWS = DebianProgram.AWS_CLI.locations().get(0);

    @TempDir
    static Path tmp;
    static Node node;
    static String endpoint;

    @BeforeAll
    static void startNode() throws Exception {
        node = new Node(NodeConfig.builder(tmp.resolve("data")).name("cli").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey("cli-test-shard-key-0123456789").accessKey(S3TestSupport.ACCESS_KEY)
                .secretKey(S3TestSupport.SECRET_KEY).build(), new PrintStream(new ByteArrayOutputStream()));
        node.start();
        endpoint = "http://127.0.0.1:" + node.httpPort();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    /** Debian's aws is required (./test installs it); other aws binaries on the PATH are covered too. */
    static Stream<String> awsClis() throws IOException {
        Set<String> found = new LinkedHashSet<>();
        found.add(DEBIAN_AWS.toString());
        // Where Debian's is missing its test fails saying so; the others are still found and tried.
        Path debian = Files.exists(DEBIAN_AWS) ? DEBIAN_AWS.toRealPath() : DEBIAN_AWS;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "aws");
            if (Files.isExecutable(candidate) && !candidate.toRealPath().equals(debian)) {
                found.add(candidate.toRealPath().toString());
            }
        }
        return found.stream();
    }

    @ParameterizedTest
    @MethodSource("awsClis")
    void awsCli(String aws) throws Exception {
        if (Path.of(aws).equals(DEBIAN_AWS)) {
            DebianProgram.AWS_CLI.require();
        }
        String version = run(List.of(aws, "--version"), awsEnv(), true).trim();
        String bucket = "cli-" + Integer.toHexString(aws.hashCode() & 0xfffff);
        Path work = Files.createTempDirectory(tmp, "aws");
        Path big = seeded(work.resolve("big.bin"), BIG, 7);

        aws(aws, "s3", "mb", "s3://" + bucket);
        aws(aws, "s3", "cp", big.toString(), "s3://" + bucket + "/dir/big file.bin");
        String listing = aws(aws, "s3", "ls", "s3://" + bucket + "/dir/");
        assertTrue(listing.contains(" " + BIG + " big file.bin"), version + " listed: " + listing);

        Path down = work.resolve("down.bin");
        aws(aws, "s3", "cp", "s3://" + bucket + "/dir/big file.bin", down.toString());
        assertEquals(sha256(big), sha256(down), version + ": multipart upload and download must round-trip");

        // sync up, sync down, and a second sync that must find nothing to do
        Path tree = work.resolve("tree");
        Map<String, String> expected = new TreeMap<>();
        for (String name : List.of("a.txt", "sub/b.txt", "sub/deeper/c with space.txt", "ünïcode.txt")) {
            Path f = tree.resolve(name);
            Files.createDirectories(f.getParent());
            Files.writeString(f, "contents of " + name + "\n".repeat(name.length()));
            expected.put(name, sha256(f));
        }
        aws(aws, "s3", "sync", tree.toString(), "s3://" + bucket + "/sync/");
        String again = aws(aws, "s3", "sync", tree.toString(), "s3://" + bucket + "/sync/");
        assertEquals("", again.trim(), version + ": a second sync of unchanged files must upload nothing");
        Path back = work.resolve("back");
        aws(aws, "s3", "sync", "s3://" + bucket + "/sync/", back.toString());
        assertEquals(expected, hashes(back), version + ": sync down must bring back every file");

        // presign, then a plain HTTP GET with no credentials
        String url = aws(aws, "s3", "presign", "s3://" + bucket + "/sync/a.txt", "--expires-in", "300").trim();
        HttpResponse<byte[]> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, got.statusCode(), version + " presigned URL " + url + ": " + new String(got.body(), StandardCharsets.UTF_8));
        assertEquals(expected.get("a.txt"), sha256(got.body()));
        HttpResponse<String> tampered = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url.replace("/sync/a.txt", "/sync/sub/b.txt"))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, tampered.statusCode(), "a presigned URL is for its own object only: " + tampered.body());

        aws(aws, "s3", "rm", "s3://" + bucket + "/dir/big file.bin");
        aws(aws, "s3", "rm", "--recursive", "s3://" + bucket + "/sync/");
        assertEquals("", aws(aws, "s3", "ls", "--recursive", "s3://" + bucket).trim(), version + ": everything removed");
        aws(aws, "s3", "rb", "s3://" + bucket);
        assertFalse(aws(aws, "s3", "ls").contains(bucket), version + ": bucket removed");
    }

    @org.junit.jupiter.api.Test
    void rclone() throws Exception {
        String binary = DebianProgram.RCLONE.require().toString();
        Path work = Files.createTempDirectory(tmp, "rclone");
        Path tree = work.resolve("tree");
        seeded(tree.resolve("big.bin"), 12 << 20, 11);
        for (String name : List.of("one.txt", "nested/two.txt", "nested/three four.txt")) {
            Path f = tree.resolve(name);
            Files.createDirectories(f.getParent());
            Files.writeString(f, "rclone file " + name);
        }
        rclone("mkdir", "hif:rclone-bucket");
        // A 5 MiB cutoff makes rclone upload big.bin in parts, so check must use the MD5 it keeps in metadata.
        rclone("copy", tree.toString(), "hif:rclone-bucket/data", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M");
        String ls = rclone("ls", "hif:rclone-bucket");
        for (String name : List.of("data/big.bin", "data/one.txt", "data/nested/two.txt", "data/nested/three four.txt")) {
            assertTrue(ls.contains(name), "rclone ls: " + ls);
        }
        rclone("check", tree.toString(), "hif:rclone-bucket/data");
        Path back = work.resolve("back");
        rclone("copy", "hif:rclone-bucket/data", back.toString());
        assertEquals(hashes(tree), hashes(back));

        Files.writeString(tree.resolve("one.txt"), "changed locally");
        String output = run(List.of(binary, "check", tree.toString(), "hif:rclone-bucket/data"), rcloneEnv(), false);
        assertTrue(output.contains("one.txt"), "rclone check must notice the changed file: " + output);
    }

    /**
     * rclone with {@code acl = public-read} (here as its environment form): the bucket it makes and every object it
     * uploads, in one piece or in parts, carry x-amz-acl, and are then read and listed by plain unsigned GETs; an
     * object the same rclone uploads through a remote without the setting stays private.
     */
    @org.junit.jupiter.api.Test
    void rclonePublicRead() throws Exception {
        Path tree = Files.createTempDirectory(tmp, "rclone-public");
        Path big = seeded(tree.resolve("big.bin"), (6 << 20) + 3, 12);
        Files.writeString(tree.resolve("page.html"), "<p>public</p>");
        Map<String, String> env = new java.util.HashMap<>(rcloneEnv());
        env.putAll(Map.of("RCLONE_CONFIG_PUB_TYPE", "s3", "RCLONE_CONFIG_PUB_PROVIDER", "Other",
                "RCLONE_CONFIG_PUB_ACCESS_KEY_ID", S3TestSupport.ACCESS_KEY,
                "RCLONE_CONFIG_PUB_SECRET_ACCESS_KEY", S3TestSupport.SECRET_KEY,
                "RCLONE_CONFIG_PUB_ENDPOINT", endpoint, "RCLONE_CONFIG_PUB_REGION", "us-east-1",
                "RCLONE_CONFIG_PUB_ACL", "public-read"));
        String binary = DebianProgram.RCLONE.require().toString();
        run(List.of(binary, "mkdir", "pub:rclone-public"), env, true);
        run(List.of(binary, "copy", tree.toString(), "pub:rclone-public/site", "--s3-upload-cutoff", "5M",
                "--s3-chunk-size", "5M"), env, true);
        run(List.of(binary, "copyto", tree.resolve("page.html").toString(), "hif:rclone-public/private.html"), env, true);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> page = anonymousGet(http, "/rclone-public/site/page.html");
        assertEquals(200, page.statusCode());
        assertEquals("<p>public</p>", new String(page.body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> bigGot = anonymousGet(http, "/rclone-public/site/big.bin");
        assertEquals(200, bigGot.statusCode());
        assertEquals(sha256(big), sha256(bigGot.body()));
        assertEquals(403, anonymousGet(http, "/rclone-public/private.html").statusCode());
        HttpResponse<byte[]> listed = anonymousGet(http, "/rclone-public?list-type=2");
        assertEquals(200, listed.statusCode(), "rclone made the bucket with its acl");
        assertTrue(new String(listed.body(), StandardCharsets.UTF_8).contains("<Key>site/big.bin</Key>"));
    }

    private HttpResponse<byte[]> anonymousGet(HttpClient http, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(endpoint + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private String aws(String aws, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(aws, "--endpoint-url", endpoint));
        cmd.addAll(List.of(args));
        if (args[1].equals("cp") || args[1].equals("sync")) {
            cmd.add("--no-progress");
        }
        return run(cmd, awsEnv(), true);
    }

    private String rclone(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DebianProgram.RCLONE.require().toString()));
        cmd.addAll(List.of(args));
        return run(cmd, rcloneEnv(), true);
    }

    private static Map<String, String> awsEnv() throws IOException {
        return S3TestSupport.awsCliEnv(tmp);
    }

    private static Map<String, String> rcloneEnv() {
        return Map.of("RCLONE_CONFIG", tmp.resolve("rclone.conf").toString(),
                "RCLONE_CONFIG_HIF_TYPE", "s3", "RCLONE_CONFIG_HIF_PROVIDER", "Other",
                "RCLONE_CONFIG_HIF_ACCESS_KEY_ID", S3TestSupport.ACCESS_KEY,
                "RCLONE_CONFIG_HIF_SECRET_ACCESS_KEY", S3TestSupport.SECRET_KEY,
                "RCLONE_CONFIG_HIF_ENDPOINT", endpoint, "RCLONE_CONFIG_HIF_REGION", "us-east-1");
    }

    /**
     * Runs a command to completion (bounded). Returns stdout when it should succeed, stdout and stderr
     * when it should fail; fails the test with all its output when it does otherwise.
     */
    private static String run(List<String> cmd, Map<String, String> env, boolean shouldSucceed) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        // A CA bundle means nothing to plain HTTP on loopback, and rclone's AWS SDK refuses to start with one.
        pb.environment().remove("AWS_CA_BUNDLE");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 180 s");
        }
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        if ((p.exitValue() == 0) != shouldSucceed) {
            fail(String.join(" ", cmd) + " exited " + p.exitValue() + "\nstdout: " + stdout + "\nstderr: " + stderr);
        }
        return shouldSucceed ? stdout : stdout + stderr;
    }

    private static Path seeded(Path file, int size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        Random random = new Random(seed);
        byte[] buffer = new byte[1 << 20];
        try (OutputStream o = Files.newOutputStream(file)) {
            for (int left = size; left > 0; left -= buffer.length) {
                random.nextBytes(buffer);
                o.write(buffer, 0, Math.min(left, buffer.length));
            }
        }
        return file;
    }

    private static Map<String, String> hashes(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(f).toString(), sha256(f));
            }
        }
        return out;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
