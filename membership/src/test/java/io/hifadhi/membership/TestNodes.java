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

    private TestNodes() {
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
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
