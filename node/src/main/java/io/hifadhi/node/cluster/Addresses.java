package io.hifadhi.node.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.Collections;

/** How this node names itself to the others. */
public final class Addresses {
    private Addresses() {
    }

    /**
     * The host other members and clients should use: {@code --advertise-host} when given, else the
     * bind address when it is a specific one, else this host's first non-loopback IPv4 address
     * (loopback when there is none: a single machine).
     */
    public static String advertiseHost(String configured, String bindAddress) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        if (!bindAddress.equals("0.0.0.0") && !bindAddress.equals("::") && !bindAddress.equals("[::]")) {
            return bindAddress;
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // fall through to loopback: the node still works on this machine
        }
        return "127.0.0.1";
    }

    /** A port free right now on {@code bindAddress}, for nodes started with cluster port 0 (tests). */
    public static int freePort(String bindAddress) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(bindAddress, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + bindAddress, e);
        }
    }
}
