package io.hifadhi.chaos.harness;

import java.util.List;

/**
 * Where the nodes of a test cluster live on the network: the address each binds and advertises,
 * and the words put before {@code java} to start it there (e.g. {@code ip netns exec <ns>}).
 */
public interface HostNetwork {
    String host(int node);

    List<String> launchPrefix(int node);

    /** Every node on 127.0.0.1 in this machine's own network namespace. */
    HostNetwork LOOPBACK = new HostNetwork() {
        @Override
        public String host(int node) {
            return "127.0.0.1";
        }

        @Override
        public List<String> launchPrefix(int node) {
            return List.of();
        }
    };
}
