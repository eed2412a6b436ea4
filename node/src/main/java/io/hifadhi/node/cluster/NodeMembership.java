package io.hifadhi.node.cluster;

import io.hifadhi.api.nativeapi.ClusterMemberStatus;
import io.hifadhi.membership.ClusterSettings;
import io.hifadhi.membership.LoadDigest;
import io.hifadhi.membership.Member;
import io.hifadhi.membership.MemberMetadata;
import io.hifadhi.membership.MemberState;
import io.hifadhi.membership.Membership;
import io.hifadhi.membership.MembershipConfig;
import io.hifadhi.membership.MembershipRefusedException;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.config.NodeStartException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * This node's seat in the cluster: joins (or founds) it with this node's metadata, keeps the used
 * bytes and load it gossips current, and shows the membership view to the HTTP surface.
 */
public final class NodeMembership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeMembership.class);
    /** How often used bytes and load are looked at; gossip carries a material change to every member. */
    private static final long PUBLISH_EVERY_MILLIS = 2_000;
    /** Used bytes are re-announced when they moved by more than this share of the capacity... */
    private static final double USED_BYTES_STEP = 0.001;
    /** ...and everything at least this often, even when nothing moved much. */
    private static final long REFRESH_EVERY_MILLIS = 30_000;

    private final Membership membership;
    private final Supplier<LoadDigest> load;
    private final java.util.function.LongSupplier usedBytes;
    private final ScheduledExecutorService publisher;

    private NodeMembership(Membership membership, Supplier<LoadDigest> load, java.util.function.LongSupplier usedBytes) {
        this.membership = membership;
        this.load = load;
        this.usedBytes = usedBytes;
        this.publisher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-membership-publisher");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Joins the cluster named by {@code --join}, or founds one. A node whose secret or cluster
     * settings differ from the cluster's is refused and fails to start, saying why.
     */
    public static NodeMembership start(NodeConfig config, String name, String clusterSecret, String advertiseHost,
                                       int clusterPort, int httpPort, int dataPort, Path dataDir, KnownPeers known,
                                       Supplier<LoadDigest> load, java.util.function.LongSupplier usedBytes)
            throws NodeStartException {
        FileStore disk;
        try {
            disk = Files.getFileStore(dataDir);
        } catch (IOException e) {
            throw new NodeStartException("cannot read the size of the disk holding " + dataDir + ": " + e.getMessage(), e);
        }
        long capacity = config.capacityBytes() > 0 ? config.capacityBytes() : totalSpace(disk);
        // Rejoin the peers this node was with, not only --join: a restarted seed must not found a new cluster.
        java.util.LinkedHashSet<String> seeds = new java.util.LinkedHashSet<>(config.join());
        seeds.addAll(known.addresses());
        MembershipConfig membershipConfig;
        try {
            membershipConfig = MembershipConfig.builder(name, clusterSecret.getBytes(StandardCharsets.UTF_8))
                    .bindHost(config.bindAddress())
                    .port(clusterPort)
                    .advertiseHost(advertiseHost)
                    .join(MembershipConfig.parseJoin(String.join(",", seeds)))
                    .settings(new ClusterSettings(config.replication(), config.writeQuorum(), config.readQuorum(),
                            config.chunkSize()))
                    .httpAddress(advertiseHost + ":" + httpPort)
                    .dataAddress(advertiseHost + ":" + dataPort)
                    .zone(config.zone() == null ? "" : config.zone())
                    .capacityBytes(capacity)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new NodeStartException("cluster configuration is not usable: " + e.getMessage(), e);
        }
        Membership membership = new Membership(membershipConfig);
        membership.addListener(known::onEvent);
        try {
            try {
                membership.start();
            } catch (MembershipRefusedException e) {
                membership.close();
                if (e.reason() != MembershipRefusedException.Reason.NO_SEED_REACHABLE || known.ids().isEmpty()) {
                    throw e;
                }
                // A member of a cluster whose peers are all down (a whole-cluster restart, with or without --join):
                // start alone and keep calling them; they find us as they come up. Data waits for them
                // (the rejoin gate), so nothing is acknowledged with one copy. A new node whose seeds do not
                // answer still stops, since its --join is likely wrong.
                LOG.warn("none of the peers {} answered; starting alone and calling them until they come back ({})",
                        known.ids(), e.getMessage());
                membership = new Membership(membershipConfig);
                membership.addListener(known::onEvent);
                membership.startCallingSeeds();
            }
        } catch (MembershipRefusedException e) {
            membership.close();
            throw new NodeStartException("cannot join the cluster: " + e.getMessage(), e, e.exitStatus());
        } catch (RuntimeException e) {
            membership.close();
            throw new NodeStartException("cannot start cluster membership on " + config.bindAddress() + ":" + clusterPort
                    + " (" + e.getMessage() + "); choose another --cluster-port or --bind", e);
        }
        NodeMembership seat = new NodeMembership(membership, load, usedBytes);
        seat.publish(MemberState.UP);
        seat.publisher.scheduleWithFixedDelay(() -> seat.publish(null), PUBLISH_EVERY_MILLIS, PUBLISH_EVERY_MILLIS,
                TimeUnit.MILLISECONDS);
        return seat;
    }

    /** Every member this node knows, itself included, sorted by id. */
    public List<ClusterMemberStatus> members() {
        List<ClusterMemberStatus> out = new ArrayList<>();
        for (Member m : membership.view().all()) {
            MemberMetadata md = m.metadata();
            LoadDigest l = md.load();
            out.add(new ClusterMemberStatus(m.id(), md.state().name(), m.isReachable(),
                    m.unreachableSince(), md.httpAddress(), m.clusterAddress(),
                    md.dataAddress().isEmpty() ? null : md.dataAddress(), md.zone().isEmpty() ? null : md.zone(),
                    md.capacityBytes(), md.usedBytes(), l.requestsPerSecond(), l.bytesInPerSecond(),
                    l.bytesOutPerSecond(), l.hotObjects()));
        }
        out.sort(Comparator.comparing(ClusterMemberStatus::id));
        return out;
    }

    /** The membership itself, for the data path's internode messaging. */
    public Membership membership() {
        return membership;
    }

    /** Tells the cluster this node is going (state LEAVING, then a departure notice), then stops. */
    public void leave() {
        publisher.shutdownNow();
        membership.leave();
    }

    @Override
    public void close() {
        publisher.shutdownNow();
        membership.close();
    }

    private long lastPublishedAt;

    /**
     * Announces state, used bytes and load. Only material changes are announced at once (every announcement is
     * broadcast to every member): at rest a cluster then sends next to nothing.
     */
    private void publish(MemberState state) {
        try {
            // Hifadhi's own payload (chunks and databases), not the whole file system it shares with others.
            long used = usedBytes.getAsLong();
            LoadDigest current = load.get();
            MemberMetadata was = membership.localMetadata();
            long now = System.currentTimeMillis();
            boolean material = state != null || now - lastPublishedAt >= REFRESH_EVERY_MILLIS
                    || Math.abs(used - was.usedBytes()) > USED_BYTES_STEP * Math.max(1, was.capacityBytes())
                    || current.differsMateriallyFrom(was.load());
            if (!material) {
                return;
            }
            lastPublishedAt = now;
            membership.updateLocal(md -> {
                MemberMetadata next = md.withUsedBytes(Math.max(0, used)).withLoad(current);
                return state == null ? next : next.withState(state);
            });
        } catch (RuntimeException e) {
            LOG.warn("could not publish this node's load: {}", e.toString());
        }
    }

    private static long totalSpace(FileStore disk) {
        try {
            return disk.getTotalSpace();
        } catch (IOException e) {
            return 0;
        }
    }
}
