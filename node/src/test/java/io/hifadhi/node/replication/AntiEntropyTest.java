package io.hifadhi.node.replication;

import io.hifadhi.node.replication.AntiEntropy.PeerSync;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which peers a round counts as synced to the end when it decides whether this node may confirm the newest ring. */
class AntiEntropyTest {
    private static final List<String> PEERS = List.of("b", "c");

    @Test
    void everyKeyspaceDoneWithEveryPeerCountsThemAll() {
        assertEquals(Set.of("b", "c"), AntiEntropy.syncedFully(PEERS, List.of(
                new PeerSync("b", false, true), new PeerSync("c", false, true),
                new PeerSync("b", true, true), new PeerSync("c", true, true))));
    }

    @Test
    void aFullCopyTableThatFailedOrHadWorkLeftDoesNotHoldThePeerBack() {
        // b refused the table (not seated yet), c had entries of it left for the next round.
        assertEquals(Set.of("b", "c"), AntiEntropy.syncedFully(PEERS, List.of(
                new PeerSync("b", false, true), new PeerSync("c", false, true),
                new PeerSync("b", true, false), new PeerSync("c", true, false))));
    }

    @Test
    void aShardedKeyspaceNotDoneWithAPeerDropsThatPeerOnly() {
        assertEquals(Set.of("c"), AntiEntropy.syncedFully(PEERS, List.of(
                new PeerSync("b", false, true), new PeerSync("b", false, false), new PeerSync("c", false, true),
                new PeerSync("b", true, true), new PeerSync("c", true, true))));
    }

    @Test
    void withNoKeyspaceSyncedNoPeerIsHeldBack() {
        // No keyspaces (a round before any registered): nothing held a peer back.
        assertEquals(Set.of("b", "c"), AntiEntropy.syncedFully(PEERS, List.of()));
    }
}
