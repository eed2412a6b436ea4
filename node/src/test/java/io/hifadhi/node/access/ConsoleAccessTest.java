package io.hifadhi.node.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may do what through the console, over real HTTP to a real node: the cookie's attributes, CSRF
 * refusals, one answer for unknown keys and wrong secrets, a read-only key refused a write by S3's own
 * check, admin pages only with the SHARD-KEY, share links refused when changed, expired, from another
 * network or after their key was deleted, and objects served sandboxed.
 */
class ConsoleAccessTest {
    private static final String SHARD_KEY = "console-access-test-shard-key-01234";
    private static final String ROOT = "HFDCONSOLEACCESSROOT";
    private static final String ROOT_SECRET = "console-access-root-secret-0123456789abc";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static Node node;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        node = new Node(NodeConfig.builder(dir.resolve("data")).name("console").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey(SHARD_KEY).accessKey(ROOT).secretKey(ROOT_SECRET).build(),
                new PrintStream(new ByteArrayOutputStream()));
        node.start();
        base = "http://127.0.0.1:" + node.httpPort();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void browsersAreSentToTheConsoleAndS3ClientsAreNot() throws Exception {
        HttpResponse<String> browser = send(HttpRequest.newBuilder(URI.create(base + "/")).header("Accept", "text/html,*/*"));
        assertEquals(303, browser.statusCode());
        assertEquals("/ui/", browser.headers().firstValue("Location").orElse(""));
        HttpResponse<String> s3 = send(HttpRequest.newBuilder(URI.create(base + "/")).header("Accept", "text/html")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=x"));
        assertEquals(400, s3.statusCode(), "a malformed signature is S3's to answer: " + s3.body());
        assertTrue(s3.body().contains("<Error>"), s3.body());

        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base + "/ui/")));
        assertEquals(200, page.statusCode());
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && csp.contains("default-src 'none'") && !csp.contains("unsafe"), csp);
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals(404, send(HttpRequest.newBuilder(URI.create(base + "/ui/%2e%2e/credentials.properties"))).statusCode());
    }

    @Test
    void signInChecksTheKeyAndTheCookieIsStrict() throws Exception {
        HttpResponse<String> noHeader = send(HttpRequest.newBuilder(URI.create(base + "/ui/api/session"))
                .POST(HttpRequest.BodyPublishers.ofString(signIn(ROOT, ROOT_SECRET))));
        assertEquals(403, noHeader.statusCode(), "sign-in without the console header");
        HttpResponse<String> wrong = console("POST", "/ui/api/session", signIn(ROOT, "wrong"), null);
        HttpResponse<String> unknown = console("POST", "/ui/api/session", signIn("HFDNOSUCHKEY0000", "wrong"), null);
        assertEquals(401, wrong.statusCode());
        assertEquals(401, unknown.statusCode());
        assertEquals(JSON.readTree(wrong.body()).get("message"), JSON.readTree(unknown.body()).get("message"),
                "the console tells nobody which keys exist");
        assertFalse(wrong.headers().firstValue("Set-Cookie").isPresent());

        HttpResponse<String> ok = console("POST", "/ui/api/session", signIn(ROOT, ROOT_SECRET), null);
        assertEquals(200, ok.statusCode(), ok.body());
        String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
        for (String attribute : new String[]{"HttpOnly", "SameSite=Strict", "Path=/ui/", "Max-Age=28800"}) {
            assertTrue(setCookie.contains(attribute), setCookie);
        }
        assertFalse(ok.body().contains(ROOT_SECRET), "the secret is never echoed");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        // Changes need the console's header, and from another site's page not even then.
        assertEquals(403, send(HttpRequest.newBuilder(URI.create(base + "/ui/s3/csrf")).header("Cookie", cookie)
                .PUT(HttpRequest.BodyPublishers.noBody())).statusCode());
        assertEquals(403, send(HttpRequest.newBuilder(URI.create(base + "/ui/s3/csrf")).header("Cookie", cookie)
                .header("X-Hifadhi-Console", "1").header("Origin", "http://evil.example")
                .PUT(HttpRequest.BodyPublishers.noBody())).statusCode());
        assertEquals(200, console("PUT", "/ui/s3/csrf", null, cookie).statusCode());

        // Signed out, the cookie opens nothing.
        assertEquals(204, console("DELETE", "/ui/api/session", null, cookie).statusCode());
        assertEquals(401, console("GET", "/ui/s3/", null, cookie).statusCode());
        assertEquals(401, console("GET", "/ui/s3/", null, "hifadhi_console=made-up").statusCode());
    }

    @Test
    void aKeyDoesOnlyWhatItMayAndItsLinksDieWithIt() throws Exception {
        String root = session(signIn(ROOT, ROOT_SECRET));
        assertEquals(200, console("PUT", "/ui/s3/gallery", null, root).statusCode());
        assertEquals(200, console("PUT", "/ui/s3/gallery/cat.html", "<script>alert(1)</script>", root).statusCode());
        assertEquals(200, console("PUT", "/ui/s3/private", null, root).statusCode());
        HttpResponse<String> rootAdmin = console("GET", "/ui/admin/cluster", null, root);
        assertEquals(403, rootAdmin.statusCode(), "admin pages need the SHARD-KEY");

        HttpResponse<String> made = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/keys")).header("SHARD-KEY", SHARD_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"viewer\",\"buckets\":{\"gallery\":\"read\"}}")));
        assertEquals(201, made.statusCode(), made.body());
        JsonNode key = JSON.readTree(made.body());
        String viewer = session(signIn(key.get("access_key").asText(), key.get("secret_key").asText()));

        HttpResponse<String> read = console("GET", "/ui/s3/gallery/cat.html", null, viewer);
        assertEquals(200, read.statusCode());
        assertTrue(read.headers().firstValue("Content-Security-Policy").orElse("").startsWith("sandbox"),
                "a stored page must not run as the console");
        HttpResponse<String> write = console("PUT", "/ui/s3/gallery/dog.txt", "woof", viewer);
        assertEquals(403, write.statusCode());
        assertTrue(write.body().contains("AccessDenied"), write.body());
        assertEquals(403, console("GET", "/ui/s3/private/", null, viewer).statusCode());
        assertEquals(403, console("POST", "/ui/api/share", "{\"bucket\":\"private\",\"key\":\"x\"}", viewer).statusCode());

        String link = JSON.readTree(console("POST", "/ui/api/share", "{\"bucket\":\"gallery\",\"key\":\"cat.html\",\"expires_in\":600}",
                viewer).body()).get("url").asText();
        assertEquals("<script>alert(1)</script>", send(HttpRequest.newBuilder(URI.create(link))).body());
        assertEquals(403, send(HttpRequest.newBuilder(URI.create(link.replace("cat.html", "cat.htm")))).statusCode());
        assertEquals(403, send(HttpRequest.newBuilder(URI.create(link.replace("Expires=", "Expires=9")))).statusCode());

        String elsewhere = JSON.readTree(console("POST", "/ui/api/share", "{\"bucket\":\"gallery\",\"key\":\"cat.html\","
                + "\"ip\":\"203.0.113.0/24\"}", viewer).body()).get("url").asText();
        HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create(elsewhere)));
        assertEquals(403, refused.statusCode());
        assertEquals("share_ip_refused", JSON.readTree(refused.body()).get("error").asText());

        String brief = JSON.readTree(console("POST", "/ui/api/share", "{\"bucket\":\"gallery\",\"key\":\"cat.html\","
                + "\"expires_in\":1}", viewer).body()).get("url").asText();
        Thread.sleep(2100);
        assertEquals("share_expired", JSON.readTree(send(HttpRequest.newBuilder(URI.create(brief))).body()).get("error").asText());
        assertEquals(400, console("POST", "/ui/api/share", "{\"bucket\":\"gallery\",\"key\":\"cat.html\",\"ip\":\"nowhere\"}",
                viewer).statusCode());

        // The key deleted: its session and its links stop at once.
        assertEquals(204, send(HttpRequest.newBuilder(URI.create(base + "/api/v1/keys/" + key.get("access_key").asText()))
                .header("SHARD-KEY", SHARD_KEY).DELETE()).statusCode());
        assertEquals(401, console("GET", "/ui/s3/gallery/cat.html", null, viewer).statusCode());
        assertEquals(403, send(HttpRequest.newBuilder(URI.create(link))).statusCode());

        String admin = session("{\"shard_key\":\"" + SHARD_KEY + "\"}");
        assertEquals(200, console("GET", "/ui/admin/cluster", null, admin).statusCode());
        assertEquals(403, console("GET", "/ui/s3/", null, admin).statusCode(), "no access key, no buckets");
        assertEquals(401, console("POST", "/ui/api/session", "{\"shard_key\":\"nope\"}", null).statusCode());
    }

    private static String signIn(String access, String secret) {
        return "{\"access_key\":\"" + access + "\",\"secret_key\":\"" + secret + "\"}";
    }

    private static String session(String body) throws Exception {
        HttpResponse<String> r = console("POST", "/ui/api/session", body, null);
        assertEquals(200, r.statusCode(), r.body());
        String c = r.headers().firstValue("Set-Cookie").orElseThrow();
        return c.substring(0, c.indexOf(';'));
    }

    private static HttpResponse<String> console(String method, String path, String body, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("X-Hifadhi-Console", "1")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return send(b);
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
