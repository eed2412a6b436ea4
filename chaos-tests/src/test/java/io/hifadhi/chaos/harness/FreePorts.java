package io.hifadhi.chaos.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Ports the kernel reports free on 127.0.0.1, never the same one twice in this JVM. */
public final class FreePorts {
    private static final int ATTEMPTS = 50;
    private final Set<Integer> handedOut = new HashSet<>();

    public synchronized int next() {
        for (int i = 0; i < ATTEMPTS; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (handedOut.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot probe for a free port", e);
            }
        }
        throw new IllegalStateException("no fresh free port after " + ATTEMPTS + " attempts");
    }
}
