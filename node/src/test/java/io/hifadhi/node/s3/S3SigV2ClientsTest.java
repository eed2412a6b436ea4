package io.hifadhi.node.s3;

import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Signature Version 2 with the clients that still send it, against a real node: boto3 (Debian's
 * 1.26 and any newer one on the PATH; its default presign is V2), s3cmd with {@code signature_v2},
 * and the aws CLI's presign (v1 presigns with V2 by default; Debian's 2.9 presigns with V4). A key
 * with read permission only shows V2 requests get the same permission checks as SigV4.
 */
class S3SigV2ClientsTest {
    private static final String SHARD_KEY = "sigv2-test-shard-key-0123456789";

    @TempDir
    static Path tmp;
    static Node node;
    static String endpoint;
    static String readOnlyKey;
    static String readOnlySecret;

    @BeforeAll
    static void startNode() throws Exception {
        node = new Node(NodeConfig.builder(tmp.resolve("data")).name("sigv2").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey(SHARD_KEY).accessKey(S3TestSupport.ACCESS_KEY)
                .secretKey(S3TestSupport.SECRET_KEY).build(), new PrintStream(new ByteArrayOutputStream()));
        node.start();
        endpoint = "http://127.0.0.1:" + node.httpPort();
        try (var s3 = S3TestSupport.client(node.httpPort())) {
            for (String b : List.of("boto3-v2", "s3cmd-v2", "cli-v2", "s3cmd-acl")) {
                s3.createBucket(r -> r.bucket(b));
            }
        }
        S3TestSupport.KeyPair reader = S3TestSupport.createKey(endpoint, SHARD_KEY, "v2-reader",
                "{\"boto3-v2\":\"read\",\"s3cmd-v2\":\"read\"}");
        readOnlyKey = reader.accessKey();
        readOnlySecret = reader.secretKey();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    static Stream<String> pythons() throws Exception {
        return S3TestSupport.pythons();
    }

    @ParameterizedTest
    @MethodSource("pythons")
    void boto3SignsWithVersion2(String python) throws Exception {
        Path script = tmp.resolve("boto3_sigv2.py");
        try (InputStream in = S3SigV2ClientsTest.class.getResourceAsStream("/s3/boto3_sigv2.py")) {
            Files.write(script, in.readAllBytes());
        }
        S3TestSupport.Result r = run(List.of(python, script.toString(), endpoint, "boto3-v2", S3TestSupport.ACCESS_KEY,
                S3TestSupport.SECRET_KEY, readOnlyKey, readOnlySecret), Map.of());
        assertEquals(0, r.exit(), python + " (install python3-boto3):\n" + r.out());
        assertTrue(r.out().trim().endsWith("ALL OK"), r.out());
    }

    @Test
    void s3cmdWithSignatureV2() throws Exception {
        Path work = Files.createTempDirectory(tmp, "s3cmd");
        Path big = work.resolve("big.bin");
        byte[] data = new byte[12 << 20];
        new Random(5).nextBytes(data);
        Files.write(big, data);
        Path config = s3cmdConfig(work, S3TestSupport.ACCESS_KEY, S3TestSupport.SECRET_KEY);
        // 5 MiB parts: uploadId and partNumber are signed subresources
        s3cmd(config, true, "put", "--multipart-chunk-size-mb=5", big.toString(), "s3://s3cmd-v2/d/big ä.bin");
        String ls = s3cmd(config, true, "ls", "-r", "s3://s3cmd-v2");
        assertTrue(ls.matches("(?s).* " + (12 << 20) + " +s3://s3cmd-v2/d/big ä\\.bin\\s*"), ls);
        Path back = work.resolve("back.bin");
        s3cmd(config, true, "get", "s3://s3cmd-v2/d/big ä.bin", back.toString());
        assertArrayEquals(data, Files.readAllBytes(back));
        String url = s3cmd(config, true, "signurl", "s3://s3cmd-v2/d/big ä.bin", "+300").trim();
        assertTrue(url.contains("AWSAccessKeyId=") && url.contains("Signature="), url);
        HttpResponse<byte[]> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, got.statusCode(), new String(got.body(), StandardCharsets.UTF_8));
        assertArrayEquals(data, got.body());

        Path readOnly = s3cmdConfig(work, readOnlyKey, readOnlySecret);
        s3cmd(readOnly, true, "get", "--force", "s3://s3cmd-v2/d/big ä.bin", back.toString());
        String refused = s3cmd(readOnly, false, "put", back.toString(), "s3://s3cmd-v2/not-allowed.bin");
        assertTrue(refused.contains("AccessDenied") || refused.contains("403"), refused);
        s3cmd(config, true, "del", "s3://s3cmd-v2/d/big ä.bin");
        assertEquals("", s3cmd(config, true, "ls", "-r", "s3://s3cmd-v2").trim());
    }

    /**
     * s3cmd's ACLs, then plain unsigned GETs as a browser or curl makes them: {@code put --acl-public} (x-amz-acl on the
     * PUT, and on CreateMultipartUpload for a file it sends in parts), {@code setacl --acl-public / --acl-private} (an
     * AccessControlPolicy document after reading the current one) on an object and on the bucket, and {@code info}
     * showing the ACL it reads back.
     */
    @Test
    void s3cmdPublicAcls() throws Exception {
        Path work = Files.createTempDirectory(tmp, "s3cmd-acl");
        Path config = s3cmdConfig(work, S3TestSupport.ACCESS_KEY, S3TestSupport.SECRET_KEY);
        Path small = work.resolve("small.txt");
        Files.writeString(small, "public from s3cmd");
        Path big = work.resolve("big.bin");
        byte[] data = new byte[(6 << 20) + 5];
        new Random(6).nextBytes(data);
        Files.write(big, data);
        s3cmd(config, true, "put", "--acl-public", small.toString(), "s3://s3cmd-acl/pub/small.txt");
        s3cmd(config, true, "put", "--acl-public", "--multipart-chunk-size-mb=5", big.toString(), "s3://s3cmd-acl/pub/big.bin");
        s3cmd(config, true, "put", small.toString(), "s3://s3cmd-acl/private.txt");
        assertEquals(200, anonymousGet("/s3cmd-acl/pub/small.txt").statusCode());
        assertEquals("public from s3cmd", new String(anonymousGet("/s3cmd-acl/pub/small.txt").body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> bigGot = anonymousGet("/s3cmd-acl/pub/big.bin");
        assertEquals(200, bigGot.statusCode());
        assertArrayEquals(data, bigGot.body());
        assertEquals(403, anonymousGet("/s3cmd-acl/private.txt").statusCode());
        assertTrue(s3cmd(config, true, "info", "s3://s3cmd-acl/pub/small.txt").contains("*anon*: READ"));

        s3cmd(config, true, "setacl", "--acl-public", "s3://s3cmd-acl/private.txt");
        assertEquals(200, anonymousGet("/s3cmd-acl/private.txt").statusCode());
        s3cmd(config, true, "setacl", "--acl-private", "s3://s3cmd-acl/pub/small.txt");
        assertEquals(403, anonymousGet("/s3cmd-acl/pub/small.txt").statusCode());
        assertTrue(!s3cmd(config, true, "info", "s3://s3cmd-acl/pub/small.txt").contains("*anon*"));
        // A grant to one key by its canonical user ID: s3cmd reads the object's ACL (GetObjectAcl), adds the grant and
        // puts the whole AccessControlPolicy back (PutObjectAcl); the key (no permission on this bucket) reads it then.
        try (var reader = S3TestSupport.client(node.httpPort(), readOnlyKey, readOnlySecret,
                software.amazon.awssdk.regions.Region.US_EAST_1)) {
            String readerId = reader.listBuckets().owner().id();
            Runnable read = () -> reader.getObjectAsBytes(r -> r.bucket("s3cmd-acl").key("pub/small.txt"));
            assertEquals(403, org.junit.jupiter.api.Assertions.assertThrows(
                    software.amazon.awssdk.services.s3.model.S3Exception.class, read::run).statusCode());
            s3cmd(config, true, "setacl", "--acl-grant=read:" + readerId, "s3://s3cmd-acl/pub/small.txt");
            assertTrue(s3cmd(config, true, "info", "s3://s3cmd-acl/pub/small.txt").contains(readerId + ": READ"));
            assertEquals("public from s3cmd", reader.getObjectAsBytes(r -> r.bucket("s3cmd-acl").key("pub/small.txt"))
                    .asUtf8String());
            assertEquals(403, anonymousGet("/s3cmd-acl/pub/small.txt").statusCode());
            s3cmd(config, true, "setacl", "--acl-revoke=read:" + readerId, "s3://s3cmd-acl/pub/small.txt");
            assertEquals(403, org.junit.jupiter.api.Assertions.assertThrows(
                    software.amazon.awssdk.services.s3.model.S3Exception.class, read::run).statusCode());
        }
        // The bucket: public-read opens its listing (not its objects' bodies, as on S3).
        assertEquals(403, anonymousGet("/s3cmd-acl?list-type=2").statusCode());
        s3cmd(config, true, "setacl", "--acl-public", "s3://s3cmd-acl");
        HttpResponse<byte[]> listed = anonymousGet("/s3cmd-acl?list-type=2");
        assertEquals(200, listed.statusCode());
        assertTrue(new String(listed.body(), StandardCharsets.UTF_8).contains("<Key>pub/big.bin</Key>"));
        assertEquals(403, anonymousGet("/s3cmd-acl/pub/small.txt").statusCode());
        s3cmd(config, true, "setacl", "--acl-private", "s3://s3cmd-acl");
        assertEquals(403, anonymousGet("/s3cmd-acl?list-type=2").statusCode());
    }

    /** An unsigned GET, as a browser or curl sends it. */
    private static HttpResponse<byte[]> anonymousGet(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(endpoint + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** aws presign with the CLI's own defaults, then a plain GET; Debian's 2.9 makes V4, v1 makes V2. */
    @ParameterizedTest
    @MethodSource("io.hifadhi.node.s3.S3CliClientsTest#awsClis")
    void awsCliPresignWithItsDefaults(String aws) throws Exception {
        try (var s3 = S3TestSupport.client(node.httpPort())) {
            s3.putObject(r -> r.bucket("cli-v2").key("dir/a b.txt"), software.amazon.awssdk.core.sync.RequestBody.fromString("presigned"));
        }
        Path config = tmp.resolve("aws-default-config");
        Files.writeString(config, "[default]\n");
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", S3TestSupport.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", S3TestSupport.SECRET_KEY, "AWS_CONFIG_FILE", config.toString(),
                "AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("no-credentials").toString(),
                "AWS_EC2_METADATA_DISABLED", "true", "AWS_PAGER", "");
        S3TestSupport.Result r = run(List.of(aws, "--endpoint-url", endpoint, "s3", "presign", "s3://cli-v2/dir/a b.txt"), env);
        assertEquals(0, r.exit(), r.out());
        String url = r.out().trim();
        HttpResponse<String> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, got.statusCode(), aws + " presigned " + url + ": " + got.body());
        assertEquals("presigned", got.body());
    }

    private static Path s3cmdConfig(Path dir, String key, String secret) throws Exception {
        Path config = Files.createTempFile(dir, "s3cfg", "");
        String host = endpoint.substring("http://".length());
        Files.writeString(config, "[default]\naccess_key = " + key + "\nsecret_key = " + secret + "\nhost_base = " + host
                + "\nhost_bucket = " + host + "\nuse_https = False\nsignature_v2 = True\n");
        return config;
    }

    private static String s3cmd(Path config, boolean shouldSucceed, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(io.hifadhi.node.testing.DebianProgram.S3CMD.require().toString(), "-c",
                config.toString(), "--no-progress"));
        cmd.addAll(List.of(args));
        S3TestSupport.Result r = run(cmd, Map.of());
        if ((r.exit() == 0) != shouldSucceed) {
            fail(String.join(" ", cmd) + " exited " + r.exit() + ":\n" + r.out());
        }
        return r.out();
    }

    private static S3TestSupport.Result run(List<String> cmd, Map<String, String> env) throws Exception {
        return S3TestSupport.run(tmp, cmd, env);
    }
}
