package io.hifadhi.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Calls a node's native admin API with the SHARD-KEY and turns every failure into a sentence. */
final class AdminClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    record Response(int status, JsonNode body) {
    }

    private final URI endpoint;
    private final String shardKey;
    private final HttpClient http;

    AdminClient(URI endpoint, String shardKey) {
        this.endpoint = endpoint;
        this.shardKey = shardKey;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Sends and returns a 2xx answer; anything else becomes a {@link CliException} saying what went wrong. */
    Response send(String method, String path, JsonNode body) throws CliException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(endpoint.resolve(path)).timeout(REQUEST_TIMEOUT)
                .header("SHARD-KEY", shardKey).header("Content-Type", "application/json").header("Accept", "application/json")
                .method(method, publisher).build();
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw new CliException("cannot reach the node at " + endpoint + ": no answer to the connection within "
                    + CONNECT_TIMEOUT.toSeconds() + " s. Is the address right (--endpoint)?", KeyCommand.FAILED);
        } catch (ConnectException e) {
            throw new CliException("cannot reach the node at " + endpoint + " (connection refused). Is the node running,"
                    + " and is --endpoint its HTTP address?", KeyCommand.FAILED);
        } catch (HttpTimeoutException e) {
            throw new CliException("the node at " + endpoint + " did not answer within " + REQUEST_TIMEOUT.toSeconds() + " s.",
                    KeyCommand.FAILED);
        } catch (IOException e) {
            throw new CliException("cannot talk to the node at " + endpoint + ": " + e.getMessage(), KeyCommand.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", KeyCommand.FAILED);
        }
        JsonNode json = parse(r.body());
        if (r.statusCode() / 100 == 2) {
            return new Response(r.statusCode(), json);
        }
        String message = text(json, "message");
        String hint = text(json, "hint");
        if (r.statusCode() == 401) {
            throw new CliException("the node refused the SHARD-KEY" + (message == null ? "" : ": " + message)
                    + " Check --shard-key, SHARD_KEY or --data-dir.", KeyCommand.FAILED);
        }
        if (message == null) {
            throw new CliException("the node at " + endpoint + " answered HTTP " + r.statusCode()
                    + " without an error body; is --endpoint a Hifadhi node?", KeyCommand.FAILED);
        }
        throw new CliException(message + (hint == null ? "" : " " + hint), KeyCommand.FAILED);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static String text(JsonNode json, String field) {
        return json == null || json.get(field) == null || json.get(field).isNull() ? null : json.get(field).asText();
    }
}
