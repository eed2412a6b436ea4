package io.hifadhi.chaos.client;

import io.hifadhi.chaos.history.OpType;

import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The native API of one node: POST /api/v1/store (multipart) and GET /api/v1/retrieve/&lt;query&gt;
 * with the SHARD-KEY header. It has no delete and no listing. A stored file's query is
 * {@code <instance>@<filename>}, so the instance name is read from /api/v1/health once.
 */
public final class NativeStoreClient implements StoreClient {
    /** Beyond the request timeout (which ends at the response headers), time allowed for the body. */
    private static final long BODY_GRACE_MILLIS = 500;
    private static final Pattern INSTANCE = Pattern.compile("\"instance\"\\s*:\\s*\"([^\"]+)\"");

    private final URI base;
    private final String shardKey;
    private final String namespace;
    private final Duration timeout;
    private final HttpClient http;
    private volatile String instance;

    /** @param namespace prefix of every file name, e.g. the run id */
    public NativeStoreClient(URI base, String shardKey, String namespace, Duration timeout) {
        this.base = base;
        this.shardKey = shardKey;
        this.namespace = namespace;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout).build();
    }

    @Override
    public String describe() {
        return "native " + base;
    }

    @Override
    public boolean supports(OpType type) {
        return type == OpType.WRITE || type == OpType.READ;
    }

    @Override
    public void put(String key, byte[] body) throws StoreException {
        String boundary = "chaos-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\n" + fileName(key)
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"blob\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/v1/store")).timeout(timeout)
                .header("SHARD-KEY", shardKey)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofByteArray(body), HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build();
        HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new StoreException(StoreException.ofErrorAnswer(response.body()), "store answered " + response.statusCode() + ": "
                    + abbreviate(response.body()), null);
        }
        String expected = instance() + "@" + fileName(key);
        if (!response.body().equals(expected)) {
            // Stored, but under a name we did not ask for: still an acknowledged write, yet readers will miss it.
            throw new StoreException(StoreException.Kind.NO_ANSWER, "store returned query '" + response.body() + "', expected '" + expected + "'", null);
        }
    }

    @Override
    public Optional<byte[]> get(String key) throws StoreException {
        String query = URLEncoder.encode(instance() + "@" + fileName(key), StandardCharsets.UTF_8).replace("+", "%20");
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/retrieve/" + query)).timeout(timeout)
                .header("SHARD-KEY", shardKey).GET().build();
        HttpResponse<byte[]> response = send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new StoreException(StoreException.Kind.REJECTED, "retrieve answered " + response.statusCode() + ": "
                    + abbreviate(new String(response.body(), StandardCharsets.UTF_8)), null);
        }
        return Optional.of(response.body());
    }

    @Override
    public void delete(String key) {
        throw new UnsupportedOperationException("the native API has no delete");
    }

    @Override
    public Set<String> list() {
        throw new UnsupportedOperationException("the native API has no listing");
    }

    @Override
    public void close() {
        // java.net.http.HttpClient in Java 17 has no close; its threads are daemons.
    }

    private String fileName(String key) {
        return namespace + "-" + key;
    }

    private String instance() throws StoreException {
        String name = instance;
        if (name == null) {
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/v1/health")).timeout(timeout).GET().build();
            HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
            Matcher m = INSTANCE.matcher(response.body());
            if (response.statusCode() != 200 || !m.find()) {
                throw new StoreException(StoreException.Kind.REJECTED, "health gave no instance name: " + abbreviate(response.body()), null);
            }
            name = m.group(1);
            instance = name;
        }
        return name;
    }

    /**
     * Sends with a deadline on the whole exchange. The request timeout of java.net.http only covers
     * the wait for the response headers; a node stopped in the middle of a body would otherwise
     * hold the client forever.
     */
    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws StoreException {
        CompletableFuture<HttpResponse<T>> future = http.sendAsync(request, handler);
        try {
            return future.get(timeout.toMillis() + BODY_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StoreException(StoreException.Kind.NO_ANSWER, "no complete answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpConnectTimeoutException || causedBy(cause, ConnectException.class)) {
                throw new StoreException(StoreException.Kind.UNREACHABLE, cause.toString(), cause);
            }
            throw new StoreException(StoreException.Kind.NO_ANSWER, String.valueOf(cause), cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Kind.NO_ANSWER, "interrupted", e);
        }
    }

    static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
