package io.hifadhi.node.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Mints presigned links over real HTTP (POST /api/v1/presign with the SHARD-KEY). */
final class Links {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private Links() {
    }

    static HttpResponse<String> presignRaw(int port, String key, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/presign"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("SHARD-KEY", key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode presign(int port, String key, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = presignRaw(port, key, body);
        if (r.statusCode() != 200) {
            throw new AssertionError("presign answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** The path and query of an absolute URL (what goes on the request line). */
    static String target(String url) {
        URI u = URI.create(url);
        return u.getRawPath() + "?" + u.getRawQuery();
    }

    static JsonNode error(String body) throws IOException {
        return JSON.readTree(body);
    }
}
