package io.hifadhi.api.auth;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a bare
 * address means a single host (/32 or /128). IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) is treated
 * as the IPv4 address it carries, both in networks and in the addresses tested, so a dual-stack
 * socket cannot slip past an IPv4 rule. Parsing never touches DNS: only address literals are accepted.
 */
public record Cidr(InetAddress network, int prefixLength) {
    private static final Pattern V4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]+");

    public Cidr {
        network = normalize(java.util.Objects.requireNonNull(network, "network"));
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length must be 0.." + bits + ", got " + prefixLength);
        }
        network = masked(network, prefixLength);
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code text} */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty address");
        }
        String t = text.trim();
        if (t.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("'" + shorten(t) + "' contains white space");
        }
        int slash = t.indexOf('/');
        String addressText = slash < 0 ? t : t.substring(0, slash);
        InetAddress address = parseAddress(addressText);
        boolean mapped = address instanceof Inet4Address && addressText.contains(":");
        if (slash < 0) {
            return new Cidr(address, address.getAddress().length * 8);
        }
        String prefixText = t.substring(slash + 1);
        if (!prefixText.matches("[0-9]{1,3}")) {
            throw new IllegalArgumentException("'" + t + "' has no valid prefix length after '/'");
        }
        int prefix = Integer.parseInt(prefixText);
        if (mapped) {
            // ::ffff:a.b.c.d/n names the IPv4 network a.b.c.d/(n-96).
            if (prefix < 96 || prefix > 128) {
                throw new IllegalArgumentException("'" + t + "': an IPv4-mapped network needs a prefix of 96..128");
            }
            prefix -= 96;
        }
        int bits = address.getAddress().length * 8;
        if (prefix > bits) {
            throw new IllegalArgumentException("'" + t + "': prefix length must be 0.." + bits);
        }
        return new Cidr(address, prefix);
    }

    /**
     * An IP address literal, IPv4 dotted quad or IPv6 (optionally in brackets, no zone); never a
     * host name. IPv4-mapped IPv6 comes back as the IPv4 address.
     */
    public static InetAddress parseAddress(String text) {
        String t = text == null ? "" : text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        if (t.contains(":")) {
            // The character check keeps getByName from ever resolving a name; it parses literals itself.
            if (!V6.matcher(t).matches() || t.length() > 45) {
                throw new IllegalArgumentException("'" + shorten(t) + "' is not an IPv6 address");
            }
        } else if (V4.matcher(t).matches()) {
            byte[] b = new byte[4];
            String[] parts = t.split("\\.");
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    throw new IllegalArgumentException("'" + t + "' is not an IPv4 address (octet " + v + " > 255)");
                }
                b[i] = (byte) v;
            }
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + t + "' is not an IPv4 address");
            }
        } else {
            throw new IllegalArgumentException("'" + shorten(t) + "' is not an IP address (IPv4 like 10.0.0.1 or IPv6 like 2001:db8::1)");
        }
        try {
            // In brackets the JDK treats the text as an IPv6 literal only: a bad one fails, it is never looked up.
            return normalize(InetAddress.getByName("[" + t + "]"));
        } catch (UnknownHostException | RuntimeException e) {
            throw new IllegalArgumentException("'" + shorten(t) + "' is not an IPv6 address");
        }
    }

    /** IPv4-mapped IPv6 addresses become plain IPv4; everything else is returned as is. */
    public static InetAddress normalize(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                try {
                    return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return address;
    }

    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] a = normalize(address).getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != n[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (n[full] & mask);
    }

    /** Canonical text: the masked network, then /prefix ({@code 10.0.0.0/8}, {@code 2001:db8:0:0:0:0:0:0/32}). */
    @Override
    public String toString() {
        return network.getHostAddress().toLowerCase(Locale.ROOT) + "/" + prefixLength;
    }

    private static InetAddress masked(InetAddress address, int prefix) {
        byte[] b = normalize(address).getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) ((0xff << (8 - keep)) & 0xff);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String shorten(String s) {
        String p = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return p.replaceAll("\\p{Cntrl}", "?");
    }
}
