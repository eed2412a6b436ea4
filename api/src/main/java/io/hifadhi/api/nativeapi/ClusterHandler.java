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
    private final java.util.function.Supplier<ClusterAdmin> admin;

    public ClusterHandler(ApiContext context, java.util.function.Supplier<ClusterAdmin> admin) {
        this.context = context;
        this.admin = admin;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        String action = path.length() > PATH.length() ? path.substring(PATH.length()) : "";
        if (!action.isEmpty() && !action.equals("/leave") && !action.startsWith("/remove/")) {
            ApiErrors.send(exchange, 404, "not_found", "No cluster endpoint " + path + ".",
                    "Use GET /api/v1/cluster, POST /api/v1/cluster/leave or POST /api/v1/cluster/remove/<node>.");
            return;
        }
        if (!Methods.allow(exchange, action.isEmpty() ? new String[]{"GET", "HEAD"} : new String[]{"POST"})) {
            return;
        }
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.CLUSTER, null);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        if (!action.isEmpty()) {
            change(exchange, action);
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
            n.put("data_address", m.dataAddress());
            n.put("zone", m.zone());
            n.put("capacity_bytes", m.capacityBytes());
            n.put("used_bytes", m.usedBytes());
            ObjectNode load = n.putObject("load");
            load.put("requests_per_second", m.requestsPerSecond());
            load.put("bytes_in_per_second", m.bytesInPerSecond());
            load.put("bytes_out_per_second", m.bytesOutPerSecond());
            n.put("hot_objects", m.hotObjects());
        }
        ClusterAdmin a = admin.get();
        if (a != null) {
            ArrayNode layout = body.putArray("layout");
            for (ClusterAdmin.LayoutEntry e : a.layout()) {
                ObjectNode n = layout.addObject();
                n.put("id", e.id());
                n.put("role", e.role());
                n.put("zone", e.zone());
                n.put("capacity", e.capacity());
                n.put("confirmed_newest_ring", e.confirmed());
            }
            // Names only for the asked node: each node spreads what it sees read hot, and names stay off the gossip.
            ArrayNode hot = body.putArray("hot_here");
            for (ClusterAdmin.HotObject h : a.hotObjects()) {
                ObjectNode n = hot.addObject();
                n.put("bucket", h.bucket());
                n.put("key", h.key());
                n.put("copies", h.copies());
                n.put("chunks", h.chunks());
                ArrayNode holders = n.putArray("holders");
                h.holders().forEach(holders::add);
                n.put("hot_until", java.time.Instant.ofEpochMilli(h.hotUntilMillis()).toString());
            }
            ClusterAdmin.Rebalance r = a.rebalance();
            if (r != null) {
                ObjectNode n = body.putObject("rebalance");
                n.put("in_progress", r.changing());
                n.put("owners_confirmed", r.ownersConfirmed());
                n.put("owners", r.owners());
                n.put("chunks_to_receive", r.chunksToReceive());
                n.put("bytes_to_receive", r.bytesToReceive());
                n.put("entries_to_hand_over", r.entriesToHandOver());
                n.put("bytes_to_hand_over", r.bytesToHandOver());
                n.put("bytes_received", r.bytesReceived());
                n.put("bytes_handed_over", r.bytesHandedOver());
                n.put("bytes_per_second", Math.round(r.bytesPerSecond()));
                n.put("eta_seconds", r.etaSeconds());
                n.put("holds_data", r.holdsData());
                n.put("holds_hints", r.holdsHints());
            }
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(JSON.writeValueAsString(body));
    }

    private static final String PATH = "/api/v1/cluster";

    private void change(HttpServerExchange exchange, String action) throws Exception {
        ClusterAdmin a = admin.get();
        if (a == null) {
            ApiErrors.send(exchange, 409, "not_in_cluster", "This node is not in a cluster yet.", "Retry once it has started.");
            return;
        }
        ObjectNode body = JSON.createObjectNode();
        if (action.equals("/leave")) {
            try {
                a.leave();
            } catch (IllegalStateException e) {
                ApiErrors.send(exchange, 409, "leave_refused", e.getMessage(), "GET /api/v1/cluster shows the layout.");
                return;
            }
            body.put("status", "leaving");
            body.put("node", context.instanceName());
            body.put("message", "This node is out of the ring and hands its data to the others; it exits when done. "
                    + "Follow the move with GET /api/v1/cluster (rebalance) on any node.");
        } else {
            String id;
            try {
                id = java.net.URLDecoder.decode(action.substring("/remove/".length()), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                ApiErrors.send(exchange, 400, "bad_node_name", "The node name in " + PATH + action + " is not valid percent-encoding.",
                        "Name the node as GET /api/v1/cluster lists it.");
                return;
            }
            if (id.isEmpty()) {
                ApiErrors.send(exchange, 400, "bad_node_name", "No node named.", "POST /api/v1/cluster/remove/<node>.");
                return;
            }
            try {
                a.remove(id);
            } catch (IllegalArgumentException e) {
                ApiErrors.send(exchange, 404, "no_such_node", e.getMessage(), "GET /api/v1/cluster lists the nodes of the layout.");
                return;
            } catch (IllegalStateException e) {
                ApiErrors.send(exchange, 409, "remove_refused", e.getMessage(), "GET /api/v1/cluster shows the layout.");
                return;
            }
            body.put("status", "removed");
            body.put("node", id);
            body.put("message", "Its copies are being re-created from the ones that remain; follow with GET /api/v1/cluster.");
        }
        exchange.setStatusCode(202);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(JSON.writeValueAsString(body));
    }
}
