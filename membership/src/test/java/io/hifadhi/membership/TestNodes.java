package io.hifadhi.membership;

import com.google.common.net.HostAndPort;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Helpers shared by the membership tests: free loopback ports and member configs. */
final class TestNodes {

    static final byte[] SECRET = "test-cluster-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    static final ClusterSettings SETTINGS = ClusterSettings.defaults();

    private static final int LOWEST_PORT = 10_000;
    private static final int PORT_SPAN = 22_000; // up to Linux's default ephemeral range (32768)
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
            new java.util.concurrent.atomic.AtomicInteger(new java.security.SecureRandom().nextInt(PORT_SPAN));

    private TestNodes() {
    }

    /**
     * A port from below the kernel's ephemeral range: one {@code bind(0)} reports free can be taken
     * as the source port of an outgoing connection before the node binds it.
     */
    static int freePort() {
        for (int i = 0; i < PORT_SPAN; i++) {
            int port = LOWEST_PORT + Math.floorMod(NEXT_PORT.getAndIncrement(), PORT_SPAN);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException e) {
                // taken; try the next
            }
        }
        throw new IllegalStateException("no free port in " + LOWEST_PORT + ".." + (LOWEST_PORT + PORT_SPAN));
    }

    static MembershipConfig config(String id, int port, List<HostAndPort> join, byte[] secret,
                                   ClusterSettings settings) {
        return MembershipConfig.builder(id, secret)
                .bindHost("127.0.0.1").advertiseHost("127.0.0.1").port(port)
                .join(join).settings(settings)
                .httpAddress("127.0.0.1:" + (20000 + port % 10000)).zone("zone-" + id)
                .capacityBytes(1L << 40)
                .joinTimeout(Duration.ofSeconds(10))
                .build();
    }

    static HostAndPort seed(int port) {
        return HostAndPort.fromParts("127.0.0.1", port);
    }
}
