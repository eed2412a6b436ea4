package io.hifadhi.api;

import io.hifadhi.api.auth.ClientAddress;
import io.hifadhi.api.http.RequestRate;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client-address limits: open connections and request rate. Connections are counted by the
 * socket's peer (a trusted proxy multiplexes many clients, so its connections are not limited); the
 * request rate is kept per client address as {@link ClientAddress} resolves it (behind a trusted proxy,
 * the forwarded client). A request over either limit is refused with 503 and Retry-After.
 */
final class AddressLimiter {
    /** Marks a connection already counted, and the address it was counted under. */
    private static final AttachmentKey<InetAddress> COUNTED = AttachmentKey.create(InetAddress.class);

    private final ClientLimits limits;
    private final ClientAddress clients;
    private final Map<InetAddress, Integer> connections = new ConcurrentHashMap<>();
    private final RequestRate<InetAddress> rates;

    AddressLimiter(ClientLimits limits, ClientAddress clients) {
        this.limits = limits;
        this.clients = clients;
        this.rates = new RequestRate<>(limits.requestsPerSecond());
    }

    /** What refuses this request, or null to let it through. Counts the connection on its first request. */
    Refusal admit(HttpServerExchange exchange) {
        ServerConnection connection = exchange.getConnection();
        InetSocketAddress source = exchange.getSourceAddress();
        InetAddress peer = source == null ? null : source.getAddress();
        if (peer != null && connection.getAttachment(COUNTED) == null && !clients.trusted(peer)) {
            connection.putAttachment(COUNTED, peer);
            int open = connections.merge(peer, 1, Integer::sum);
            connection.addCloseListener(c -> connections.computeIfPresent(peer, (a, n) -> n <= 1 ? null : n - 1));
            if (open > limits.connectionsPerClient()) {
                return new Refusal("too_many_connections", peer.getHostAddress() + " has " + open
                        + " open connections to this node; the limit is " + limits.connectionsPerClient() + ".",
                        "Reuse connections (keep-alive) or open fewer at once.", 1);
            }
        }
        InetAddress client = clients.of(exchange);
        if (client == null) {
            return null;
        }
        long wait = rates.take(client);
        if (wait > 0) {
            return new Refusal("too_many_requests", client.getHostAddress() + " sends more than "
                    + limits.requestsPerSecond() + " requests a second to this node.",
                    "Slow down and retry after the Retry-After seconds.", wait);
        }
        return null;
    }

    /** Forgets idle request-rate buckets, so the map holds only recent clients. */
    void sweep() {
        rates.sweep();
    }

    int openConnections(InetAddress address) {
        return connections.getOrDefault(address, 0);
    }

    /** A refused request: the error code, what happened, what to do, and seconds to wait. */
    record Refusal(String error, String message, String hint, long retryAfterSeconds) {
    }
}
