package io.hifadhi.membership;

import io.atomix.cluster.AtomixCluster;
import io.atomix.cluster.discovery.BootstrapDiscoveryProvider;
import io.atomix.cluster.messaging.MessagingConfig;
import io.atomix.cluster.messaging.impl.NettyMessagingService;
import io.atomix.cluster.protocol.SwimMembershipProtocol;
import io.atomix.cluster.protocol.SwimMembershipProtocolConfig;
import io.atomix.utils.net.Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.hifadhi.membership.TestNodes.SECRET;
import static io.hifadhi.membership.TestNodes.SETTINGS;
import static io.hifadhi.membership.TestNodes.config;
import static io.hifadhi.membership.TestNodes.freePort;
import static io.hifadhi.membership.TestNodes.seed;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three real members in this JVM on loopback sockets. */
class InProcessMembershipTest {

    private final List<Membership> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        // In parallel: each Atomix stop idles 2 s in Netty's graceful shutdown.
        List<Thread> stoppers = started.stream().map(m -> new Thread(m::close, "stop")).toList();
        stoppers.forEach(Thread::start);
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Membership start(MembershipConfig cfg, EventLog log) throws MembershipRefusedException {
        Membership m = new Membership(cfg);
        if (log != null) {
            m.addListener(log);
        }
        started.add(m);
        m.start();
        return m;
    }

    private static void awaitAllSee(List<Membership> members, int n) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() ->
                members.stream().allMatch(m -> m.view().members().size() == n && m.view().reachable().size() == n));
    }

    @Test
    void aMemberWhoseSeedsAreAllDownKeepsCallingThemAndFindsTheFirstThatComesUp() throws Exception {
        int pa = freePort();
        int pb = freePort();
        // b was in a cluster with a; the whole cluster restarts and b comes up first, alone.
        Membership b = new Membership(config("b", pb, List.of(seed(pa)), SECRET, SETTINGS));
        started.add(b);
        b.startCallingSeeds();
        assertEquals(1, b.view().members().size());
        Thread.sleep(1_500);
        Membership a = start(config("a", pa, List.of(), SECRET, SETTINGS), null);
        awaitAllSee(List.of(a, b), 2);
    }

    @Test
    void threeMembersGossipMetadataLeaveCrashAndRejoin() throws Exception {
        int pa = freePort();
        int pb = freePort();
        int pc = freePort();
        EventLog logA = new EventLog();
        EventLog logB = new EventLog();
        Membership a = start(config("a", pa, List.of(), SECRET, SETTINGS), logA);
        Membership b = start(config("b", pb, List.of(seed(pa)), SECRET, SETTINGS), logB);
        Membership c = start(config("c", pc, List.of(seed(pa), seed(pb)), SECRET, SETTINGS), null);
        awaitAllSee(List.of(a, b, c), 3);

        Member cAsSeenByA = a.view().member("c").orElseThrow();
        assertEquals("127.0.0.1:" + pc, cAsSeenByA.clusterAddress());
        assertEquals("zone-c", cAsSeenByA.metadata().zone());
        assertEquals(1L << 40, cAsSeenByA.metadata().capacityBytes());
        assertEquals(MemberState.JOINING, cAsSeenByA.state());
        assertEquals(SETTINGS, cAsSeenByA.metadata().settings());

        // Metadata update reaches every member within 1 s.
        long t0 = System.nanoTime();
        c.updateLocal(m -> m.withUsedBytes(123_456).withState(MemberState.UP)
                .withLoad(new LoadDigest(42.5, 1000, 2000)));
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5)).until(() ->
                List.of(a, b).stream().allMatch(m -> m.view().member("c").map(x -> x.metadata().usedBytes() == 123_456
                        && x.state() == MemberState.UP && x.metadata().load().requestsPerSecond() == 42.5)
                        .orElse(false)));
        System.out.printf("metadata update seen by all after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertTrue(logA.first(MembershipEvent.Type.UPDATED, "c", t0).isPresent());

        // Graceful leave: LEFT at the others, gone from their views.
        long t1 = System.nanoTime();
        c.leave();
        await().atMost(Duration.ofSeconds(3)).until(() ->
                a.view().member("c").isEmpty() && b.view().member("c").isEmpty());
        assertTrue(logA.first(MembershipEvent.Type.LEFT, "c", t1).isPresent());
        assertTrue(logB.first(MembershipEvent.Type.LEFT, "c", t1).isPresent());
        assertTrue(logA.first(MembershipEvent.Type.UNREACHABLE, "c", t1).isEmpty(), "a leave is not a failure");

        // Abrupt stop (sockets closed, no leave): unreachable within 3 s, and still listed (crashed, not left).
        String oldIncarnation = a.view().member("b").orElseThrow().incarnation();
        long t2 = System.nanoTime();
        b.close();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10))
                .until(() -> !a.view().isReachable("b"));
        System.out.printf("stopped member unreachable after %d ms%n", (System.nanoTime() - t2) / 1_000_000);
        Member bDown = a.view().member("b").orElseThrow();
        assertTrue(bDown.unreachableSinceTime().isPresent());

        // Restart under the same id and port: rejoins, reachable, new incarnation.
        long t3 = System.nanoTime();
        Membership b2 = start(config("b", pb, List.of(seed(pa)), SECRET, SETTINGS), null);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.view().isReachable("b")
                && !a.view().member("b").orElseThrow().incarnation().equals(oldIncarnation)
                && b2.view().isReachable("a"));
        System.out.printf("restarted member rejoined after %d ms%n", (System.nanoTime() - t3) / 1_000_000);
        assertTrue(logA.first(MembershipEvent.Type.REACHABLE, "b", t3).isPresent());
    }

    @Test
    void wrongSecretAndWrongSettingsAreRefusedWithReason() throws Exception {
        int pa = freePort();
        int pb = freePort();
        EventLog logA = new EventLog();
        Membership a = start(config("a", pa, List.of(), SECRET, SETTINGS), logA);
        Membership b = start(config("b", pb, List.of(seed(pa)), SECRET, SETTINGS), null);
        awaitAllSee(List.of(a, b), 2);

        byte[] otherSecret = "another-secret-entirely".getBytes(StandardCharsets.UTF_8);
        MembershipRefusedException secret = assertThrows(MembershipRefusedException.class, () ->
                start(config("x", freePort(), List.of(seed(pa)), otherSecret, SETTINGS), null));
        assertEquals(MembershipRefusedException.Reason.SECRET_MISMATCH, secret.reason());
        assertTrue(secret.getMessage().contains("SHARD_KEY"), secret.getMessage());

        ClusterSettings otherSettings = new ClusterSettings(2, 2, 1, SETTINGS.chunkSize());
        MembershipRefusedException settings = assertThrows(MembershipRefusedException.class, () ->
                start(config("y", freePort(), List.of(seed(pb)), SECRET, otherSettings), null));
        assertEquals(MembershipRefusedException.Reason.SETTINGS_MISMATCH, settings.reason());
        assertTrue(settings.getMessage().contains("replication: cluster has 3, this node has 2"), settings.getMessage());
        assertTrue(settings.getMessage().contains("read-quorum: cluster has 2, this node has 1"), settings.getMessage());

        MembershipRefusedException dup = assertThrows(MembershipRefusedException.class, () ->
                start(config("b", freePort(), List.of(seed(pa)), SECRET, SETTINGS), null));
        assertEquals(MembershipRefusedException.Reason.DUPLICATE_ID, dup.reason());

        Thread.sleep(1000);
        for (Membership m : List.of(a, b)) {
            assertEquals(List.of("a", "b"), List.copyOf(m.view().members().keySet()));
        }
        assertFalse(logA.any("x") || logA.any("y"));
    }

    @Test
    void membersThatCannotProveTheSecretOrDisagreeOnSettingsAreNeverListed() throws Exception {
        int pa = freePort();
        int pb = freePort();
        Membership a = start(config("a", pa, List.of(), SECRET, SETTINGS), null);
        Membership b = start(config("b", pb, List.of(seed(pa)), SECRET, SETTINGS), null);
        awaitAllSee(List.of(a, b), 2);

        // Raw Atomix nodes that skip our join handshake: one knows the Atomix cluster id (the preamble) but not
        // the secret, one knows the secret but gossips other settings.
        ClusterSecret real = new ClusterSecret(SECRET);
        MemberMetadata meta = new MemberMetadata("rogue", "127.0.0.1:1", "z", 1, 0, MemberState.UP,
                LoadDigest.IDLE, SETTINGS);
        MemberMetadata odd = new MemberMetadata("odd", "127.0.0.1:1", "z", 1, 0, MemberState.UP,
                LoadDigest.IDLE, new ClusterSettings(3, 3, 1, SETTINGS.chunkSize()));
        AtomixCluster rogue = rawAtomix(real.atomixClusterId(), "rogue", freePort(), pa,
                MetadataCodec.encode(meta, "0000000000000000"));
        AtomixCluster oddOne = rawAtomix(real.atomixClusterId(), "odd", freePort(), pa,
                MetadataCodec.encode(odd, "1111111111111111"));
        try {
            rogue.start().get(30, TimeUnit.SECONDS);
            oddOne.start().get(30, TimeUnit.SECONDS);
            // They are in the SWIM cluster with a and b (Atomix's membership at the rogue lists them) ...
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    rogueIds(rogue).containsAll(List.of("a", "b")) && rogueIds(oddOne).containsAll(List.of("a", "b")));
            // ... but our views never do.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < until) {
                for (Membership m : List.of(a, b)) {
                    assertEquals(List.of("a", "b"), List.copyOf(m.view().members().keySet()));
                }
                Thread.sleep(50);
            }
        } finally {
            rogue.stop().get(10, TimeUnit.SECONDS);
            oddOne.stop().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPooledConnectionStuckInsideAtomixDoesNotMakeALivePeerFlap() throws Exception {
        int pa = freePort();
        int pb = freePort();
        EventLog logA = new EventLog();
        Membership a = start(config("a", pa, List.of(), SECRET, SETTINGS), logA);
        Membership b = start(config("b", pb, List.of(seed(pa)), SECRET, SETTINGS), null);
        awaitAllSee(List.of(a, b), 2);
        String oldInc = a.view().member("b").orElseThrow().incarnation();
        b.close();
        await().atMost(Duration.ofSeconds(3)).until(() -> !a.view().isReachable("b"));

        // Something of another cluster answers on b's port for a while: a's pooled ping connection to it is
        // dropped in the handshake, and Atomix never completes (nor forgets) that pooled connection.
        NettyMessagingService foreign = new NettyMessagingService("not-our-cluster", Address.from("127.0.0.1", pb),
                new MessagingConfig().setInterfaces(List.of("127.0.0.1")));
        foreign.start().get(10, TimeUnit.SECONDS);
        Thread.sleep(1000);
        foreign.stop().get(10, TimeUnit.SECONDS);

        start(config("b", pb, List.of(seed(pa)), SECRET, SETTINGS), null);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.view().member("b")
                .map(m -> m.isReachable() && !m.incarnation().equals(oldInc)).orElse(false));
        long back = System.nanoTime();
        Thread.sleep(5000);
        assertTrue(logA.first(MembershipEvent.Type.UNREACHABLE, "b", back).isEmpty(),
                "b flapped to unreachable after coming back");
        assertTrue(a.view().isReachable("b"));
    }

    private static List<String> rogueIds(AtomixCluster c) {
        return c.getMembershipService().getMembers().stream().map(m -> m.id().id()).toList();
    }

    private static AtomixCluster rawAtomix(String clusterId, String id, int port, int seedPort, String property) {
        return AtomixCluster.builder()
                .withClusterId(clusterId)
                .withMemberId(id)
                .withAddress("127.0.0.1", port)
                .withMessagingInterface("127.0.0.1")
                .withProperty(MetadataCodec.PROPERTY, property)
                .withMembershipProvider(BootstrapDiscoveryProvider.builder()
                        .withNodes(Address.from("127.0.0.1", seedPort)).build())
                .withMembershipProtocol(SwimMembershipProtocol.TYPE.newProtocol(new SwimMembershipProtocolConfig()
                        .setProbeInterval(Duration.ofMillis(250)).setGossipInterval(Duration.ofMillis(100))
                        .setBroadcastUpdates(true)))
                .build();
    }
}
