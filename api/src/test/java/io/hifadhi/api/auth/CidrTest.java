package io.hifadhi.api.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet4Address;
import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CidrTest {

    static InetAddress ip(String s) {
        return Cidr.parseAddress(s);
    }

    @Test
    void ipv4Network() {
        Cidr c = Cidr.parse("10.1.0.0/16");
        assertTrue(c.contains(ip("10.1.0.0")));
        assertTrue(c.contains(ip("10.1.255.255")));
        assertFalse(c.contains(ip("10.2.0.0")));
        assertFalse(c.contains(ip("10.0.255.255")));
        assertFalse(c.contains(ip("::1")), "an IPv6 address is never inside an IPv4 network");
        assertFalse(c.contains(null));
    }

    @Test
    void oddPrefixesMaskPartialBytes() {
        Cidr c = Cidr.parse("192.168.1.128/25");
        assertTrue(c.contains(ip("192.168.1.128")));
        assertTrue(c.contains(ip("192.168.1.255")));
        assertFalse(c.contains(ip("192.168.1.127")));
        // Host bits in the network are masked away, and the canonical text shows the network.
        assertEquals("10.0.0.0/8", Cidr.parse("10.20.30.40/8").toString());
    }

    @Test
    void slash32AndBareAddressAreOneHost() {
        Cidr c = Cidr.parse("127.0.0.1/32");
        assertEquals(c, Cidr.parse("127.0.0.1"));
        assertTrue(c.contains(ip("127.0.0.1")));
        assertFalse(c.contains(ip("127.0.0.2")));
    }

    @Test
    void slash0MatchesEveryAddressOfItsFamily() {
        Cidr v4 = Cidr.parse("0.0.0.0/0");
        assertTrue(v4.contains(ip("1.2.3.4")));
        assertTrue(v4.contains(ip("255.255.255.255")));
        assertFalse(v4.contains(ip("2001:db8::1")));
        Cidr v6 = Cidr.parse("::/0");
        assertTrue(v6.contains(ip("2001:db8::1")));
        assertTrue(v6.contains(ip("::")));
        assertFalse(v6.contains(ip("1.2.3.4")));
    }

    @Test
    void ipv6NetworksAndSlash128() {
        Cidr c = Cidr.parse("2001:DB8:abcd::/48");
        assertTrue(c.contains(ip("2001:db8:abcd::1")));
        assertTrue(c.contains(ip("2001:db8:abcd:ffff:ffff:ffff:ffff:ffff")));
        assertFalse(c.contains(ip("2001:db8:abce::1")));
        Cidr host = Cidr.parse("::1/128");
        assertEquals(host, Cidr.parse("[::1]"));
        assertTrue(host.contains(ip("0:0:0:0:0:0:0:1")));
        assertFalse(host.contains(ip("::2")));
        assertEquals("2001:db8:abcd:0:0:0:0:0/48", c.toString());
    }

    @Test
    void ipv4MappedIpv6IsTheIpv4AddressInsideIt() throws Exception {
        InetAddress mapped = ip("::ffff:10.1.2.3");
        assertInstanceOf(Inet4Address.class, mapped);
        assertTrue(Cidr.parse("10.0.0.0/8").contains(mapped));
        // Given as raw 16 bytes (what a dual-stack socket may report), it still matches the IPv4 rule.
        byte[] raw = new byte[16];
        raw[10] = (byte) 0xff;
        raw[11] = (byte) 0xff;
        raw[12] = 10;
        raw[15] = 7;
        InetAddress fromBytes = java.net.Inet6Address.getByAddress(null, raw, -1);
        assertTrue(Cidr.parse("10.0.0.0/8").contains(fromBytes));
        // A mapped network with an IPv6 prefix length becomes the IPv4 network (prefix - 96).
        assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("::ffff:10.0.0.0/104"));
        assertEquals(Cidr.parse("10.1.2.3/32"), Cidr.parse("::ffff:10.1.2.3/128"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "localhost", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4",
            "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/", "1.2.3.4/8/8", "1.2.3.4/x", "::1/129", "1:2", "2001:db8:::1",
            "fe80::1%eth0", "::ffff:10.0.0.0/95", "[::1", "1.2.3.4 /8", "0x7f.0.0.1", "127.1", "gggg::1"})
    void malformedInputIsRefusedWithoutALookup(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertFalse(e.getMessage().isBlank());
    }
}
