package io.hifadhi.node.transport;

/** Where a request goes: a member id and its cluster address ({@code host:port}). */
public record Peer(String id, String clusterAddress) {
}
