package io.hifadhi.api.auth;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientAddressTest {
    static final InetAddress PROXY = Cidr.parseAddress("10.0.0.1");
    static final InetAddress STRANGER = Cidr.parseAddress("198.51.100.9");
    final ClientAddress trustingProxy = new ClientAddress(List.of(Cidr.parse("10.0.0.0/24"), Cidr.parse("2001:db8:1::/48")));

    static InetAddress ip(String s) {
        return Cidr.parseAddress(s);
    }

    @Test
    void withoutTrustedProxiesTheSocketDecides() {
        ClientAddress direct = ClientAddress.direct();
        assertEquals(PROXY, direct.resolve(PROXY, List.of(), List.of("203.0.113.5")));
        assertEquals(PROXY, direct.resolve(PROXY, List.of("for=203.0.113.5"), List.of()));
    }

    @Test
    void headersFromAnUntrustedPeerAreIgnored() {
        assertEquals(STRANGER, trustingProxy.resolve(STRANGER, List.of("for=203.0.113.5"), List.of("203.0.113.5")));
    }

    @Test
    void aTrustedProxyNamesTheClient() {
        assertEquals(ip("203.0.113.5"), trustingProxy.resolve(PROXY, null, List.of("203.0.113.5")));
        assertEquals(ip("203.0.113.5"), trustingProxy.resolve(PROXY, null, List.of(" 203.0.113.5:51234 ")));
        assertEquals(ip("2001:db8::5"), trustingProxy.resolve(PROXY, null, List.of("2001:db8::5")));
        assertEquals(ip("2001:db8::5"), trustingProxy.resolve(PROXY, null, List.of("[2001:db8::5]:443")));
    }

    @Test
    void theRightmostUntrustedHopWinsSoAClientCannotPrependALie() {
        // The client sent "X-Forwarded-For: 1.1.1.1"; our proxy appended the address it saw.
        assertEquals(ip("203.0.113.5"), trustingProxy.resolve(PROXY, null, List.of("1.1.1.1, 203.0.113.5")));
        // Two trusted proxies in a row are skipped; several headers count as one list.
        assertEquals(ip("203.0.113.5"), trustingProxy.resolve(PROXY, null, List.of("1.1.1.1, 203.0.113.5", "10.0.0.7")));
        // Everyone in the chain is trusted: the leftmost is the client.
        assertEquals(ip("10.0.0.9"), trustingProxy.resolve(PROXY, null, List.of("10.0.0.9, 10.0.0.8")));
    }

    @Test
    void anUnparsableHopStopsAtTheLastTrustedProxy() {
        assertEquals(PROXY, trustingProxy.resolve(PROXY, null, List.of("203.0.113.5, garbage")));
        assertEquals(ip("10.0.0.8"), trustingProxy.resolve(PROXY, null, List.of("unknown, 10.0.0.8")));
        assertEquals(PROXY, trustingProxy.resolve(PROXY, null, List.of("")));
        assertEquals(PROXY, trustingProxy.resolve(PROXY, null, List.of("example.com")));
    }

    @Test
    void forwardedHeaderIsPreferredAndParsedPerRfc7239() {
        assertEquals(ip("192.0.2.43"), trustingProxy.resolve(PROXY, List.of("for=192.0.2.43"), List.of("1.1.1.1")));
        assertEquals(ip("2001:db8:cafe::17"), trustingProxy.resolve(PROXY,
                List.of("for=192.0.2.60;proto=http;by=203.0.113.43, For=\"[2001:db8:cafe::17]:4711\""), null));
        assertEquals(ip("192.0.2.60"), trustingProxy.resolve(PROXY, List.of("for=192.0.2.60", "for=10.0.0.3"), null));
        assertEquals(PROXY, trustingProxy.resolve(PROXY, List.of("for=_hidden"), null));
        assertEquals(PROXY, trustingProxy.resolve(PROXY, List.of("proto=https"), null));
        // RFC 7239 requires brackets for IPv6 (with or without a port); unbracketed with colons is refused.
        assertEquals(PROXY, trustingProxy.resolve(PROXY, List.of("for=2001:db8::1"), null));
    }

    @Test
    void ipv6TrustedProxies() {
        InetAddress v6proxy = ip("2001:db8:1::1");
        assertEquals(ip("192.0.2.1"), trustingProxy.resolve(v6proxy, null, List.of("192.0.2.1")));
        assertEquals(ip("2001:db8:2::1"), trustingProxy.resolve(ip("2001:db8:2::1"), null, List.of("192.0.2.1")));
    }
}
