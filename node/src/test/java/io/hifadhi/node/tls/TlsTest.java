package io.hifadhi.node.tls;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.config.NodeStartException;
import io.hifadhi.node.testing.DebianProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --tls-cert/--tls-key: the node speaks HTTPS with the given identity (a real certificate made by
 * openssl, trusted by the client), presigned links say https, and a key file the node cannot use
 * stops the start with a message saying how to convert it.
 */
class TlsTest {
    private static final String KEY = "tls-test-shard-key-0123456789abc";

    @TempDir
    Path dir;

    @Test
    void servesHttpsWithTheGivenCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        Node node = new Node(NodeConfig.builder(dir.resolve("data")).name("secure").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey(KEY).tls(cert, key).build(), new PrintStream(new ByteArrayOutputStream()));
        node.start();
        try {
            String base = "https://localhost:" + node.httpPort();
            HttpClient https = HttpClient.newBuilder().sslContext(trusting(cert)).connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> health = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());

            HttpResponse<String> stored = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/store/secure%40note.txt"))
                    .header("SHARD-KEY", KEY).PUT(HttpRequest.BodyPublishers.ofString("over tls")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, stored.statusCode(), stored.body());
            HttpResponse<String> minted = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/presign"))
                    .header("SHARD-KEY", KEY).POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"secure@note.txt\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String url = new ObjectMapper().readTree(minted.body()).get("url").asText();
            assertTrue(url.startsWith("https://"), "links handed out over TLS must say https: " + url);
            HttpResponse<String> viaLink = https.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("over tls", viaLink.body());

            // A client refused (wrong key) while it still sends 8 MiB reads the whole answer over TLS too (lingering close).
            try (javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) trusting(cert).getSocketFactory()
                    .createSocket("127.0.0.1", node.httpPort())) {
                tls.setSoTimeout(20_000);
                java.io.OutputStream out = tls.getOutputStream();
                int size = 8 << 20;
                out.write(("PUT /api/v1/store/secure%40refused.bin HTTP/1.1\r\nHost: localhost\r\nSHARD-KEY: not-the-key\r\n"
                        + "Content-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                byte[] piece = new byte[64 * 1024];
                for (int sent = 0; sent < size; sent += piece.length) {
                    out.write(piece);
                    Thread.sleep(2);
                }
                out.flush();
                String answer = new String(tls.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertTrue(answer.matches("(?s)HTTP/1.1 40[13] .*\\{\"error\":.*\\}"), answer);
            }

            // Plain HTTP to the TLS port gets nothing useful.
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            boolean refused;
            try {
                HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
                        + "/api/v1/health")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                refused = r.statusCode() != 200;
            } catch (IOException e) {
                refused = true;
            }
            assertTrue(refused, "plain HTTP must not be served on the TLS port");
        } finally {
            node.close();
        }
    }

    @Test
    void aKeyInTheWrongFormatStopsTheStartSayingHowToConvertIt() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "1", "-subj", "/CN=localhost");
        Path traditional = dir.resolve("rsa.pem");
        openssl("rsa", "-in", key.toString(), "-out", traditional.toString(), "-traditional");
        Node node = new Node(NodeConfig.builder(dir.resolve("data2")).name("secure").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey(KEY).tls(cert, traditional).build(), new PrintStream(new ByteArrayOutputStream()));
        NodeStartException e = assertThrows(NodeStartException.class, node::start);
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.builder(dir).tls(cert, null).build(),
                "a certificate without its key is refused");
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("node", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(DebianProgram.OPENSSL.require().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl " + String.join(" ", args) + ": " + out);
    }
}
