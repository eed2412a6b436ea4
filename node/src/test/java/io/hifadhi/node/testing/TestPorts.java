package io.hifadhi.node.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for test nodes, taken from below the kernel's ephemeral range. A port the kernel hands out
 * for {@code bind(0)} comes from the same range as every outgoing connection's source port, so
 * between probing it and a node binding it (seconds later, after a JVM start) some client socket
 * can take it: CI saw "Address already in use" that way. Ports below that range are never given
 * to outgoing connections.
 *
 * <p>The test JVMs that Maven runs side by side (surefire's forks, numbered in {@code hifadhi.test.fork})
 * each take ports from their own share of that range. Probing is not enough between them: a test that
 * restarts a node on its port leaves the port free meanwhile, and a walk from a random start once led
 * another JVM to it; CI saw that JVM's three-node cluster gain a fourth member from the other's
 * five-node one, and the restart fail to bind. A JVM started otherwise (an IDE) walks the whole range
 * from a random start.
 */
public final class TestPorts {
    private static final int LOWEST = 10_000;
    /** Shares of the range: more than the forks of any module's test run. */
    private static final int SHARES = 4;
    private static final int SPAN = Math.max(1_000, ephemeralLow() - LOWEST);
    private static final Range RANGE = Range.forFork(System.getProperty("hifadhi.test.fork"));
    private static final AtomicInteger NEXT = new AtomicInteger(new SecureRandom().nextInt(RANGE.size()));

    /** The ports this JVM takes from: {@code size} of them from {@code first}. */
    record Range(int first, int size) {
        static Range forFork(String fork) {
            try {
                int share = Math.floorMod(Integer.parseInt(fork) - 1, SHARES);
                return new Range(LOWEST + share * (SPAN / SHARES), SPAN / SHARES);
            } catch (NumberFormatException | NullPointerException e) {
                return new Range(LOWEST, SPAN);
            }
        }
    }

    private TestPorts() {
    }

    public static int next() throws IOException {
        for (int i = 0; i < RANGE.size(); i++) {
            int port = RANGE.first() + Math.floorMod(NEXT.getAndIncrement(), RANGE.size());
            if (free(port)) {
                return port;
            }
        }
        throw new IOException("no free port in " + RANGE.first() + ".." + (RANGE.first() + RANGE.size()));
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralLow() {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768; // Linux's default
        }
    }
}
