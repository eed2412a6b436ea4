package io.hifadhi.api.nativeapi;

import java.time.Instant;
import java.util.Objects;

/**
 * What the HTTP surface shows of one cluster member. The node fills it from membership; the api
 * module declares it so it needs no knowledge of how membership works.
 *
 * @param state            JOINING, UP or LEAVING
 * @param unreachableSince when the failure detector last lost this member, or null while reachable
 * @param hotObjects       objects the member spreads to its neighbours because they are read hot
 */
public record ClusterMemberStatus(String id, String state, boolean reachable, Instant unreachableSince,
                                  String httpAddress, String clusterAddress, String dataAddress, String zone,
                                  long capacityBytes, long usedBytes,
                                  double requestsPerSecond, double bytesInPerSecond, double bytesOutPerSecond,
                                  int hotObjects) {
    public ClusterMemberStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
    }

    /** A node that is not (yet) part of any cluster: just itself. */
    public static ClusterMemberStatus standalone(String id, String httpAddress) {
        return new ClusterMemberStatus(id, "UP", true, null, httpAddress, null, null, null, 0, 0, 0, 0, 0, 0);
    }
}
