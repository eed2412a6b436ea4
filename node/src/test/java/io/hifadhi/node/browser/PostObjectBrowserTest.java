package io.hifadhi.node.browser;

import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.DebianProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A browser form upload (S3 POST Object) in headless Chromium: an HTML page (itself a public-read object of the
 * bucket) holds a form with a SigV4-signed policy; the page puts a generated file into the form's file input and
 * submits it, as a person choosing a file would; the node stores it, and it reads back byte for byte.
 */
class PostObjectBrowserTest {
    private static final String ACCESS = "AKIDPOSTFORM01";
    private static final String SECRET = "post-form-secret-0123456789abcdef";
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final int SIZE = 300_000;

    @TempDir
    Path tmp;

    @Test
    void aSignedFormStoresTheChosenFile() throws Exception {
        DebianProgram.CHROMIUM.require();
        try (Node node = new Node(NodeConfig.builder(tmp.resolve("data")).name("post").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey("post-form-shard-key-0123456789").accessKey(ACCESS).secretKey(SECRET).build(),
                new PrintStream(new ByteArrayOutputStream()))) {
            node.start();
            String base = "http://127.0.0.1:" + node.httpPort();
            try (S3Client client = S3Client.builder().endpointOverride(URI.create(base)).forcePathStyle(true)
                    .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(ACCESS, SECRET))).build()) {
                client.createBucket(r -> r.bucket("forms"));
                client.putObject(r -> r.bucket("forms").key("page.html").contentType("text/html; charset=utf-8")
                        .acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString(page(base)));
                try (HeadlessChromium chromium = HeadlessChromium.launch(); HeadlessChromium.Page page = chromium.firstPage()) {
                    page.call("Page.enable", Map.of(), STEP);
                    int loads = page.events("Page.loadEventFired").size();
                    page.call("Page.navigate", Map.of("url", base + "/forms/page.html"), STEP);
                    await().atMost(STEP).until(() -> page.events("Page.loadEventFired").size() > loads);
                    int before = page.events("Page.loadEventFired").size();
                    // What a person does: choose a file (made in the page: the picker cannot be driven headless), submit.
                    page.evaluate("""
                            const bytes = new Uint8Array(%d);
                            for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 8)) & 255;
                            const files = new DataTransfer();
                            files.items.add(new File([bytes], 'chosen file.bin', {type: 'application/octet-stream'}));
                            document.getElementById('file').files = files.files;
                            document.getElementById('upload').submit();
                            true""".formatted(SIZE), STEP);
                    await().atMost(STEP).until(() -> page.events("Page.loadEventFired").size() > before);
                    String answer = page.evaluate("document.documentElement.outerHTML", STEP).asText();
                    assertTrue(answer.contains("PostResponse") && answer.contains("uploads/chosen file.bin"), answer);
                }
                byte[] expected = new byte[SIZE];
                for (int i = 0; i < SIZE; i++) {
                    expected[i] = (byte) ((i * 31 + (i >> 8)) & 255);
                }
                byte[] stored = client.getObjectAsBytes(r -> r.bucket("forms").key("uploads/chosen file.bin")).asByteArray();
                assertArrayEquals(expected, stored);
                assertEquals("application/octet-stream", client.headObject(r -> r.bucket("forms").key("uploads/chosen file.bin"))
                        .contentType());
            }
        }
    }

    /** The upload page: the form's hidden fields carry a policy signed here, as a server-side page would sign it. */
    private static String page(String base) throws Exception {
        Instant now = Instant.now();
        String day = DateTimeFormatter.ofPattern("uuuuMMdd").withZone(ZoneOffset.UTC).format(now);
        String amzDate = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now);
        String credential = ACCESS + "/" + day + "/us-east-1/s3/aws4_request";
        String policy = Base64.getEncoder().encodeToString(("""
                {"expiration":"%s","conditions":[{"bucket":"forms"},["starts-with","$key","uploads/"],
                 {"success_action_status":"201"},["starts-with","$Content-Type",""],["content-length-range",1,1048576],
                 {"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-credential":"%s"},{"x-amz-date":"%s"}]}"""
                .formatted(now.plusSeconds(600), credential, amzDate)).getBytes(StandardCharsets.UTF_8));
        byte[] key = hmac(("AWS4" + SECRET).getBytes(StandardCharsets.UTF_8), day);
        for (String part : new String[]{"us-east-1", "s3", "aws4_request"}) {
            key = hmac(key, part);
        }
        String signature = HexFormat.of().formatHex(hmac(key, policy));
        return """
                <!DOCTYPE html><html><head><title>Upload</title></head><body>
                <form id="upload" action="%s/forms" method="post" enctype="multipart/form-data">
                <input type="hidden" name="key" value="uploads/${filename}">
                <input type="hidden" name="success_action_status" value="201">
                <input type="hidden" name="Content-Type" value="application/octet-stream">
                <input type="hidden" name="x-amz-algorithm" value="AWS4-HMAC-SHA256">
                <input type="hidden" name="x-amz-credential" value="%s">
                <input type="hidden" name="x-amz-date" value="%s">
                <input type="hidden" name="policy" value="%s">
                <input type="hidden" name="x-amz-signature" value="%s">
                <label>File <input type="file" id="file" name="file"></label>
                <button type="submit">Upload</button>
                </form></body></html>""".formatted(base, credential, amzDate, policy, signature);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
}
