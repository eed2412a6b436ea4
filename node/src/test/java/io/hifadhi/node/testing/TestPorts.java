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
 * to outgoing connections; each JVM walks them from a random start so concurrent JVMs rarely meet.
 */
public final class TestPorts {
    private static final int LOWEST = 10_000;
    private static final int SPAN = Math.max(1_000, ephemeralLow() - LOWEST);
    private static final AtomicInteger NEXT = new AtomicInteger(new SecureRandom().nextInt(SPAN));

    private TestPorts() {
    }

    public static int next() throws IOException {
        for (int i = 0; i < SPAN; i++) {
            int port = LOWEST + Math.floorMod(NEXT.getAndIncrement(), SPAN);
            if (free(port)) {
                return port;
            }
        }
        throw new IOException("no free port in " + LOWEST + ".." + (LOWEST + SPAN));
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
