package io.hifadhi.node.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.auth.PresignKey;
import io.hifadhi.api.auth.PresignedLink;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.config.NodeOptions;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presigned native links against real nodes over real HTTP. "alpha" trusts no proxy; "beta" trusts
 * 127.0.0.1 as a reverse proxy. Both share the cluster secret.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PresignedLinkTest {
    static final String KEY = "presign-test-shard-key-0123456789";
    static final String FILM = "alpha%40film.bin";

    @TempDir
    static Path tmp;
    Node alpha;
    Node beta;
    int a;
    int b;
    byte[] film;

    @BeforeAll
    void start() throws Exception {
        alpha = new Node(NodeConfig.builder(tmp.resolve("alpha")).name("alpha").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey(KEY).build(), new PrintStream(new ByteArrayOutputStream()));
        alpha.start();
        // beta is configured from the command line, as an operator would: --trusted-proxies 127.0.0.1.
        NodeOptions options = new NodeOptions();
        new CommandLine(options).parseArgs("--name", "beta", "--data-dir", tmp.resolve("beta").toString(), "--bind", "127.0.0.1",
                "--http-port", "0", "--cluster-port", "0", "--data-port", "0", "--trusted-proxies", "127.0.0.1");
        NodeConfig betaConfig = options.toConfig(Map.of("SHARD_KEY", KEY));
        assertEquals(List.of("127.0.0.1"), betaConfig.trustedProxies());
        beta = new Node(betaConfig, new PrintStream(new ByteArrayOutputStream()));
        beta.start();
        a = alpha.httpPort();
        b = beta.httpPort();
        film = new byte[300_000];
        new Random(7).nextBytes(film);
        assertEquals("alpha@film.bin", new NativeClient(a, KEY).store("film.bin", film).body());
        assertEquals("beta@film.bin", new NativeClient(b, KEY).store("film.bin", film).body());
    }

    @AfterAll
    void stop() {
        alpha.close();
        beta.close();
    }

    static HttpResponse<byte[]> get(String url, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url));
        if (headers.length > 0) {
            r.headers(headers);
        }
        return Links.HTTP.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static RawHttp.Response raw(int port, String method, String target) throws Exception {
        return RawHttp.send(port, method, target, Map.of(), null);
    }

    static void assertRefused(RawHttp.Response r, int status, String error) throws Exception {
        assertEquals(status, r.status(), r.text());
        assertEquals(error, Links.error(r.text()).get("error").asText(), r.text());
        assertTrue(r.header("Content-Type").startsWith("application/json"));
    }

    @Test
    void aGetLinkDownloadsSeeksAndStreamsWithoutTheKey() throws Exception {
        JsonNode link = Links.presign(a, KEY, "{\"query\":\"alpha@film.bin\",\"expires_in\":600}");
        String url = link.get("url").asText();
        assertTrue(url.startsWith("http://127.0.0.1:" + a + "/api/v1/retrieve/" + FILM + "?X-Hifadhi-Expires="), url);
        assertEquals("GET", link.get("method").asText());
        assertEquals("alpha@film.bin", link.get("query").asText());
        long expires = link.get("expires").asLong();
        assertTrue(Math.abs(expires - (Instant.now().getEpochSecond() + 600)) <= 5, "expires " + expires);

        HttpResponse<byte[]> whole = get(url);
        assertEquals(200, whole.statusCode());
        assertArrayEquals(film, whole.body());
        assertTrue(whole.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"));

        HttpResponse<byte[]> range = get(url, "Range", "bytes=1000-1999");
        assertEquals(206, range.statusCode());
        assertArrayEquals(Arrays.copyOfRange(film, 1000, 2000), range.body());

        RawHttp.Response head = RawHttp.send(a, "HEAD", Links.target(url), Map.of(), null);
        assertEquals(200, head.status());
        assertEquals(String.valueOf(film.length), head.header("Content-Length"));

        String stream = link.get("stream_url").asText();
        assertTrue(stream.startsWith("http://127.0.0.1:" + a + "/api/v1/stream/" + FILM + "?"), stream);
        HttpResponse<byte[]> inline = get(stream, "Range", "bytes=299000-");
        assertEquals(206, inline.statusCode());
        assertArrayEquals(Arrays.copyOfRange(film, 299_000, film.length), inline.body());
        assertTrue(inline.headers().firstValue("Content-Disposition").orElse("").startsWith("inline"));
    }

    @Test
    void aGetLinkOpensNothingElse() throws Exception {
        String query = Links.target(Links.presign(a, KEY, "{\"query\":\"alpha@film.bin\",\"expires_in\":600}").get("url").asText());
        String params = query.substring(query.indexOf('?'));
        // The same object with another method (PUT would overwrite it): the signature names GET.
        RawHttp.Response put = RawHttp.send(a, "PUT", "/api/v1/store/" + FILM + params, Map.of(), "evil".getBytes(StandardCharsets.UTF_8));
        assertRefused(put, 403, "presign_signature_mismatch");
        assertArrayEquals(film, new NativeClient(a, KEY).retrieve("alpha@film.bin").body(), "the object was not overwritten");
        // Admin endpoints and the form upload never accept links.
        assertRefused(raw(a, "GET", "/api/v1/cluster" + params), 403, "presign_not_applicable");
        assertRefused(raw(a, "GET", "/api/v1/locate/" + FILM + params), 403, "presign_not_applicable");
        assertRefused(RawHttp.send(a, "POST", "/api/v1/presign" + params, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
                403, "presign_not_applicable");
        assertRefused(RawHttp.send(a, "POST", "/api/v1/store" + params, Map.of("Content-Type", "multipart/form-data; boundary=x"),
                "--x--\r\n".getBytes(StandardCharsets.UTF_8)), 403, "presign_not_applicable");
        // Another object, and the same object through the other GET endpoint, are other paths.
        assertRefused(raw(a, "GET", "/api/v1/retrieve/alpha%40film.bim" + params), 403, "presign_signature_mismatch");
        assertRefused(raw(a, "GET", "/api/v1/stream/" + FILM + params), 403, "presign_signature_mismatch");
        // An equivalent spelling of the same path is the same object.
        assertEquals(200, raw(a, "HEAD", "/api/v1/retrieve/alpha@film.bin" + params).status());
    }

    @Test
    void aPutLinkStoresExactlyItsObjectAndDoesNothingElse() throws Exception {
        JsonNode link = Links.presign(a, KEY, "{\"filename\":\"notes.txt\",\"method\":\"PUT\",\"expires_in\":600}");
        assertEquals("alpha@notes.txt", link.get("query").asText());
        assertFalse(link.has("stream_url"));
        String url = link.get("url").asText();
        assertTrue(url.startsWith("http://127.0.0.1:" + a + "/api/v1/store/alpha%40notes.txt?"), url);
        byte[] text = "written through a presigned link".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> stored = Links.HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(text)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, stored.statusCode(), stored.body());
        assertEquals("alpha@notes.txt", stored.body());
        HttpResponse<byte[]> back = new NativeClient(a, KEY).retrieve("alpha@notes.txt");
        assertArrayEquals(text, back.body());
        assertTrue(back.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), back.headers().toString());

        String params = url.substring(url.indexOf('?'));
        assertRefused(raw(a, "GET", "/api/v1/retrieve/alpha%40notes.txt" + params), 403, "presign_signature_mismatch");
        assertRefused(RawHttp.send(a, "PUT", "/api/v1/store/alpha%40other.txt" + params, Map.of(), text), 403, "presign_signature_mismatch");
        // The link may be used again until it expires (it names one object; rewriting it is what it grants).
        assertEquals(200, RawHttp.send(a, "PUT", Links.target(url), Map.of(), "v2".getBytes(StandardCharsets.UTF_8)).status());
        assertArrayEquals("v2".getBytes(StandardCharsets.UTF_8), new NativeClient(a, KEY).retrieve("alpha@notes.txt").body());
        // With the SHARD-KEY the raw PUT needs no link; without either it is refused.
        assertEquals(200, RawHttp.send(a, "PUT", "/api/v1/store/alpha%40keyed.txt", Map.of("SHARD-KEY", KEY), text).status());
        assertEquals(401, RawHttp.send(a, "PUT", "/api/v1/store/alpha%40keyed.txt", Map.of(), text).status());
        assertRefused(RawHttp.send(a, "PUT", "/api/v1/store/keyed.txt", Map.of("SHARD-KEY", KEY), text), 400, "invalid_query");
    }

    @Test
    void aLinkStopsWorkingWhenItExpires() throws Exception {
        JsonNode link = Links.presign(a, KEY, "{\"query\":\"alpha@film.bin\",\"expires_in\":1}");
        String target = Links.target(link.get("url").asText());
        long expires = link.get("expires").asLong();
        // Bounded wait past the expiry second (at most ~2 s).
        while (Instant.now().getEpochSecond() < expires) {
            Thread.sleep(100);
        }
        RawHttp.Response r = raw(a, "GET", target);
        assertRefused(r, 403, "presign_expired");
        assertTrue(r.text().contains("expired at " + Instant.ofEpochSecond(expires)), r.text());
    }

    @Test
    void changingAnyParameterOrThePathBreaksTheLink() throws Exception {
        JsonNode link = Links.presign(a, KEY, "{\"query\":\"alpha@film.bin\",\"expires_in\":600,\"ip\":\"127.0.0.0/8\"}");
        String target = Links.target(link.get("url").asText());
        assertEquals(200, raw(a, "HEAD", target).status());
        long expires = link.get("expires").asLong();
        String signature = target.substring(target.indexOf("X-Hifadhi-Signature=") + "X-Hifadhi-Signature=".length());
        String ip = "X-Hifadhi-IP=127.0.0.0%2F8";
        String path = "/api/v1/retrieve/" + FILM;
        PresignKey key = PresignKey.derive(KEY);
        Map<String, PresignedLink> tampered = new LinkedHashMap<>();
        tampered.put(path + "?X-Hifadhi-Expires=" + (expires + 60) + "&X-Hifadhi-Method=GET&" + ip + "&X-Hifadhi-Signature=" + signature,
                new PresignedLink("GET", path, expires + 60, Cidr.parse("127.0.0.0/8")));
        tampered.put(path + "?X-Hifadhi-Expires=" + expires + "&X-Hifadhi-Method=PUT&" + ip + "&X-Hifadhi-Signature=" + signature,
                new PresignedLink("PUT", path, expires, Cidr.parse("127.0.0.0/8")));
        tampered.put(path + "?X-Hifadhi-Expires=" + expires + "&X-Hifadhi-Method=GET&X-Hifadhi-IP=0.0.0.0%2F0&X-Hifadhi-Signature=" + signature,
                new PresignedLink("GET", path, expires, Cidr.parse("0.0.0.0/0")));
        tampered.put(path + "?X-Hifadhi-Expires=" + expires + "&X-Hifadhi-Method=GET&X-Hifadhi-Signature=" + signature,
                new PresignedLink("GET", path, expires, null));
        tampered.put("/api/v1/retrieve/alpha%40film.bin2?X-Hifadhi-Expires=" + expires + "&X-Hifadhi-Method=GET&" + ip + "&X-Hifadhi-Signature=" + signature,
                new PresignedLink("GET", PresignedLink.pathFor(NativeOperation.RETRIEVE, "alpha@film.bin2"), expires, Cidr.parse("127.0.0.0/8")));
        tampered.put("/api/v1/retrieve/beta%40film.bin?X-Hifadhi-Expires=" + expires + "&X-Hifadhi-Method=GET&" + ip + "&X-Hifadhi-Signature=" + signature,
                new PresignedLink("GET", PresignedLink.pathFor(NativeOperation.RETRIEVE, "beta@film.bin"), expires, Cidr.parse("127.0.0.0/8")));
        String flipped = signature.substring(0, 63) + (signature.charAt(63) == '0' ? '1' : '0');
        tampered.put(path + "?X-Hifadhi-Expires=" + expires + "&X-Hifadhi-Method=GET&" + ip + "&X-Hifadhi-Signature=" + flipped,
                new PresignedLink("GET", path, expires, Cidr.parse("127.0.0.0/8")));
        for (Map.Entry<String, PresignedLink> t : tampered.entrySet()) {
            RawHttp.Response r = raw(a, "GET", t.getKey());
            assertRefused(r, 403, "presign_signature_mismatch");
            // The refusal never tells the caller what the right signature would have been.
            assertFalse(r.text().contains(key.sign(t.getValue())), r.text());
            assertFalse(r.text().contains(signature), r.text());
        }
        assertRefused(raw(a, "GET", path + "?X-Hifadhi-Expires=" + expires + "&X-Hifadhi-Method=GET&" + ip), 403, "presign_malformed");
        assertRefused(raw(a, "GET", target + "&X-Hifadhi-Method=GET"), 403, "presign_malformed");
        assertRefused(raw(a, "GET", target + "&X-Hifadhi-Scope=all"), 403, "presign_malformed");
        assertRefused(raw(a, "GET", path + "?X-Hifadhi-Expires=soon&X-Hifadhi-Method=GET&X-Hifadhi-Signature=" + signature), 403, "presign_malformed");
        assertRefused(raw(a, "GET", path + "?X-Hifadhi-Expires=" + expires + "&X-Hifadhi-Method=GET&X-Hifadhi-Signature=" + signature.toUpperCase()),
                403, "presign_malformed");
        // Unrelated parameters (a cache buster) do not matter; no link parameters at all means "no credentials".
        assertEquals(200, raw(a, "HEAD", target + "&t=123").status());
        assertEquals(401, raw(a, "GET", path + "?t=123").status());
    }

    @Test
    void aLinkValidForLongerThanSevenDaysIsRefusedEvenIfSigned() throws Exception {
        long expires = Instant.now().getEpochSecond() + 8 * 24 * 3600;
        PresignedLink forged = new PresignedLink("GET", "/api/v1/retrieve/" + FILM, expires, null);
        String target = forged.path() + "?" + forged.queryString(PresignKey.derive(KEY).sign(forged));
        assertRefused(raw(a, "GET", target), 403, "presign_lifetime_exceeded");
    }

    @Test
    void anIpRestrictedLinkWorksOnlyFromItsNetwork() throws Exception {
        String local = Links.target(Links.presign(a, KEY, "{\"query\":\"alpha@film.bin\",\"expires_in\":600,\"ip\":\"127.0.0.1\"}").get("url").asText());
        RawHttp.Response ok = RawHttp.send("127.0.0.1", a, "GET", local, Map.of("Range", "bytes=0-9"), null);
        assertEquals(206, ok.status(), ok.text());
        assertArrayEquals(Arrays.copyOfRange(film, 0, 10), ok.body());
        RawHttp.Response refused = RawHttp.send("127.0.0.2", a, "GET", local, Map.of(), null);
        assertRefused(refused, 403, "presign_ip_refused");
        assertTrue(refused.text().contains("127.0.0.2"), refused.text());

        String wide = Links.target(Links.presign(a, KEY, "{\"query\":\"alpha@film.bin\",\"expires_in\":600,\"ip\":\"127.0.0.0/30\"}").get("url").asText());
        assertEquals(200, RawHttp.send("127.0.0.2", a, "HEAD", wide, Map.of(), null).status());
        assertRefused(RawHttp.send("127.0.0.5", a, "GET", wide, Map.of(), null), 403, "presign_ip_refused");

        String v6 = Links.target(Links.presign(a, KEY, "{\"query\":\"alpha@film.bin\",\"expires_in\":600,\"ip\":\"2001:db8::/32\"}").get("url").asText());
        assertRefused(RawHttp.send("127.0.0.1", a, "GET", v6, Map.of(), null), 403, "presign_ip_refused");
    }

    @Test
    void forwardedForIsIgnoredFromStrangersAndBelievedFromATrustedProxy() throws Exception {
        String body = "{\"query\":\"%s@film.bin\",\"expires_in\":600,\"ip\":\"203.0.113.7\"}";
        // alpha trusts no proxy: a client claiming to be 203.0.113.7 is still 127.0.0.1.
        String onAlpha = Links.target(Links.presign(a, KEY, body.formatted("alpha")).get("url").asText());
        RawHttp.Response spoofed = RawHttp.send(a, "GET", onAlpha, Map.of("X-Forwarded-For", "203.0.113.7"), null);
        assertRefused(spoofed, 403, "presign_ip_refused");
        assertTrue(spoofed.text().contains("127.0.0.1"), spoofed.text());
        assertRefused(RawHttp.send(a, "GET", onAlpha, Map.of("Forwarded", "for=203.0.113.7"), null), 403, "presign_ip_refused");

        // beta trusts 127.0.0.1 (--trusted-proxies 127.0.0.1): its headers name the client.
        String onBeta = Links.target(Links.presign(b, KEY, body.formatted("beta")).get("url").asText());
        assertRefused(RawHttp.send(b, "GET", onBeta, Map.of(), null), 403, "presign_ip_refused");
        RawHttp.Response viaProxy = RawHttp.send(b, "GET", onBeta, Map.of("X-Forwarded-For", "203.0.113.7"), null);
        assertEquals(200, viaProxy.status(), viaProxy.text());
        assertArrayEquals(film, viaProxy.body());
        assertEquals(200, RawHttp.send(b, "HEAD", onBeta, Map.of("Forwarded", "for=203.0.113.7;proto=https"), null).status());
        // The client prepended a lie; the proxy appended what it saw: the rightmost untrusted hop counts.
        assertRefused(RawHttp.send(b, "GET", onBeta, Map.of("X-Forwarded-For", "203.0.113.7, 198.51.100.1"), null), 403, "presign_ip_refused");
        assertEquals(200, RawHttp.send(b, "HEAD", onBeta, Map.of("X-Forwarded-For", "198.51.100.1, 203.0.113.7"), null).status());
        // 127.0.0.2 is not a trusted proxy: its header is ignored even on beta.
        assertRefused(RawHttp.send("127.0.0.2", b, "GET", onBeta, Map.of("X-Forwarded-For", "203.0.113.7"), null), 403, "presign_ip_refused");
    }

    @Test
    void linksUseTheHostTheRequestCameToAndTheSchemeATrustedProxyReports() throws Exception {
        byte[] body = "{\"query\":\"alpha@film.bin\",\"expires_in\":60}".getBytes(StandardCharsets.UTF_8);
        RawHttp.Response named = RawHttp.send(a, "POST", "/api/v1/presign", Map.of("SHARD-KEY", KEY, "Host", "files.example.com:8080"), body);
        assertEquals(200, named.status(), named.text());
        assertTrue(Links.JSON.readTree(named.text()).get("url").asText().startsWith("http://files.example.com:8080/api/v1/retrieve/"));
        RawHttp.Response odd = RawHttp.send(a, "POST", "/api/v1/presign", Map.of("SHARD-KEY", KEY, "Host", "bad_host"), body);
        assertEquals(200, odd.status(), odd.text());
        assertTrue(Links.JSON.readTree(odd.text()).get("url").asText().startsWith("http://127.0.0.1:" + a + "/"), odd.text());
        // The X-Forwarded-Proto of an untrusted peer is ignored; a trusted proxy's is honoured.
        RawHttp.Response untrusted = RawHttp.send(a, "POST", "/api/v1/presign", Map.of("SHARD-KEY", KEY, "X-Forwarded-Proto", "https"), body);
        assertTrue(Links.JSON.readTree(untrusted.text()).get("url").asText().startsWith("http://"), untrusted.text());
        RawHttp.Response trusted = RawHttp.send(b, "POST", "/api/v1/presign", Map.of("SHARD-KEY", KEY, "X-Forwarded-Proto", "https"),
                "{\"query\":\"beta@film.bin\",\"expires_in\":60}".getBytes(StandardCharsets.UTF_8));
        assertTrue(Links.JSON.readTree(trusted.text()).get("url").asText().startsWith("https://127.0.0.1:" + b + "/"), trusted.text());
    }

    @Test
    void presignRefusesBadRequestsWithReasons() throws Exception {
        assertEquals(401, Links.presignRaw(a, null, "{\"query\":\"alpha@film.bin\"}").statusCode());
        assertEquals(401, Links.presignRaw(a, "not-the-key-0123456", "{\"query\":\"alpha@film.bin\"}").statusCode());
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("not json", "malformed_json");
        bad.put("[1]", "malformed_json");
        bad.put("{\"query\":\"alpha@film.bin\",\"expires_in\":0}", "invalid_expiry");
        bad.put("{\"query\":\"alpha@film.bin\",\"expires_in\":604801}", "invalid_expiry");
        bad.put("{\"query\":\"alpha@film.bin\",\"expires_in\":1.5}", "invalid_expiry");
        bad.put("{\"query\":\"alpha@film.bin\",\"expires_in\":\"60\"}", "invalid_expiry");
        bad.put("{\"query\":\"alpha@film.bin\",\"method\":\"DELETE\"}", "invalid_method");
        bad.put("{\"query\":\"alpha@film.bin\",\"ip\":\"10.0.0.0/33\"}", "invalid_ip");
        bad.put("{\"query\":\"alpha@film.bin\",\"ip\":\"localhost\"}", "invalid_ip");
        bad.put("{\"query\":\"alpha@film.bin\",\"expires\":60}", "unknown_field");
        bad.put("{\"query\":\"film.bin\"}", "invalid_query");
        bad.put("{\"query\":\"alpha@\"}", "invalid_query");
        bad.put("{\"query\":\"alpha@a\\u0001b\"}", "invalid_query");
        bad.put("{\"query\":\"a@b\",\"filename\":\"b\"}", "missing_parameter");
        bad.put("{}", "missing_parameter");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            HttpResponse<String> r = Links.presignRaw(a, KEY, e.getKey());
            assertEquals(400, r.statusCode(), e.getKey() + " -> " + r.body());
            assertEquals(e.getValue(), Links.error(r.body()).get("error").asText(), e.getKey() + " -> " + r.body());
        }
        JsonNode week = Links.presign(a, KEY, "{\"query\":\"alpha@film.bin\",\"expires_in\":604800,\"method\":\"get\"}");
        assertEquals(200, get(week.get("url").asText()).statusCode());
    }

    @Test
    void aLinkFromOneNodeIsAcceptedByAnotherThatSharesTheSecret() throws Exception {
        // alpha and beta are separate clusters with the same secret: beta accepts alpha's signature
        // (and answers 404: it does not hold alpha's file), a link from a foreign secret gets 403.
        String target = Links.target(Links.presign(a, KEY, "{\"query\":\"alpha@film.bin\",\"expires_in\":600}").get("url").asText());
        RawHttp.Response onBeta = raw(b, "GET", target);
        assertEquals(404, onBeta.status(), onBeta.text());
        PresignedLink foreign = new PresignedLink("GET", "/api/v1/retrieve/" + FILM, Instant.now().getEpochSecond() + 60, null);
        String forged = foreign.path() + "?" + foreign.queryString(PresignKey.derive("some-other-cluster-key").sign(foreign));
        assertRefused(raw(a, "GET", forged), 403, "presign_signature_mismatch");
    }
}
