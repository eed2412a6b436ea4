package io.hifadhi.node.access;

import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.config.NodeOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --trusted-proxies: comma-separated IPv4/IPv6 addresses and CIDRs, default none, bad entries named. */
class TrustedProxiesOptionTest {

    static NodeConfig parse(String... args) {
        NodeOptions o = new NodeOptions();
        new CommandLine(o).parseArgs(args);
        return o.toConfig(Map.of());
    }

    @Test
    void defaultTrustsNoProxy() {
        assertEquals(List.of(), parse().trustedProxies());
    }

    @Test
    void acceptsAddressesAndNetworksOfBothFamilies() {
        assertEquals(List.of("127.0.0.1", "10.0.0.0/8", "2001:db8::/32", "::1"),
                parse("--trusted-proxies", "127.0.0.1, 10.0.0.0/8,2001:db8::/32", "--trusted-proxies", "::1").trustedProxies());
    }

    @Test
    void refusesWhatIsNotAnAddressNamingTheFlag() {
        for (String bad : List.of("proxy.example.com", "10.0.0.0/33", "1.2.3.4/x", "::1/129")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--trusted-proxies", bad));
            assertTrue(e.getMessage().startsWith("--trusted-proxies: "), e.getMessage());
        }
    }
}
