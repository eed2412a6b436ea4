package io.hifadhi.api.nativeapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.ApiContext;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.http.ApiErrors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.util.List;

/**
 * GET /api/v1/cluster: every member this node knows, with state, reachability, addresses, zone,
 * capacity, used bytes and load. Needs the cluster secret: it maps the cluster for whoever asks.
 */
public final class ClusterHandler implements HttpHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ApiContext context;

    public ClusterHandler(ApiContext context) {
        this.context = context;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (!Methods.allow(exchange, "GET", "HEAD")) {
            return;
        }
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.CLUSTER, null);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        List<ClusterMemberStatus> members = context.cluster().get();
        ObjectNode body = JSON.createObjectNode();
        body.put("instance", context.instanceName());
        ArrayNode list = body.putArray("members");
        for (ClusterMemberStatus m : members) {
            ObjectNode n = list.addObject();
            n.put("id", m.id());
            n.put("state", m.state());
            n.put("reachable", m.reachable());
            n.put("unreachable_since", m.unreachableSince() == null ? null : m.unreachableSince().toString());
            n.put("http_address", m.httpAddress());
            n.put("cluster_address", m.clusterAddress());
            n.put("zone", m.zone());
            n.put("capacity_bytes", m.capacityBytes());
            n.put("used_bytes", m.usedBytes());
            ObjectNode load = n.putObject("load");
            load.put("requests_per_second", m.requestsPerSecond());
            load.put("bytes_in_per_second", m.bytesInPerSecond());
            load.put("bytes_out_per_second", m.bytesOutPerSecond());
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(JSON.writeValueAsString(body));
    }
}
