package io.hifadhi.ring;

import java.util.Objects;

/**
 * A ring member as placement sees it.
 *
 * @param id       stable node id; the member's tokens are derived from it, so it must never be reused
 *                 for a different node
 * @param zone     failure zone (rack, room, site); null or blank means "no zone", which all such members
 *                 share as the zone {@code ""}
 * @param capacity declared capacity in the cluster's capacity unit (bytes by default); the ring turns it
 *                 into a weight relative to {@link RingSettings#referenceCapacity()}
 */
public record Member(String id, String zone, long capacity) {

    public Member {
        Objects.requireNonNull(id, "member id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("member id must not be blank");
        }
        zone = zone == null ? "" : zone.strip();
        if (capacity <= 0) {
            throw new IllegalArgumentException(
                    "member '" + id + "': capacity must be positive, was " + capacity);
        }
    }

    /** A member without zone and with the default reference capacity (weight 1). */
    public static Member of(String id) {
        return new Member(id, "", RingSettings.DEFAULT_REFERENCE_CAPACITY);
    }

    /** A member in a zone with the default reference capacity (weight 1). */
    public static Member of(String id, String zone) {
        return new Member(id, zone, RingSettings.DEFAULT_REFERENCE_CAPACITY);
    }

    public boolean hasZone() {
        return !zone.isEmpty();
    }

    @Override
    public String toString() {
        return id + (hasZone() ? "@" + zone : "");
    }
}
