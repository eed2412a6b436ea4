package io.hifadhi.chaos.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Ports for drill nodes, from below the kernel's ephemeral range: a port {@code bind(0)} reports
 * free is also a candidate source port for every outgoing connection, and one can take it before
 * the node's JVM binds it ("Address already in use"). Walked from a random start, never twice.
 */
public final class FreePorts {
    private static final int LOWEST = 10_000;
    private final int span = Math.max(1_000, ephemeralLow() - LOWEST);
    private int next = new SecureRandom().nextInt(span);
    private int handedOut;

    public synchronized int next() {
        while (handedOut < span) {
            int port = LOWEST + Math.floorMod(next++, span);
            handedOut++;
            if (free(port)) {
                return port;
            }
        }
        throw new UncheckedIOException(new IOException("no free port left in " + LOWEST + ".." + (LOWEST + span)));
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
