package io.hifadhi.api.auth;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Who the client is. The socket's peer decides, unless that peer is one of the configured trusted
 * proxies: then the proxy headers are read right to left (each proxy appends the address it saw),
 * skipping further trusted proxies, and the first address not trusted is the client. A hop that
 * cannot be parsed (obfuscated, "unknown", garbage) ends the walk at the last proxy we trust, so a
 * malformed header can never make us believe an address nobody vouched for.
 *
 * <p>{@code Forwarded} (RFC 7239) is used when present; otherwise {@code X-Forwarded-For}. Headers
 * from untrusted peers are ignored entirely: anyone can send them.
 */
public final class ClientAddress {
    static final HttpString FORWARDED = new HttpString("Forwarded");
    static final HttpString X_FORWARDED_FOR = new HttpString("X-Forwarded-For");
    static final HttpString X_FORWARDED_PROTO = new HttpString("X-Forwarded-Proto");

    private final List<Cidr> trustedProxies;

    public ClientAddress(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /** Trusts no proxy: the socket address always decides. */
    public static ClientAddress direct() {
        return new ClientAddress(List.of());
    }

    public List<Cidr> trustedProxies() {
        return trustedProxies;
    }

    /** The client's address for this exchange. */
    public InetAddress of(HttpServerExchange exchange) {
        InetSocketAddress source = exchange.getSourceAddress();
        InetAddress peer = source == null ? null : source.getAddress();
        return resolve(peer, exchange.getRequestHeaders().get(FORWARDED), exchange.getRequestHeaders().get(X_FORWARDED_FOR));
    }

    /**
     * "https" when the request came over this node's TLS listener, or a trusted proxy says the
     * client used TLS (links we hand out must then say https); otherwise "http".
     */
    public String scheme(HttpServerExchange exchange) {
        if ("https".equals(exchange.getRequestScheme())) {
            return "https";
        }
        InetSocketAddress source = exchange.getSourceAddress();
        if (source == null || !trusted(source.getAddress())) {
            return "http";
        }
        HeaderValues forwarded = exchange.getRequestHeaders().get(FORWARDED);
        if (forwarded != null && !forwarded.isEmpty()) {
            List<String> hops = elements(forwarded);
            String proto = hops.isEmpty() ? null : parameter(hops.get(hops.size() - 1), "proto");
            return "https".equalsIgnoreCase(proto) ? "https" : "http";
        }
        String proto = exchange.getRequestHeaders().getLast(X_FORWARDED_PROTO);
        return proto != null && proto.trim().equalsIgnoreCase("https") ? "https" : "http";
    }

    /** The walk itself, on plain values (unit-testable without a server). */
    public InetAddress resolve(InetAddress peer, List<String> forwarded, List<String> xForwardedFor) {
        if (peer == null || !trusted(peer)) {
            return peer;
        }
        List<String> hops;
        boolean rfc7239 = forwarded != null && !forwarded.isEmpty();
        if (rfc7239) {
            hops = new ArrayList<>();
            for (String element : elements(forwarded)) {
                String f = parameter(element, "for");
                hops.add(f == null ? "" : f);
            }
        } else if (xForwardedFor != null && !xForwardedFor.isEmpty()) {
            hops = new ArrayList<>();
            for (String header : xForwardedFor) {
                for (String part : header.split(",", -1)) {
                    hops.add(part.trim());
                }
            }
        } else {
            return peer;
        }
        InetAddress current = peer;
        Collections.reverse(hops);
        for (String hop : hops) {
            InetAddress next = hopAddress(hop, rfc7239);
            if (next == null) {
                return current;
            }
            current = next;
            if (!trusted(next)) {
                return next;
            }
        }
        return current;
    }

    public boolean trusted(InetAddress address) {
        for (Cidr c : trustedProxies) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** An address from one hop: "192.0.2.1", "192.0.2.1:4711", "[2001:db8::1]:4711", "2001:db8::1"; null if none. */
    static InetAddress hopAddress(String hop, boolean rfc7239) {
        String h = hop.trim();
        if (h.length() > 2 && h.startsWith("\"") && h.endsWith("\"")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.isEmpty() || h.length() > 64) {
            return null;
        }
        try {
            if (h.startsWith("[")) {
                int close = h.indexOf(']');
                if (close < 0) {
                    return null;
                }
                return Cidr.parseAddress(h.substring(1, close));
            }
            int colon = h.indexOf(':');
            if (colon >= 0 && colon == h.lastIndexOf(':')) {
                // IPv4 with a port; RFC 7239 requires brackets around IPv6, X-Forwarded-For often omits them.
                h = h.substring(0, colon);
            } else if (rfc7239 && colon >= 0) {
                return null;
            }
            return Cidr.parseAddress(h);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The comma-separated elements of all Forwarded headers, in order, respecting quoted strings. */
    static List<String> elements(List<String> headers) {
        List<String> out = new ArrayList<>();
        for (String header : headers) {
            StringBuilder current = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < header.length(); i++) {
                char c = header.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                }
                if (c == ',' && !quoted) {
                    out.add(current.toString());
                    current.setLength(0);
                } else {
                    current.append(c);
                }
            }
            out.add(current.toString());
        }
        return out;
    }

    /** One parameter's value within a Forwarded element ("for=...;proto=https"), or null. */
    static String parameter(String element, String name) {
        for (String pair : element.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals(name)) {
                String v = pair.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                return v;
            }
        }
        return null;
    }
}
