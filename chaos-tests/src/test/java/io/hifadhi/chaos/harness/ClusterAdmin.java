package io.hifadhi.chaos.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The admin side of the native API a drill needs: a node's view of the cluster
 * ({@code GET /api/v1/cluster}) and where an object's replicas are ({@code GET /api/v1/locate}).
 * Both need the cluster secret in the {@code SHARD-KEY} header.
 */
public final class ClusterAdmin {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String shardKey;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    public ClusterAdmin(String shardKey) {
        this.shardKey = shardKey;
    }

    /** One member as {@code observer} sees it. */
    public record Member(String id, String state, boolean reachable) {
    }

    /** Where an object's newest record and chunks are, as {@code /api/v1/locate} reports it. */
    public record Location(String version, List<String> replicas, List<String> recordHolders, List<List<String>> chunkHolders) {
    }

    /** Members by id as {@code observer} sees them; empty when it does not answer within {@code timeout}. */
    public Optional<Map<String, Member>> members(NodeProcess observer, Duration timeout) {
        return get(observer.baseUri().resolve("/api/v1/cluster"), timeout).map(body -> {
            Map<String, Member> out = new LinkedHashMap<>();
            for (JsonNode m : body.path("members")) {
                out.put(m.path("id").asText(), new Member(m.path("id").asText(), m.path("state").asText(), m.path("reachable").asBoolean()));
            }
            return out;
        });
    }

    /** Empty on 404 (no live object under the name) or when the node does not answer. */
    public Optional<Location> locate(NodeProcess via, String bucket, String key, Duration timeout) {
        URI uri = via.baseUri().resolve("/api/v1/locate/" + encode(bucket) + "/" + encode(key));
        return get(uri, timeout).map(body -> {
            List<List<String>> chunks = new ArrayList<>();
            for (JsonNode c : body.path("chunks")) {
                chunks.add(strings(c.path("holders")));
            }
            return new Location(body.path("version").asText(), strings(body.path("replicas")), strings(body.path("record_holders")), chunks);
        });
    }

    /**
     * The node's Prometheus samples whose metric name starts with {@code prefix}, keyed by name and labels as printed
     * (e.g. {@code hifadhi_membership_messages_total{direction="sent"}}); empty when it does not answer.
     */
    public Optional<Map<String, Double>> metrics(NodeProcess node, String prefix, Duration timeout) {
        return text(node.baseUri().resolve("/metrics"), timeout).map(body -> {
            Map<String, Double> out = new LinkedHashMap<>();
            for (String line : body.split("\n")) {
                int space = line.lastIndexOf(' ');
                if (line.startsWith(prefix) && space > 0) {
                    out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                }
            }
            return out;
        });
    }

    private Optional<JsonNode> get(URI uri, Duration timeout) {
        return text(uri, timeout).flatMap(body -> {
            try {
                return Optional.of(JSON.readTree(body));
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }

    private Optional<String> text(URI uri, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("SHARD-KEY", shardKey).GET().build();
        CompletableFuture<HttpResponse<String>> future = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            HttpResponse<String> response = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            return Optional.of(response.body());
        } catch (ExecutionException | TimeoutException e) {
            future.cancel(true);
            return Optional.empty();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
