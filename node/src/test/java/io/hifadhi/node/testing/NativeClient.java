package io.hifadhi.node.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A real HTTP client for the native API (java.net.http, HTTP/1.1), streaming multipart bodies. */
public final class NativeClient {
    public static final String BOUNDARY = "hifadhiTestBoundary0123456789";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String shardKey;

    public NativeClient(int port, String shardKey) {
        this.base = "http://127.0.0.1:" + port;
        this.shardKey = shardKey;
    }

    public String base() {
        return base;
    }

    public HttpClient http() {
        return http;
    }

    /** Part order: file first unless {@code nameFirst}. A null fileName omits that part; null body omits the file part. */
    public HttpResponse<String> store(String fileName, Supplier<InputStream> body, long bodyLength, String partContentType,
                                      boolean nameFirst, String key, boolean expectContinue) throws IOException, InterruptedException {
        List<byte[]> heads = new ArrayList<>();
        String filePartHead = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.bin\"\r\n"
                + (partContentType == null ? "" : "Content-Type: " + partContentType + "\r\n") + "\r\n";
        String namePart = fileName == null ? "" : "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\n"
                + fileName + "\r\n";
        byte[] fileHead = filePartHead.getBytes(StandardCharsets.UTF_8);
        byte[] name = namePart.getBytes(StandardCharsets.UTF_8);
        byte[] crlf = "\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] close = ("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8);
        long length = name.length + close.length + (body == null ? 0 : fileHead.length + bodyLength + crlf.length);
        Supplier<InputStream> stream = () -> {
            List<InputStream> parts = new ArrayList<>();
            if (nameFirst) {
                parts.add(new ByteArrayInputStream(name));
            }
            if (body != null) {
                parts.add(new ByteArrayInputStream(fileHead));
                parts.add(body.get());
                parts.add(new ByteArrayInputStream(crlf));
            }
            if (!nameFirst) {
                parts.add(new ByteArrayInputStream(name));
            }
            parts.add(new ByteArrayInputStream(close));
            return new SequenceInputStream(Collections.enumeration(parts));
        };
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "/api/v1/store"))
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .expectContinue(expectContinue)
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(stream), length));
        if (key != null) {
            req.header("SHARD-KEY", key);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> store(String fileName, byte[] data) throws IOException, InterruptedException {
        return store(fileName, () -> new ByteArrayInputStream(data), data.length, null, false, shardKey, false);
    }

    public HttpResponse<String> storeSeeded(String fileName, long seed, long length) throws IOException, InterruptedException {
        return store(fileName, () -> new SeededStream(seed, length), length, null, false, shardKey, false);
    }

    /** A form store with more text fields after {@code file} and {@code filename} (e.g. {@code expires_in}). */
    public HttpResponse<String> store(String fileName, byte[] data, Map<String, String> fields) throws IOException, InterruptedException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.bin\"\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(data);
        Map<String, String> text = new java.util.LinkedHashMap<>();
        text.put("filename", fileName);
        text.putAll(fields);
        text.forEach((name, value) -> body.writeBytes(("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\""
                + name + "\"\r\n\r\n" + value).getBytes(StandardCharsets.UTF_8)));
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "/api/v1/store"))
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY).header("SHARD-KEY", shardKey)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Percent-encodes a query for the URL path (space as %20, '/' as %2F). */
    public static String encode(String query) {
        return URLEncoder.encode(query, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public HttpRequest.Builder get(String endpoint, String query) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/" + endpoint + "/" + encode(query)))
                .timeout(Duration.ofMinutes(5));
        if (shardKey != null) {
            b.header("SHARD-KEY", shardKey);
        }
        return b;
    }

    public <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        return http.send(request.build(), handler);
    }

    public HttpResponse<byte[]> retrieve(String query, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = get("retrieve", query);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** How many members of the cluster, this node included, the node sees reachable ({@code GET /api/v1/cluster}). */
    public long reachableMembers() throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + "/api/v1/cluster")).timeout(Duration.ofSeconds(5));
        if (shardKey != null) {
            r.header("SHARD-KEY", shardKey);
        }
        long n = 0;
        for (com.fasterxml.jackson.databind.JsonNode m : JSON.readTree(send(r, HttpResponse.BodyHandlers.ofString()).body()).get("members")) {
            n += m.get("reachable").asBoolean() ? 1 : 0;
        }
        return n;
    }

    public HttpResponse<String> getText(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
