package io.hifadhi.membership;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pure logic: settings comparison, metadata codec, join handshake messages. */
class ProtocolLogicTest {

    private final ClusterSecret secret = new ClusterSecret(TestNodes.SECRET);
    private final ClusterSecret other = new ClusterSecret("some-other-secret".getBytes(StandardCharsets.UTF_8));
    private final ClusterSettings settings = ClusterSettings.defaults();

    @Test
    void settingsDifferencesNameEverySetting() {
        assertEquals(List.of(), settings.differences(ClusterSettings.defaults()));
        var diffs = new ClusterSettings(5, 3, 3, 1024).differences(settings);
        assertEquals(List.of("replication: cluster has 3, this node has 5", "write-quorum: cluster has 2, this node has 3",
                "read-quorum: cluster has 2, this node has 3", "chunk-size: cluster has 4194304, this node has 1024"),
                diffs);
        assertThrows(IllegalArgumentException.class, () -> new ClusterSettings(2, 3, 1, 1));
    }

    @Test
    void metadataRoundTripsThroughTheGossipProperty() {
        MemberMetadata m = new MemberMetadata("node-1", "10.0.0.1:7111", "eu west=1&x", 1L << 42, 12345,
                MemberState.LEAVING, new LoadDigest(1.5, 2e6, 3e6, 4), new ClusterSettings(2, 1, 1, 65536));
        MetadataCodec.Gossiped g = MetadataCodec.decode(MetadataCodec.encode(m, "abc"));
        assertEquals(m, g.metadata());
        assertEquals("abc", g.incarnation());
        // A member of the release before the hot-objects count sends none: it spreads nothing.
        String older = MetadataCodec.encode(m, "abc").replace("\nhot=4", "");
        assertEquals(0, MetadataCodec.decode(older).metadata().load().hotObjects());
        assertEquals(2e6, MetadataCodec.decode(older).metadata().load().bytesInPerSecond());
        // Its chunk data port is gossiped; a member of the release before it has none (peers use the cluster port).
        MemberMetadata withData = new MemberMetadata("node-2", "10.0.0.2:7111", "10.0.0.2:7113", "z", 1, 0,
                MemberState.UP, LoadDigest.IDLE, ClusterSettings.defaults());
        assertEquals(withData, MetadataCodec.decode(MetadataCodec.encode(withData, "i")).metadata());
        assertEquals("", g.metadata().dataAddress());
        assertEquals("", MetadataCodec.decode(MetadataCodec.encode(withData, "i").replaceAll("\ndata=[^\n]*", ""))
                .metadata().dataAddress());
        assertThrows(IllegalArgumentException.class, () -> MetadataCodec.decode("v=9\nid=x\n"));
        assertThrows(IllegalArgumentException.class, () -> MetadataCodec.decode("v=1\nid=x\n"));
    }

    @Test
    void clusterIdDependsOnTheSecretOnly() {
        assertEquals(secret.atomixClusterId(), new ClusterSecret(TestNodes.SECRET).atomixClusterId());
        assertNotEquals(secret.atomixClusterId(), other.atomixClusterId());
        assertFalse(secret.atomixClusterId().contains(new String(TestNodes.SECRET, StandardCharsets.UTF_8)));
    }

    private ClusterView seedView() {
        Member seed = new Member(new MemberMetadata("seed", "h:1", "z", 1, 0, MemberState.UP, LoadDigest.IDLE,
                settings), "inc0", "127.0.0.1:7000", Reachability.REACHABLE, null);
        return new ClusterView("seed", Instant.now(), Map.of("seed", seed));
    }

    @Test
    void joinAcceptedWithSameSecretAndSettings() {
        var req = JoinProtocol.request(secret, "n1", "inc1", "127.0.0.1:7001", settings, "nonce1");
        var answer = JoinProtocol.read(secret, "nonce1", JoinProtocol.answer(secret, settings, seedView(), req));
        assertTrue(answer.accepted());
        assertEquals("seed", answer.seedId());
    }

    @Test
    void joinRefusedOnSettingsWithTheDifferingSetting() {
        var req = JoinProtocol.request(secret, "n1", "inc1", "127.0.0.1:7001", new ClusterSettings(3, 2, 2, 1024),
                "nonce1");
        var answer = JoinProtocol.read(secret, "nonce1", JoinProtocol.answer(secret, settings, seedView(), req));
        assertFalse(answer.accepted());
        assertEquals(MembershipRefusedException.Reason.SETTINGS_MISMATCH, answer.reason());
        assertTrue(answer.message().contains("chunk-size: cluster has 4194304, this node has 1024"));
    }

    @Test
    void joinRefusedWithoutTheSecretAndForgedAcceptsAreRejected() {
        var req = JoinProtocol.request(other, "n1", "inc1", "127.0.0.1:7001", settings, "nonce1");
        var seedAnswer = JoinProtocol.answer(secret, settings, seedView(), req);
        assertEquals("refused", seedAnswer.get("outcome"));
        var answer = JoinProtocol.read(other, "nonce1", seedAnswer);
        assertEquals(MembershipRefusedException.Reason.SECRET_MISMATCH, answer.reason());

        // A tampered request (settings changed after signing) is not accepted either.
        Map<String, String> tampered = new HashMap<>(JoinProtocol.request(secret, "n1", "inc1", "a:1", settings, "n"));
        tampered.put("settings", new ClusterSettings(1, 1, 1, 1).canonical());
        assertEquals("refused", JoinProtocol.answer(secret, settings, seedView(), tampered).get("outcome"));

        // An "accepted" answer not signed with our secret (or replayed for another nonce) does not admit us.
        Map<String, String> forged = Map.of("outcome", "accepted", "reason", "", "message", "welcome",
                "seed", "seed", "mac", "00");
        assertFalse(JoinProtocol.read(secret, "nonce1", forged).accepted());
        var real = JoinProtocol.answer(secret, settings, seedView(),
                JoinProtocol.request(secret, "n1", "inc1", "a:1", settings, "nonce1"));
        assertTrue(JoinProtocol.read(secret, "nonce1", real).accepted());
        assertFalse(JoinProtocol.read(secret, "nonce2", real).accepted());
    }

    @Test
    void configNeverPrintsTheSecretAndParsesJoin() {
        MembershipConfig c = TestNodes.config("a", 7000, MembershipConfig.parseJoin("h1:1, h2:2"), TestNodes.SECRET,
                settings);
        assertEquals(2, c.join().size());
        assertFalse(c.toString().contains(new String(TestNodes.SECRET, StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> MembershipConfig.parseJoin("hostwithoutport"));
    }
}
