package io.hifadhi.node.cluster;

import io.hifadhi.membership.ClusterSettings;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.LoadDigest;
import io.hifadhi.membership.Member;
import io.hifadhi.membership.MemberMetadata;
import io.hifadhi.membership.MemberState;
import io.hifadhi.membership.MembershipEvent;
import io.hifadhi.membership.Reachability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KnownPeersTest {
    @TempDir
    Path dir;

    @Test
    void remembersPeersAcrossRestartsAndForgetsThoseThatLeave() throws Exception {
        KnownPeers peers = KnownPeers.load(dir, "a");
        assertEquals(Set.of(), peers.ids(), "a new node knows nobody");

        peers.onEvent(event(MembershipEvent.Type.JOINED, "b", "10.0.0.2:7112"));
        peers.onEvent(event(MembershipEvent.Type.JOINED, "c", "10.0.0.3:7112"));
        peers.onEvent(event(MembershipEvent.Type.JOINED, "a", "10.0.0.1:7112"));
        peers.onEvent(event(MembershipEvent.Type.UPDATED, "c", "10.0.0.9:7112"));
        peers.onEvent(event(MembershipEvent.Type.UNREACHABLE, "b", "10.0.0.2:7112"));

        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(dir.resolve("cluster-peers"))), "the peers' addresses are the owner's only");
        KnownPeers restarted = KnownPeers.load(dir, "a");
        assertEquals(Set.of("b", "c"), restarted.ids(), "itself is never a peer; a crash is not a departure");
        assertEquals(List.of("10.0.0.2:7112", "10.0.0.9:7112"), restarted.addresses(), "the newest address is kept");

        restarted.onEvent(event(MembershipEvent.Type.LEFT, "b", "10.0.0.2:7112"));
        restarted.onEvent(event(MembershipEvent.Type.FORGOTTEN, "c", "10.0.0.9:7112"));
        assertEquals(Set.of(), KnownPeers.load(dir, "a").ids(), "a graceful leave or a long absence forgets the peer");
    }

    private static MembershipEvent event(MembershipEvent.Type type, String id, String clusterAddress) {
        ClusterSettings settings = ClusterSettings.defaults();
        MemberMetadata md = new MemberMetadata(id, "10.0.0.1:7111", "default", 1 << 30, 0, MemberState.UP,
                LoadDigest.IDLE, settings);
        boolean reachable = type != MembershipEvent.Type.UNREACHABLE;
        Member m = new Member(md, "1", clusterAddress, reachable ? Reachability.REACHABLE : Reachability.UNREACHABLE,
                reachable ? null : Instant.now());
        return new MembershipEvent(type, m, new ClusterView("a", Instant.now(), Map.of(id, m)));
    }
}
