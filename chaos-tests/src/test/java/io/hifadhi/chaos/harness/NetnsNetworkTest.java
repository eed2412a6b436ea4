package io.hifadhi.chaos.harness;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The namespaces, the rules a partition loads, healing and teardown; fails saying why where namespaces cannot be made. */
class NetnsNetworkTest {

    @Test
    void partitionLoadsDropRulesForTheOtherSideOnlyAndHealAndCloseUndoEverything() throws Exception {
        Optional<String> unavailable = NetnsNetwork.unavailableReason();
        unavailable.ifPresent(why -> fail("network namespaces cannot be made here: " + why));
        String namespace;
        try (NetnsNetwork net = NetnsNetwork.create(3)) {
            namespace = net.namespace(0);
            assertTrue(namespaces().contains(namespace), namespaces());
            assertEquals(List.of("ip", "netns", "exec", namespace), net.launchPrefix(0).subList(0, 4).stream()
                    .map(w -> w.endsWith("/ip") ? "ip" : w).toList());

            net.partition(List.of(Set.of(0), Set.of(1, 2)));
            String rules0 = net.rules(0);
            assertTrue(rules0.contains("drop") && rules0.contains(net.host(1)) && rules0.contains(net.host(2)), rules0);
            assertFalse(rules0.contains(net.host(0)), "a node never blocks itself: " + rules0);
            String rules1 = net.rules(1);
            assertTrue(rules1.contains(net.host(0)) && !rules1.contains(net.host(2)), "1 and 2 share a side: " + rules1);

            net.isolate(2); // replaces the split: 2 alone, 0 and 1 together again
            assertFalse(net.rules(0).contains(net.host(1)), net.rules(0));
            assertTrue(net.rules(0).contains(net.host(2)), net.rules(0));

            net.heal();
            for (int i = 0; i < 3; i++) {
                assertFalse(net.rules(i).contains("hifadhi_chaos"), net.rules(i));
            }
            // The test JVM is on the bridge and reaches a namespace's address (nothing listens: refused, not silence).
            assertTrue(refusedQuickly(net.host(1)), "the bridge reaches " + net.host(1));
        }
        assertFalse(namespaces().contains(namespace), "closed: " + namespaces());
    }

    private static boolean refusedQuickly(String host) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, 9), 2_000);
            return true;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String namespaces() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "PATH=$PATH:/usr/sbin:/sbin ip netns list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
