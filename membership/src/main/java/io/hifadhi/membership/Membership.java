package io.hifadhi.membership;

import com.google.common.net.HostAndPort;
import io.atomix.cluster.AtomixCluster;
import io.atomix.cluster.ClusterMembershipEventListener;
import io.atomix.cluster.discovery.BootstrapDiscoveryProvider;
import io.atomix.cluster.messaging.ClusterCommunicationService;
import io.atomix.cluster.messaging.MessagingConfig;
import io.atomix.cluster.messaging.MessagingService;
import io.atomix.cluster.messaging.impl.NettyMessagingService;
import io.atomix.cluster.protocol.SwimMembershipProtocol;
import io.atomix.cluster.protocol.SwimMembershipProtocolConfig;
import io.atomix.utils.net.Address;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * This node's membership in a Hifadhi cluster: Atomix SWIM spreads membership and metadata; our own
 * phi-accrual failure detector (direct pings over the cluster port) decides reachability, because Atomix
 * 3.1.12's SWIM never notices a hung process; HMAC handshakes keep out nodes without the cluster secret or with
 * other cluster settings.
 *
 * <p>Lifecycle: construct, {@link #addListener}, {@link #start()} (throws {@link MembershipRefusedException} with
 * the reason when the cluster refuses us), {@link #updateLocal} as often as needed, then {@link #leave()} for a
 * graceful departure or {@link #close()} to just stop.
 *
 * <p>Threading: view state is owned by one "hifadhi-membership" thread; {@link #view()} is a lock-free read of
 * the latest immutable snapshot; listeners run on that thread.
 */
public final class Membership implements AutoCloseable {

    /** Message types with this prefix are reserved for membership on the shared messaging service. */
    public static final String MESSAGE_TYPE_PREFIX = "hifadhi-membership-";
    static final String PING = MESSAGE_TYPE_PREFIX + "ping";
    static final String AUTH = MESSAGE_TYPE_PREFIX + "auth";
    static final String JOIN = MESSAGE_TYPE_PREFIX + "join";
    static final String LEAVE = MESSAGE_TYPE_PREFIX + "leave";
    static final String MEMBERS = MESSAGE_TYPE_PREFIX + "members";

    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    /** A transient (new-connection) probe of an unreachable peer is given up and replaced after this long. */
    private static final long TRANSIENT_PROBE_MAX_MILLIS = 2_000;
    private static final long AUTH_RETRY_MILLIS = 500;
    static final long MEMBER_SYNC_MILLIS = 2_000;
    static final long MEMBER_SYNC_MAX_MILLIS = 30_000;
    private static final int MAX_CANDIDATES = 10_000;

    /** A member named by a peer's list; its metadata arrives, signed, with its proof of the secret. */
    private record Candidate(Address address, MetadataCodec.Gossiped metadata) {
    }

    private enum Phase { NEW, STARTING, RUNNING, STOPPED }

    private final MembershipConfig config;
    private final ClusterSecret secret;
    private final String clusterId;
    private final String incarnation;
    private final String clusterAddress;
    private final FailureDetectorSettings fd;
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
    private final ScheduledExecutorService loop;
    private final MembershipStats stats = new MembershipStats();

    private volatile ClusterView view;
    private volatile MemberMetadata local;
    private volatile AtomixCluster atomix;
    private volatile ClusterMembershipEventListener atomixListener;

    // Owned by the loop thread.
    private final Map<String, Peer> peers = new HashMap<>();
    private final Map<String, String> provenIncarnation = new HashMap<>();
    private final Map<String, Long> authNotBefore = new HashMap<>();
    private final Set<String> authInFlight = new HashSet<>();
    private final Set<String> departed = new HashSet<>();
    private final Set<String> warnedOnce = new HashSet<>();
    /** Members learned from a peer's member list, awaiting (or holding) their signed proof and metadata. */
    private final Map<String, Candidate> candidates = new HashMap<>();
    private long nextMemberSyncAt;
    private long memberSyncBackoff = MEMBER_SYNC_MILLIS;
    private MemberMetadata publishedLocal;
    private long lastTickAt;

    /** Mutable per-peer state, touched only on the loop thread. */
    private final class Peer {
        MemberMetadata metadata;
        String incarnation;
        Address address;
        boolean reachable = true;
        Instant unreachableSince;
        PhiAccrualDetector detector;
        long nextPingAt;
        boolean pingInFlight;
        int pooledFailures;
        long transientProbeSince = -1;
        long nextTransientAt;
        boolean inGossip = true;

        Peer(MemberMetadata metadata, String incarnation, Address address, long now) {
            this.metadata = metadata;
            this.incarnation = incarnation;
            this.address = address;
            resetDetector(now);
        }

        void resetDetector(long now) {
            detector = new PhiAccrualDetector(100, fd.minStdDev().toMillis(), fd.acceptablePause().toMillis(),
                    fd.pingInterval().toMillis());
            detector.heartbeat(now);
        }

        Member snapshot() {
            return new Member(metadata, incarnation, address.host() + ":" + address.port(),
                    reachable ? Reachability.REACHABLE : Reachability.UNREACHABLE, reachable ? null : unreachableSince);
        }
    }

    public Membership(MembershipConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.secret = new ClusterSecret(config.clusterSecret());
        this.clusterId = secret.atomixClusterId();
        this.incarnation = secret.nonce().substring(0, 16);
        this.clusterAddress = config.clusterAddress();
        this.fd = config.failureDetector();
        this.local = new MemberMetadata(config.memberId(), config.httpAddress(), config.dataAddress(), config.zone(),
                config.capacityBytes(), 0, MemberState.JOINING, LoadDigest.IDLE, config.settings());
        this.view = buildView(Map.of());
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-membership-" + config.memberId());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Joins the cluster named by {@code config.join()} (or starts a new one when it is empty) and returns once
     * this node is a member (when joining: once at least one other member is in the view, or the join timeout
     * passed, which is logged). The node starts in state {@link MemberState#JOINING}; set UP with
     * {@link #updateLocal} when it serves.
     *
     * @throws MembershipRefusedException when the cluster refuses this node (other secret, other settings,
     *                                    duplicate id), no seed answers, or the cluster port cannot be bound;
     *                                    nothing is left running then
     */
    public void start() throws MembershipRefusedException {
        start(true);
    }

    /**
     * Starts as a member of a cluster none of whose seeds ({@code config.join()}) answers now, as after a restart of
     * the whole cluster: no join handshake; SWIM keeps probing the seeds for as long as this node runs, and each
     * peer that comes up finds us or is found (then proves the secret, as always).
     *
     * @throws MembershipRefusedException when the cluster port cannot be bound
     */
    public void startCallingSeeds() throws MembershipRefusedException {
        start(false);
    }

    private void start(boolean handshake) throws MembershipRefusedException {
        if (!phase.compareAndSet(Phase.NEW, Phase.STARTING)) {
            throw new IllegalStateException("start() may be called once");
        }
        try {
            List<HostAndPort> seeds = config.join().stream()
                    .filter(s -> !s.equals(HostAndPort.fromParts(config.advertiseHost(), config.port())))
                    .toList();
            if (handshake && !seeds.isEmpty()) {
                joinHandshake(seeds);
            }
            startAtomix(seeds);
            phase.set(Phase.RUNNING);
            log.info("Member {} ({}) running on cluster port {} with {}; {}", config.memberId(), incarnation,
                    clusterAddress, config.settings(), seeds.isEmpty() ? "started a new cluster"
                            : handshake ? "joined via " + seeds : "calling its peers " + seeds + " until they answer");
            if (handshake && !seeds.isEmpty()) {
                awaitFirstPeer();
            }
        } catch (MembershipRefusedException | RuntimeException e) {
            shutdown();
            throw e;
        }
    }

    /** The latest snapshot (never null; before start() it holds only this node). */
    public ClusterView view() {
        return view;
    }

    public void addListener(MembershipListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    public void removeListener(MembershipListener listener) {
        listeners.remove(listener);
    }

    /** Counters of this node's membership traffic and verdicts (for /metrics). */
    public MembershipStats stats() {
        return stats;
    }

    /** Current local metadata. */
    public MemberMetadata localMetadata() {
        return local;
    }

    public String localId() {
        return config.memberId();
    }

    /** {@code host:port} of this node's cluster port as others reach it. */
    public String clusterAddress() {
        return clusterAddress;
    }

    /**
     * Changes what this node gossips (used bytes, load, state, capacity). Id and settings cannot change. Others
     * see the change within about a second (SWIM broadcasts it at once, gossip repairs losses).
     */
    public synchronized MemberMetadata updateLocal(UnaryOperator<MemberMetadata> change) {
        MemberMetadata next = Objects.requireNonNull(change.apply(local), "updated metadata");
        if (!next.id().equals(local.id()) || !next.settings().equals(local.settings())
                || !next.httpAddress().equals(local.httpAddress()) || !next.dataAddress().equals(local.dataAddress())
                || !next.zone().equals(local.zone())) {
            throw new IllegalArgumentException("id, settings, HTTP and data addresses and zone cannot change at runtime");
        }
        local = next;
        AtomixCluster a = atomix;
        if (a != null) {
            a.getMembershipService().getLocalMember().properties()
                    .setProperty(MetadataCodec.PROPERTY, MetadataCodec.encode(next, incarnation));
        }
        if (phase.get() == Phase.RUNNING) {
            submit(this::tick);
        }
        return next;
    }

    /**
     * Leaves gracefully: gossips state LEAVING, tells every member directly that it departs, then stops. Members
     * drop it from their view with a LEFT event. Blocks up to about 2 s.
     */
    public void leave() {
        if (phase.get() != Phase.RUNNING) {
            close();
            return;
        }
        AtomixCluster a = requireAtomix();
        updateLocal(m -> m.withState(MemberState.LEAVING));
        sleep(300); // let SWIM broadcast LEAVING before the direct notices
        Map<String, String> notice = new LinkedHashMap<>();
        notice.put("id", config.memberId());
        notice.put("inc", incarnation);
        notice.put("mac", secret.macHex("leave|" + config.memberId() + "|" + incarnation));
        byte[] payload = Wire.encodeBytes(notice);
        List<CompletableFuture<byte[]>> acks = new ArrayList<>();
        for (Member m : view.all()) {
            if (!m.id().equals(config.memberId()) && m.isReachable()) {
                stats.sent(payload.length);
                acks.add(a.getMessagingService()
                        .sendAndReceive(Address.from(m.clusterAddress()), LEAVE, payload, true, Duration.ofSeconds(1))
                        .orTimeout(1500, TimeUnit.MILLISECONDS));
            }
        }
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Not every member acknowledged our departure ({}); they will still see us leave", e.toString());
        }
        log.info("Member {} left the cluster", config.memberId());
        close();
    }

    /**
     * The Atomix messaging service on the cluster port, for the node's internode traffic. Use your own message
     * types (never the {@value #MESSAGE_TYPE_PREFIX} prefix); address a member with
     * {@code Address.from(member.clusterAddress())}; check the sender of an incoming message with
     * {@code view().memberAtClusterAddress(sender.host() + ":" + sender.port())} before trusting it. Only
     * valid after start().
     */
    public MessagingService messaging() {
        return requireAtomix().getMessagingService();
    }

    /** Atomix's member-addressed messaging on the same port (send by {@code MemberId.from(id)}). */
    public ClusterCommunicationService communication() {
        return requireAtomix().getCommunicationService();
    }

    /** Stops without the leave announcement (members see us as unreachable, as after a crash). Idempotent. */
    @Override
    public void close() {
        Phase before = phase.getAndSet(Phase.STOPPED);
        if (before != Phase.STOPPED) {
            shutdown();
        }
    }

    // ---------------------------------------------------------------- start

    private void joinHandshake(List<HostAndPort> seeds) throws MembershipRefusedException {
        long deadline = System.nanoTime() + config.joinTimeout().toNanos();
        Map<HostAndPort, String> lastOutcome = new LinkedHashMap<>();
        NettyMessagingService temp = new NettyMessagingService(clusterId, Address.from(config.advertiseHost(), 0),
                new MessagingConfig().setInterfaces(List.of(config.bindHost())).setPort(0));
        try {
            temp.start().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new MembershipRefusedException(MembershipRefusedException.Reason.STARTUP_FAILED,
                    "could not start messaging for the join handshake: " + e, e);
        }
        try {
            while (true) {
                for (HostAndPort seed : seeds) {
                    PreambleProbe.Outcome probe = PreambleProbe.probe(seed, clusterId.hashCode(), 1500);
                    switch (probe) {
                        case OTHER_CLUSTER -> throw new MembershipRefusedException(
                                MembershipRefusedException.Reason.SECRET_MISMATCH,
                                "refused by seed " + seed + ": it dropped our cluster handshake, so it runs with a "
                                        + "different cluster secret (SHARD_KEY) or is not a Hifadhi cluster port");
                        case NOT_LISTENING -> lastOutcome.put(seed, "nothing listening");
                        case NO_ANSWER -> lastOutcome.put(seed, "connected but no handshake answer");
                        case SAME_CLUSTER -> {
                            String nonce = secret.nonce();
                            byte[] req = Wire.encodeBytes(JoinProtocol.request(secret, config.memberId(), incarnation,
                                    clusterAddress, config.settings(), nonce));
                            try {
                                byte[] reply = temp.sendAndReceive(Address.from(seed.getHost(), seed.getPort()), JOIN,
                                        req, false, Duration.ofSeconds(3)).get(4, TimeUnit.SECONDS);
                                JoinProtocol.Answer a = JoinProtocol.read(secret, nonce, Wire.decode(reply));
                                if (a.accepted()) {
                                    log.info("Seed {} ({}) accepted member {}", a.seedId(), seed, config.memberId());
                                    return;
                                }
                                throw new MembershipRefusedException(a.reason(),
                                        "refused by seed " + a.seedId() + " (" + seed + "): " + a.message());
                            } catch (MembershipRefusedException e) {
                                throw e;
                            } catch (Exception e) {
                                lastOutcome.put(seed, "join request failed: " + rootMessage(e));
                            }
                        }
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new MembershipRefusedException(MembershipRefusedException.Reason.NO_SEED_REACHABLE,
                            "no seed answered within " + config.joinTimeout().toSeconds() + " s: " + lastOutcome);
                }
                sleep(300);
            }
        } finally {
            // Not awaited: Netty's graceful shutdown idles 2 s before it completes, and only frees an ephemeral
            // port and a few threads.
            temp.stop().whenComplete((v, e) -> log.debug("join messaging stopped"));
        }
    }

    /**
     * Membership stalls at scale with Atomix's own decoder (it resolves every connection's sender by reverse DNS on the
     * event loop); ours must be the one loaded. Only a classpath that puts atomix-cluster before hifadhi-membership
     * gets this wrong, so say so loudly rather than flap later.
     */
    private static void checkDecoder() {
        try {
            Class.forName("io.atomix.cluster.messaging.impl.MessageDecoderV1").getDeclaredField("INCOMPLETE");
        } catch (ReflectiveOperationException e) {
            log.error("Atomix's own MessageDecoderV1 is loaded instead of Hifadhi's: put hifadhi-membership before "
                    + "atomix-cluster on the classpath, or members will be suspected whenever reverse DNS is slow");
        }
    }

    private void startAtomix(List<HostAndPort> seeds) throws MembershipRefusedException {
        checkDecoder();
        // SWIM only spreads membership and metadata here; reachability is ours. Timings from
        // shared/notes/atomix.md, a little relaxed so a loaded 2-core host does not churn members.
        SwimMembershipProtocolConfig swim = new SwimMembershipProtocolConfig()
                .setProbeInterval(Duration.ofMillis(250))
                .setProbeTimeout(Duration.ofMillis(500))
                .setSuspectProbes(3)
                .setFailureTimeout(Duration.ofSeconds(2))
                .setGossipInterval(Duration.ofMillis(100))
                // Atomix forwards each update once, to this many random members (infect and die): with its default
                // of 2 about a fifth of the members never hear a given update; with 4, about 2 %, and every member
                // of a cluster of five or fewer hears it first hand.
                .setGossipFanout(4)
                .setBroadcastUpdates(true)
                .setNotifySuspect(false);
        AtomixCluster a = AtomixCluster.builder()
                .withClusterId(clusterId)
                .withMemberId(config.memberId())
                .withAddress(config.advertiseHost(), config.port())
                .withMessagingInterface(config.bindHost())
                .withMessagingPort(config.port())
                .withZone(config.zone())
                .withProperty(MetadataCodec.PROPERTY, MetadataCodec.encode(local, incarnation))
                .withMembershipProvider(BootstrapDiscoveryProvider.builder()
                        .withNodes(seeds.stream().map(s -> Address.from(s.getHost(), s.getPort()))
                                .toArray(Address[]::new))
                        .build())
                .withMembershipProtocol(SwimMembershipProtocol.TYPE.newProtocol(swim))
                .build();
        MessagingService messaging = a.getMessagingService();
        // Cheap handlers: they answer on the Netty thread, so a busy membership loop never delays a ping reply.
        Executor direct = Runnable::run;
        messaging.registerHandler(PING, (BiFunction<Address, byte[], byte[]>) (sender, payload) ->
                answered(payload, pong()), direct);
        messaging.registerHandler(AUTH, (BiFunction<Address, byte[], byte[]>) (sender, payload) ->
                answered(payload, proveIdentity(payload)), direct);
        messaging.registerHandler(JOIN, (BiFunction<Address, byte[], byte[]>) (sender, payload) ->
                answered(payload, answerJoin(sender, payload)), direct);
        messaging.registerHandler(LEAVE, (BiFunction<Address, byte[], byte[]>) (sender, payload) ->
                answered(payload, onLeaveNotice(payload)), direct);
        messaging.registerHandler(MEMBERS, (BiFunction<Address, byte[], byte[]>) (sender, payload) ->
                answered(payload, memberList()), direct);
        atomix = a;
        try {
            a.start().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new MembershipRefusedException(MembershipRefusedException.Reason.STARTUP_FAILED,
                    "could not start the cluster service on " + config.bindHost() + ":" + config.port() + ": "
                            + rootMessage(e), e);
        }
        // The property given to the builder may predate updateLocal calls made meanwhile.
        a.getMembershipService().getLocalMember().properties()
                .setProperty(MetadataCodec.PROPERTY, MetadataCodec.encode(local, incarnation));
        atomixListener = event -> submit(this::tick);
        a.getMembershipService().addListener(atomixListener);
        long period = Math.max(10, fd.pingInterval().toMillis() / 2);
        loop.scheduleWithFixedDelay(this::safeTick, 0, period, TimeUnit.MILLISECONDS);
    }

    private void awaitFirstPeer() {
        long deadline = System.nanoTime() + config.joinTimeout().toNanos();
        while (System.nanoTime() < deadline && phase.get() == Phase.RUNNING) {
            if (view.members().size() > 1) {
                return;
            }
            sleep(50);
        }
        log.warn("Member {} was accepted but sees no other member after {} s", config.memberId(),
                config.joinTimeout().toSeconds());
    }

    private void shutdown() {
        AtomixCluster a = atomix;
        atomix = null;
        loop.shutdownNow();
        if (a != null) {
            try {
                if (atomixListener != null) {
                    a.getMembershipService().removeListener(atomixListener);
                }
                a.stop().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("Stopping Atomix: {}", rootMessage(e));
            }
        }
    }

    // ---------------------------------------------------------------- message handlers (Netty threads)

    /** Counts a request handled here and the answer it gets. */
    private byte[] answered(byte[] request, byte[] answer) {
        stats.received(request.length);
        stats.sent(answer.length);
        return answer;
    }

    private byte[] pong() {
        return Wire.encodeBytes(Map.of("id", config.memberId(), "inc", incarnation));
    }

    private byte[] proveIdentity(byte[] payload) {
        Map<String, String> req = Wire.decode(payload);
        String challenger = req.getOrDefault("from", "");
        String nonce = req.getOrDefault("nonce", "");
        Map<String, String> reply = new LinkedHashMap<>();
        reply.put("id", config.memberId());
        reply.put("inc", incarnation);
        reply.put("mac", secret.macHex(authMacInput(challenger, nonce, config.memberId(), incarnation)));
        // Our metadata, signed under the same nonce, for a challenger that learned of us from a member list.
        String md = MetadataCodec.encode(local, incarnation);
        reply.put("md", md);
        reply.put("mdmac", secret.macHex("auth-md|" + nonce + "|" + md));
        return Wire.encodeBytes(reply);
    }

    private static String authMacInput(String challenger, String nonce, String id, String inc) {
        return "auth|" + challenger + "|" + nonce + "|" + id + "|" + inc;
    }

    private byte[] answerJoin(Address sender, byte[] payload) {
        Map<String, String> req = Wire.decode(payload);
        Map<String, String> answer = JoinProtocol.answer(secret, config.settings(), view, req);
        if ("accepted".equals(answer.get("outcome"))) {
            log.info("Accepted join of member {} from {}", req.get("id"), req.get("addr"));
        } else {
            log.warn("Refused join of member {} from {}: {}", req.get("id"), req.get("addr"), answer.get("message"));
        }
        return Wire.encodeBytes(answer);
    }

    private byte[] onLeaveNotice(byte[] payload) {
        Map<String, String> n = Wire.decode(payload);
        String id = n.getOrDefault("id", "");
        String inc = n.getOrDefault("inc", "");
        if (!secret.verify("leave|" + id + "|" + inc, n.getOrDefault("mac", ""))) {
            log.warn("Ignored an unsigned leave notice for member {}", id);
            return new byte[] {0};
        }
        submit(() -> markDeparted(id, inc));
        return new byte[] {1};
    }

    // ---------------------------------------------------------------- the loop

    private void submit(Runnable r) {
        try {
            loop.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.error("membership loop task failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopped
        }
    }

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.error("membership tick failed", e);
        }
    }

    /** Pending events of the current loop task, published together with the view they lead to. */
    private final List<Map.Entry<MembershipEvent.Type, Member>> pending = new ArrayList<>();

    private void tick() {
        AtomixCluster a = atomix;
        if (a == null || phase.get() != Phase.RUNNING) {
            return;
        }
        long now = nowMillis();
        if (lastTickAt > 0 && now - lastTickAt > fd.acceptablePause().toMillis()) {
            // We were the ones paused (GC, SIGSTOP, starved CPU): the silence is ours, not the peers'.
            log.info("Membership loop was paused for {} ms; restarting peer failure detection", now - lastTickAt);
            for (Peer p : peers.values()) {
                if (p.reachable) {
                    p.resetDetector(now);
                }
            }
        }
        lastTickAt = now;
        readGossip(a, now);
        syncMembers(a, now);
        for (Peer p : new ArrayList<>(peers.values())) {
            ping(a, p, now);
            evaluate(p, now);
        }
        if (!local.equals(publishedLocal)) {
            if (publishedLocal != null) {
                pending.add(Map.entry(MembershipEvent.Type.UPDATED, localMember()));
            }
            publishedLocal = local;
        }
        publish();
    }

    private void readGossip(AtomixCluster a, long now) {
        Set<String> seen = new HashSet<>();
        for (io.atomix.cluster.Member m : a.getMembershipService().getMembers()) {
            String id = m.id().id();
            if (id.equals(config.memberId())) {
                continue;
            }
            String prop = m.properties().getProperty(MetadataCodec.PROPERTY);
            if (prop == null) {
                continue;
            }
            MetadataCodec.Gossiped g;
            try {
                g = MetadataCodec.decode(prop);
            } catch (IllegalArgumentException e) {
                warnOnce(id + "|bad", "Ignoring member {} at {}: unreadable metadata ({})", id, m.address(),
                        e.getMessage());
                continue;
            }
            if (consider(a, id, m.address(), g, now)) {
                seen.add(id);
            }
        }
        // Members a peer listed for us (member-list sync) that gossip has not brought: they proved the secret and
        // sent signed metadata with the proof.
        for (Map.Entry<String, Candidate> c : new ArrayList<>(candidates.entrySet())) {
            if (!seen.contains(c.getKey()) && c.getValue().metadata() != null) {
                if (consider(a, c.getKey(), c.getValue().address(), c.getValue().metadata(), now)) {
                    seen.add(c.getKey());
                }
            }
        }
        for (Peer p : peers.values()) {
            p.inGossip = seen.contains(p.metadata.id());
        }
    }

    /**
     * One member as gossip (or a peer's member list) shows it: listed once it proved the secret with this
     * incarnation and has our settings. Returns whether it counts as present.
     */
    private boolean consider(AtomixCluster a, String id, Address address, MetadataCodec.Gossiped g, long now) {
        if (!g.metadata().id().equals(id)) {
            warnOnce(id + "|idmismatch", "Ignoring member {}: its metadata claims id {}", id, g.metadata().id());
            return false;
        }
        if (departed.contains(id + "|" + g.incarnation())) {
            return false;
        }
        List<String> diffs = g.metadata().settings().differences(config.settings());
        if (!diffs.isEmpty()) {
            warnOnce(id + "|" + g.incarnation() + "|settings",
                    "Ignoring member {} at {}: cluster settings differ from ours ({})", id, address,
                    String.join("; ", diffs));
            return false;
        }
        if (!g.incarnation().equals(provenIncarnation.get(id))) {
            authenticate(a, id, address, now);
            return true;
        }
        candidates.remove(id);
        Peer p = peers.get(id);
        if (p == null) {
            p = new Peer(g.metadata(), g.incarnation(), address, now);
            peers.put(id, p);
            pending.add(Map.entry(MembershipEvent.Type.JOINED, p.snapshot()));
            log.info("Member {} joined at {} (http {}, zone {})", id, address, g.metadata().httpAddress(),
                    g.metadata().zone());
        } else if (!p.incarnation.equals(g.incarnation())) {
            // Restarted under the same id; it just proved the secret, which is a sign of life.
            boolean wasUnreachable = !p.reachable;
            p.metadata = g.metadata();
            p.incarnation = g.incarnation();
            p.address = address;
            p.reachable = true;
            p.unreachableSince = null;
            p.resetDetector(now);
            p.pingInFlight = false;
            p.pooledFailures = 0;
            p.transientProbeSince = -1;
            pending.add(Map.entry(MembershipEvent.Type.UPDATED, p.snapshot()));
            if (wasUnreachable) {
                pending.add(Map.entry(MembershipEvent.Type.REACHABLE, p.snapshot()));
            }
            log.info("Member {} restarted (new incarnation) at {}", id, address);
        } else if (!p.metadata.equals(g.metadata()) || !p.address.equals(address)) {
            p.metadata = g.metadata();
            p.address = address;
            pending.add(Map.entry(MembershipEvent.Type.UPDATED, p.snapshot()));
        }
        return true;
    }

    // ---------------------------------------------------------------- member-list sync (anti-entropy)

    /**
     * Every {@link #MEMBER_SYNC_MILLIS} asks one random reachable member for the members it lists. Gossip forwards
     * each update once, so a few members can miss a newcomer, and after a partition both sides may have dropped
     * each other from SWIM; this pull finds every such member within seconds. With no member reachable it asks the
     * known ones in turn, backing off to {@link #MEMBER_SYNC_MAX_MILLIS}, for as long as the node runs.
     */
    private void syncMembers(AtomixCluster a, long now) {
        if (now < nextMemberSyncAt) {
            return;
        }
        List<Peer> reachable = peers.values().stream().filter(p -> p.reachable).toList();
        List<Peer> pool = reachable.isEmpty() ? new ArrayList<>(peers.values()) : reachable;
        memberSyncBackoff = reachable.isEmpty() ? Math.min(MEMBER_SYNC_MAX_MILLIS, memberSyncBackoff * 2) : MEMBER_SYNC_MILLIS;
        nextMemberSyncAt = now + memberSyncBackoff;
        if (pool.isEmpty()) {
            return;
        }
        Peer target = pool.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(pool.size()));
        byte[] payload = Wire.encodeBytes(Map.of("from", config.memberId()));
        stats.sent(payload.length);
        a.getMessagingService().sendAndReceive(target.address, MEMBERS, payload, true, Duration.ofSeconds(1))
                .orTimeout(1500, TimeUnit.MILLISECONDS)
                .whenComplete((reply, err) -> {
                    if (err == null) {
                        submit(() -> onMemberList(a, reply));
                    }
                });
    }

    /**
     * A listed member that did not answer our challenge is dropped from the candidates (a member list names it again
     * if it is still listed), so members that died while listed do not pile up.
     */
    private void forgetUnprovenCandidate(String id) {
        candidates.computeIfPresent(id, (k, c) -> c.metadata() == null ? null : c);
    }

        /** Our members as {@code id=address/incarnation} lines (answers {@link #MEMBERS}). */
    private byte[] memberList() {
        Map<String, String> list = new LinkedHashMap<>();
        for (Member m : view.all()) {
            list.put(m.id(), m.clusterAddress() + "/" + m.incarnation());
        }
        return Wire.encodeBytes(list);
    }

    private void onMemberList(AtomixCluster a, byte[] reply) {
        stats.received(reply.length);
        long now = nowMillis();
        Map<String, String> list;
        try {
            list = Wire.decode(reply);
        } catch (IllegalArgumentException e) {
            return;
        }
        for (Map.Entry<String, String> e : list.entrySet()) {
            String id = e.getKey();
            int slash = e.getValue().lastIndexOf('/');
            if (id.equals(config.memberId()) || slash < 0 || candidates.size() >= MAX_CANDIDATES) {
                continue;
            }
            String inc = e.getValue().substring(slash + 1);
            Peer p = peers.get(id);
            if ((p != null && p.incarnation.equals(inc)) || departed.contains(id + "|" + inc)) {
                continue;
            }
            Address address;
            try {
                address = Address.from(e.getValue().substring(0, slash));
            } catch (RuntimeException bad) {
                continue;
            }
            candidates.putIfAbsent(id, new Candidate(address, null));
            authenticate(a, id, address, now);
        }
    }

    private void authenticate(AtomixCluster a, String id, Address address, long now) {
        if (authInFlight.contains(id) || authNotBefore.getOrDefault(id, 0L) > now) {
            return;
        }
        authInFlight.add(id);
        String nonce = secret.nonce();
        byte[] payload = Wire.encodeBytes(Map.of("from", config.memberId(), "nonce", nonce));
        stats.sent(payload.length);
        a.getMessagingService().sendAndReceive(address, AUTH, payload, true, Duration.ofSeconds(1))
                .orTimeout(1500, TimeUnit.MILLISECONDS)
                .whenComplete((reply, err) -> submit(() -> onAuthReply(id, address, nonce, reply, err)));
    }

    private void onAuthReply(String id, Address address, String nonce, byte[] reply, Throwable err) {
        authInFlight.remove(id);
        long now = nowMillis();
        if (err != null) {
            authNotBefore.put(id, now + AUTH_RETRY_MILLIS);
            forgetUnprovenCandidate(id);
            return;
        }
        stats.received(reply.length);
        Map<String, String> r = Wire.decode(reply);
        String inc = r.getOrDefault("inc", "");
        if (!id.equals(r.get("id")) || !secret.verify(authMacInput(config.memberId(), nonce, id, inc),
                r.getOrDefault("mac", ""))) {
            authNotBefore.put(id, now + 5 * AUTH_RETRY_MILLIS);
            forgetUnprovenCandidate(id);
            warnOnce(id + "|" + inc + "|auth", "Ignoring member {} at {}: it did not prove the cluster secret",
                    id, address);
            return;
        }
        provenIncarnation.put(id, inc);
        String md = r.get("md");
        if (candidates.containsKey(id) && md != null && secret.verify("auth-md|" + nonce + "|" + md, r.getOrDefault("mdmac", ""))) {
            try {
                MetadataCodec.Gossiped g = MetadataCodec.decode(md);
                if (g.incarnation().equals(inc)) {
                    candidates.put(id, new Candidate(address, g));
                }
            } catch (IllegalArgumentException e) {
                warnOnce(id + "|" + inc + "|md", "Ignoring member {} at {}: unreadable metadata in its proof", id, address);
            }
        }
        tick();
    }

    private void ping(AtomixCluster a, Peer p, long now) {
        MessagingService messaging = a.getMessagingService();
        byte[] payload = Wire.encodeBytes(Map.of("from", config.memberId()));
        String id = p.metadata.id();
        String inc = p.incarnation;
        // A peer silent for long (crashed, awaiting dead-after) is probed less often.
        long interval = !p.reachable && now - p.detector.lastHeartbeatMillis() > 10_000
                ? Math.max(1000, fd.pingInterval().toMillis()) : fd.pingInterval().toMillis();
        if (!p.pingInFlight && now >= p.nextPingAt) {
            p.pingInFlight = true;
            p.nextPingAt = now + interval;
            stats.sent(payload.length);
            long sentAt = System.nanoTime();
            // Pooled connection. Atomix applies its timeout only once a connection exists, and never completes
            // the connection future of a peer that hangs mid-handshake: hence our own orTimeout.
            messaging.sendAndReceive(p.address, PING, payload, true, fd.pingTimeout())
                    .orTimeout(fd.pingTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((reply, err) -> {
                        long roundTrip = System.nanoTime() - sentAt;
                        submit(() -> onPong(id, inc, reply, err, false, roundTrip));
                    });
        }
        if ((!p.reachable || p.pooledFailures >= 1) && now >= p.nextTransientAt
                && (p.transientProbeSince < 0 || now - p.transientProbeSince > TRANSIENT_PROBE_MAX_MILLIS)) {
            // While unreachable or while pooled pings keep failing, also probe on a fresh connection: a pooled
            // slot whose handshake was cut off stays stuck in Atomix's ChannelPool forever, and we must still
            // hear a live peer (and not flap) through it.
            p.transientProbeSince = now;
            p.nextTransientAt = now + interval;
            stats.sent(payload.length);
            long sentAt = System.nanoTime();
            messaging.sendAndReceive(p.address, PING, payload, false, fd.pingTimeout())
                    .whenComplete((reply, err) -> {
                        long roundTrip = System.nanoTime() - sentAt;
                        submit(() -> onPong(id, inc, reply, err, true, roundTrip));
                    });
        }
    }

    private void onPong(String id, String inc, byte[] reply, Throwable err, boolean transientProbe,
                        long roundTripNanos) {
        Peer p = peers.get(id);
        if (p == null || !p.incarnation.equals(inc)) {
            return;
        }
        if (transientProbe) {
            p.transientProbeSince = -1;
        } else {
            p.pingInFlight = false;
            p.pooledFailures = err == null ? 0 : p.pooledFailures + 1;
        }
        if (err != null) {
            return;
        }
        stats.received(reply.length);
        stats.pingAnswered(roundTripNanos);
        Map<String, String> r = Wire.decode(reply);
        if (!id.equals(r.get("id")) || !inc.equals(r.get("inc"))) {
            return; // another process answers at that address now (restart): wait for its gossip and proof
        }
        long now = nowMillis();
        if (!p.reachable) {
            p.reachable = true;
            p.unreachableSince = null;
            p.resetDetector(now); // the silent gap must not inflate the interval statistics
            pending.add(Map.entry(MembershipEvent.Type.REACHABLE, p.snapshot()));
            stats.refuted();
            log.info("Member {} is reachable again", id);
            publish();
        } else {
            p.detector.heartbeat(now);
        }
    }

    private void evaluate(Peer p, long now) {
        String id = p.metadata.id();
        if (p.reachable && p.detector.phi(now) > fd.phiThreshold()) {
            if (p.metadata.state() == MemberState.LEAVING) {
                // It announced its departure and went silent: it left, even if we missed its notice.
                peers.remove(id);
                departed.add(id + "|" + p.incarnation);
                pending.add(Map.entry(MembershipEvent.Type.LEFT, p.snapshot()));
                log.info("Member {} left (went silent while LEAVING)", id);
                return;
            }
            p.reachable = false;
            p.unreachableSince = Instant.now().minusMillis(now - p.detector.lastHeartbeatMillis());
            pending.add(Map.entry(MembershipEvent.Type.UNREACHABLE, p.snapshot()));
            stats.suspected();
            log.warn("Member {} at {} is unreachable (no answer for {} ms)", id, p.address,
                    now - p.detector.lastHeartbeatMillis());
        } else if (!p.reachable && !p.inGossip
                && Duration.between(p.unreachableSince, Instant.now()).compareTo(fd.forgetAfter()) > 0) {
            peers.remove(id);
            provenIncarnation.remove(id);
            pending.add(Map.entry(MembershipEvent.Type.FORGOTTEN, p.snapshot()));
            log.warn("Forgot member {}: unreachable since {}", id, p.unreachableSince);
        }
    }

    private void markDeparted(String id, String inc) {
        departed.add(id + "|" + inc);
        Peer p = peers.get(id);
        if (p != null && p.incarnation.equals(inc)) {
            peers.remove(id);
            pending.add(Map.entry(MembershipEvent.Type.LEFT, p.snapshot()));
            log.info("Member {} left the cluster", id);
            publish();
        }
    }

    private void publish() {
        Map<String, Member> members = new HashMap<>();
        for (Peer p : peers.values()) {
            members.put(p.metadata.id(), p.snapshot());
        }
        ClusterView next = buildView(members);
        view = next;
        if (pending.isEmpty()) {
            return;
        }
        List<Map.Entry<MembershipEvent.Type, Member>> events = new ArrayList<>(pending);
        pending.clear();
        for (var e : events) {
            MembershipEvent event = new MembershipEvent(e.getKey(), e.getValue(), next);
            for (MembershipListener l : listeners) {
                try {
                    l.onEvent(event);
                } catch (RuntimeException ex) {
                    log.error("membership listener failed on {}", e.getKey(), ex);
                }
            }
        }
    }

    private ClusterView buildView(Map<String, Member> others) {
        Map<String, Member> members = new HashMap<>(others);
        members.put(config.memberId(), localMember());
        return new ClusterView(config.memberId(), Instant.now(), members);
    }

    private Member localMember() {
        return new Member(local, incarnation, clusterAddress, Reachability.REACHABLE, null);
    }

    // ---------------------------------------------------------------- helpers

    private void warnOnce(String key, String format, Object... args) {
        if (warnedOnce.size() < 10_000 && warnedOnce.add(key)) {
            log.warn(format, args);
        }
    }

    private AtomixCluster requireAtomix() {
        AtomixCluster a = atomix;
        if (a == null) {
            throw new IllegalStateException("membership not started");
        }
        return a;
    }

    private static long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
