package io.hifadhi.membership;

import java.util.Objects;

/**
 * What a member gossips about itself.
 *
 * @param id            member (node) id, unique in the cluster
 * @param httpAddress   where clients and peers reach its HTTP API, {@code host:port}
 * @param dataAddress   where peers fetch chunk bytes from it ({@code host:port} of its chunk data port), empty when
 *                      it has none (a member of an earlier release: peers then fetch over the cluster port)
 * @param zone          failure zone (placement prefers distinct zones)
 * @param capacityBytes declared capacity
 * @param usedBytes     bytes currently stored
 * @param state         lifecycle state
 * @param load          recent load
 * @param settings      the cluster settings it was started with
 */
public record MemberMetadata(String id, String httpAddress, String dataAddress, String zone, long capacityBytes,
                             long usedBytes, MemberState state, LoadDigest load, ClusterSettings settings) {

    public MemberMetadata {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(httpAddress, "httpAddress");
        Objects.requireNonNull(dataAddress, "dataAddress");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(load, "load");
        Objects.requireNonNull(settings, "settings");
        if (id.isBlank()) {
            throw new IllegalArgumentException("member id must not be blank");
        }
        if (capacityBytes < 0 || usedBytes < 0) {
            throw new IllegalArgumentException("capacity and used bytes must be >= 0");
        }
    }

    /** A member without a chunk data port. */
    public MemberMetadata(String id, String httpAddress, String zone, long capacityBytes, long usedBytes,
                          MemberState state, LoadDigest load, ClusterSettings settings) {
        this(id, httpAddress, "", zone, capacityBytes, usedBytes, state, load, settings);
    }

    public MemberMetadata withUsedBytes(long used) {
        return new MemberMetadata(id, httpAddress, dataAddress, zone, capacityBytes, used, state, load, settings);
    }

    public MemberMetadata withState(MemberState newState) {
        return new MemberMetadata(id, httpAddress, dataAddress, zone, capacityBytes, usedBytes, newState, load, settings);
    }

    public MemberMetadata withLoad(LoadDigest newLoad) {
        return new MemberMetadata(id, httpAddress, dataAddress, zone, capacityBytes, usedBytes, state, newLoad, settings);
    }

    public MemberMetadata withCapacityBytes(long capacity) {
        return new MemberMetadata(id, httpAddress, dataAddress, zone, capacity, usedBytes, state, load, settings);
    }
}
