package io.hifadhi.node.layout;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.membership.Member;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Makes the explicit layout changes that no person asks for: puts this node into the layout (a new node, or one
 * that was removed while away), removes an owner that has been unreachable for longer than {@code --dead-after}
 * (only while this node sees a majority of the owners, so a minority cut off by a partition never removes the
 * majority), finishes this node's leave once its data is handed over, and tells the data path which nodes were
 * removed (their hints can never be delivered).
 */
public final class LayoutKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LayoutKeeper.class);
    private static final long TICK_MILLIS = 1_000;
    /** Another owner than the lowest-id one removes a dead node only this much later, should that one not do it. */
    private static final long BACKUP_DELAY_MILLIS = 30_000;

    private final Layout layout;
    private final LayoutMember self;
    private final Supplier<ClusterView> view;
    private final Duration deadAfter;
    private final Hooks hooks;
    private final LongSupplier clock;
    private final ScheduledExecutorService loop;
    private final Map<String, Long> silentSince = new HashMap<>();
    private final Set<String> knownRemoved = new HashSet<>();
    /** Dead owners kept because removing them would leave fewer owners than copies (said once each). */
    private final Set<String> keptDespiteDeadAfter = new HashSet<>();
    private volatile boolean departed;
    /** Whether this node knows its seat from a layout a peer confirmed (or it is alone), and repair runs. */
    private volatile boolean seated;

    /** Forgets what a node removed while away still holds (it must not push it back); may fail and be retried. */
    public interface Forget {
        void run() throws IOException;
    }

    /**
     * What the data path does for the keeper.
     *
     * @param onRemoved     told the id of each node found removed (once per id and process)
     * @param holdsNothing  whether this node holds no records or chunks any more (a leaving node is drained)
     * @param onDeparted    run once, after a leaving node drained and marked itself removed (the process exits)
     * @param forgetOldData run before a node removed while away rejoins
     * @param onSeated      run once, when the node knows its seat: starts what pushes its data to others
     * @param writesRoutedBy whether every write this node has in flight was placed with the given ring as the newest
     */
    public record Hooks(Consumer<String> onRemoved, BooleanSupplier holdsNothing, Runnable onDeparted, Forget forgetOldData,
                        Runnable onSeated, Predicate<List<io.hifadhi.ring.Member>> writesRoutedBy) {
    }

    public LayoutKeeper(Layout layout, LayoutMember self, Supplier<ClusterView> view, Duration deadAfter, Hooks hooks,
                        LongSupplier clock) {
        this.layout = layout;
        this.self = self;
        this.view = view;
        this.deadAfter = deadAfter;
        this.hooks = hooks;
        this.clock = clock;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hifadhi-layout");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        loop.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Asks this node to leave: it goes out of the ring, hands over its data, then departs. */
    public void leave() throws IOException {
        layout.leave(self.id());
        LOG.info("leaving the cluster: handing over this node's data, then departing");
    }

    void tick() {
        try {
            boolean heard = layout.gossip();
            if (departed) {
                return;
            }
            if (!seated && !heard && !layout.alone(self.id())) {
                return; // this copy of the layout may be stale: wait until a peer answers
            }
            seat();
            ClusterLayout l = layout.current();
            LayoutMember me = l.members().get(self.id());
            if (me == null || me.role() == LayoutRole.REMOVED) {
                return; // the join is on its way (a write quorum was not reached yet): retried next tick
            }
            ackRouting(l);
            if (me.role() == LayoutRole.LEAVING && !l.inTransition() && hooks.holdsNothing().getAsBoolean()) {
                layout.remove(self.id());
                departed = true;
                LOG.info("left the cluster: every record and chunk this node held is with its new owners");
                hooks.onDeparted().run();
                return;
            }
            for (LayoutMember m : l.members().values()) {
                if (m.role() == LayoutRole.REMOVED && knownRemoved.add(m.id())) {
                    hooks.onRemoved().accept(m.id());
                }
            }
            removeTheDead(l);
        } catch (IOException | RuntimeException e) {
            LOG.warn("layout upkeep failed (retried in {} s): {}", TICK_MILLIS / 1000, e.toString());
        }
    }

    /**
     * Takes this node's seat, by a layout a peer confirmed (or as the only node): a new node adds itself; a node that
     * was removed while away first forgets what it held, then rejoins as a new member; then repair starts.
     */
    public void seat() throws IOException {
        LayoutMember me = layout.current().members().get(self.id());
        if (me == null || me.role() == LayoutRole.REMOVED) {
            if (me != null) {
                LOG.warn("{} was removed from the cluster while away: it forgets the records, hints and table entries it held (the"
                        + " cluster re-created their copies) and rejoins as a new member", self.id());
                hooks.forgetOldData().run();
            }
            if (layout.join(self)) {
                LOG.info("joined the cluster layout: {} owns a share of the ring; data moves to it in the background",
                        self.id());
            }
        }
        if (!seated) {
            seated = true;
            hooks.onSeated().run();
        }
    }

    /**
     * Publishes that this node routes by the newest ring, once no write it placed by an older one is in flight (the
     * owners' sync towards confirming the ring waits for every node's routing ack).
     */
    private void ackRouting(ClusterLayout l) throws IOException {
        List<io.hifadhi.ring.Member> newest = l.owners();
        ClusterLayout.Ack routed = l.routes().get(self.id());
        if ((routed == null || !routed.ring().equals(newest)) && hooks.writesRoutedBy().test(newest)) {
            layout.routes(self.id(), newest);
            LOG.debug("routes every write by the newest ring ({} owners)", newest.size());
        }
    }

    private void removeTheDead(ClusterLayout l) throws IOException {
        ClusterView v = view.get();
        long now = clock.getAsLong();
        List<io.hifadhi.ring.Member> owners = l.owners();
        int reachable = 0;
        String lowestReachable = null;
        for (io.hifadhi.ring.Member o : owners) {
            if (o.id().equals(self.id()) || v.isReachable(o.id())) {
                reachable++;
                if (lowestReachable == null) {
                    lowestReachable = o.id();
                }
                silentSince.remove(o.id());
            } else {
                long since = v.member(o.id()).flatMap(Member::unreachableSinceTime).map(java.time.Instant::toEpochMilli).orElse(now);
                silentSince.merge(o.id(), since, Math::min);
            }
        }
        silentSince.keySet().retainAll(owners.stream().map(io.hifadhi.ring.Member::id).toList());
        if (2 * reachable <= owners.size()) {
            return;
        }
        for (Map.Entry<String, Long> e : Map.copyOf(silentSince).entrySet()) {
            long silent = now - e.getValue();
            boolean mine = self.id().equals(lowestReachable);
            if (silent >= deadAfter.toMillis() && (mine || silent >= deadAfter.toMillis() + BACKUP_DELAY_MILLIS)) {
                java.util.Optional<String> refused = layout.refusal(e.getKey());
                if (refused.isPresent()) {
                    if (keptDespiteDeadAfter.add(e.getKey())) {
                        LOG.warn("{} has been unreachable past --dead-after but stays in the ring: {}", e.getKey(), refused.get());
                    }
                    continue;
                }
                layout.remove(e.getKey());
                silentSince.remove(e.getKey());
                LOG.warn("removed {} from the cluster: unreachable for {} s (--dead-after {} s); its data is re-replicated"
                        + " from the copies that remain", e.getKey(), silent / 1000, deadAfter.toSeconds());
            }
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
