package io.hifadhi.node.layout;

import io.hifadhi.ring.Member;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One node's entry in the cluster layout.
 *
 * @param capacity the declared capacity the node joined with (its weight in the ring)
 */
public record LayoutMember(String id, String zone, long capacity, LayoutRole role) {
    public LayoutMember {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(role, "role");
        zone = zone == null ? "" : zone;
        capacity = Math.max(1, capacity);
    }

    public LayoutMember withRole(LayoutRole newRole) {
        return new LayoutMember(id, zone, capacity, newRole);
    }

    public Member ringMember() {
        return new Member(id, zone, capacity);
    }

    byte[] encode() {
        return (role.name() + "\n" + zone + "\n" + capacity).getBytes(StandardCharsets.UTF_8);
    }

    static LayoutMember decode(String id, byte[] value) {
        String[] parts = new String(value, StandardCharsets.UTF_8).split("\n", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a layout entry: " + id);
        }
        return new LayoutMember(id, parts[1], Long.parseLong(parts[2]), LayoutRole.valueOf(parts[0]));
    }
}
