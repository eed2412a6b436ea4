package io.hifadhi.node.cli;

import io.hifadhi.api.auth.PresignedLink;
import io.hifadhi.api.signature.S3AuthException;
import io.hifadhi.api.signature.SigV4Signer;
import io.hifadhi.api.signature.SimpleRequestView;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The object commands' HTTP: S3 requests signed with SigV4 (the node's own signer; bodies are streamed
 * as UNSIGNED-PAYLOAD) and native admin requests with the SHARD-KEY. Every failure becomes a
 * {@link CliException} whose exit status says what failed.
 */
final class NodeCalls {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
    private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");
    private static final Pattern JSON_ERROR = Pattern.compile("\"error\"\\s*:\\s*\"([a-z_]+)\"");
    private static final Pattern JSON_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final ClientSettings.Resolved settings;
    private final HttpClient http;
    private final Clock clock;

    NodeCalls(ClientSettings.Resolved settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    URI endpoint() {
        return settings.endpoint();
    }

    /** The S3 path of a bucket and key, each key segment encoded as SigV4 canonicalises it. */
    static String s3Path(String bucket, String key) {
        StringBuilder b = new StringBuilder("/");
        if (bucket != null) {
            b.append(PresignedLink.encode(bucket));
            if (key != null) {
                b.append('/');
                String[] segments = key.split("/", -1);
                for (int i = 0; i < segments.length; i++) {
                    b.append(i == 0 ? "" : "/").append(PresignedLink.encode(segments[i]));
                }
            }
        }
        return b.toString();
    }

    static String query(Map<String, String> params) {
        List<String> pairs = new ArrayList<>();
        new TreeMap<>(params).forEach((k, v) -> pairs.add(PresignedLink.encode(k) + "=" + PresignedLink.encode(v)));
        return String.join("&", pairs);
    }

    /** A signed S3 request; returns the answer when it is 2xx, else throws with the node's reason. */
    <T> HttpResponse<T> s3(String method, String path, Map<String, String> params, HttpRequest.BodyPublisher body,
                           HttpResponse.BodyHandler<T> handler, Map<String, String> headers) throws CliException {
        return expect2xx(send(signed(method, path, query(params), body, headers), handler), "S3");
    }

    /** A request signed with the access key (SigV4, UNSIGNED-PAYLOAD: bodies are streamed, not hashed first). */
    private HttpRequest signed(String method, String path, String rawQuery, HttpRequest.BodyPublisher body,
                               Map<String, String> headers) throws CliException {
        String accessKey = settings.needAccessKey();
        URI uri = URI.create(settings.endpoint() + path + (rawQuery.isEmpty() ? "" : "?" + rawQuery));
        String host = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        String date = AMZ_DATE.format(clock.instant());
        Map<String, List<String>> signed = new TreeMap<>();
        signed.put("host", List.of(host));
        signed.put("x-amz-date", List.of(date));
        signed.put("x-amz-content-sha256", List.of("UNSIGNED-PAYLOAD"));
        List<String> names = new ArrayList<>(List.of("x-amz-date", "x-amz-content-sha256"));
        headers.forEach((name, value) -> {
            // S3 refuses x-amz-* headers that are not signed (x-amz-copy-source of a copy).
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("x-amz-")) {
                signed.put(lower, List.of(value));
                names.add(lower);
            }
        });
        String authorization;
        try {
            authorization = new SigV4Signer(accessKey, settings.secretKey(), settings.region()).authorization(
                    new SimpleRequestView(method, path, rawQuery, signed), names);
        } catch (S3AuthException e) {
            throw new CliException("cannot sign the request: " + e.getMessage(), ClientCommand.FAILED);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body)
                .header("x-amz-date", date).header("x-amz-content-sha256", "UNSIGNED-PAYLOAD").header("Authorization", authorization);
        headers.forEach(b::header);
        return b.build();
    }

    /** A native admin request with the SHARD-KEY and an optional JSON body. */
    HttpResponse<InputStream> admin(String method, String path, String jsonBody) throws CliException {
        return nativeCall(method, path, jsonBody == null ? null : HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8),
                jsonBody == null ? Map.of() : Map.of("Content-Type", "application/json"));
    }

    /**
     * A native file request with any body (a file's bytes, streamed): with the SHARD-KEY, or, when none is configured
     * but an access key is, signed with that key (the node then checks the key's permission on the native space).
     */
    HttpResponse<InputStream> files(String method, String path, HttpRequest.BodyPublisher body, Map<String, String> headers)
            throws CliException {
        if (settings.shardKey() == null && settings.accessKey() != null && settings.secretKey() != null) {
            int q = path.indexOf('?');
            return expect2xx(send(signed(method, q < 0 ? path : path.substring(0, q), q < 0 ? "" : path.substring(q + 1), body,
                    headers), HttpResponse.BodyHandlers.ofInputStream()), "native");
        }
        return nativeCall(method, path, body, headers);
    }

    /** A native request with the SHARD-KEY and any body. */
    private HttpResponse<InputStream> nativeCall(String method, String path, HttpRequest.BodyPublisher body, Map<String, String> headers)
            throws CliException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(settings.endpoint() + path))
                .header("SHARD-KEY", settings.needShardKey()).header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        headers.forEach(b::header);
        return expect2xx(send(b.build(), HttpResponse.BodyHandlers.ofInputStream()), "native");
    }

    /** A native endpoint followed by a query or directory, encoded whole ('/' and '@' too) as the native API expects. */
    static String nativePath(String endpoint, String query) {
        return endpoint + PresignedLink.encode(query);
    }

    /** Any request (the console's share endpoint), mapped like the others. */
    HttpResponse<InputStream> plain(HttpRequest request) throws CliException {
        return expect2xx(send(request, HttpResponse.BodyHandlers.ofInputStream()), "native");
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws CliException {
        try {
            return http.send(request, handler);
        } catch (HttpConnectTimeoutException e) {
            throw new CliException("cannot reach " + settings.endpoint() + ": no answer within " + CONNECT_TIMEOUT.toSeconds()
                    + " s. Is the endpoint right?", ClientCommand.UNREACHABLE);
        } catch (ConnectException e) {
            throw new CliException("cannot reach " + settings.endpoint() + " (connection refused). Is the node running, and is "
                    + "the endpoint its HTTP address?", ClientCommand.UNREACHABLE);
        } catch (HttpTimeoutException e) {
            throw new CliException("the node at " + settings.endpoint() + " stopped answering.", ClientCommand.UNREACHABLE);
        } catch (IOException e) {
            throw new CliException("lost the connection to " + settings.endpoint() + ": " + e.getMessage(), ClientCommand.UNREACHABLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", ClientCommand.FAILED);
        }
    }

    private static <T> HttpResponse<T> expect2xx(HttpResponse<T> r, String api) throws CliException {
        int status = r.statusCode();
        if (status / 100 == 2) {
            return r;
        }
        String body = bodyText(r);
        String code = api.equals("S3") ? find(CODE, body) : find(JSON_ERROR, body);
        String message = api.equals("S3") ? find(MESSAGE, body) : find(JSON_MESSAGE, body);
        String reason = (code == null ? "" : code + ": ") + (message == null ? "HTTP " + status : message.replace("\\\"", "\""));
        int exit = switch (status) {
            case 401, 403 -> ClientCommand.DENIED;
            case 404 -> ClientCommand.NOT_FOUND;
            case 400, 405, 409, 411, 412, 413, 416 -> ClientCommand.REFUSED;
            default -> ClientCommand.FAILED;
        };
        throw new CliException(reason, exit);
    }

    private static String bodyText(HttpResponse<?> r) {
        Object b = r.body();
        try {
            if (b instanceof InputStream in) {
                try (in) {
                    return new String(in.readNBytes(16 * 1024), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            return "";
        }
        return b instanceof String s ? s : b instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : "";
    }

    private static String find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : null;
    }
}
