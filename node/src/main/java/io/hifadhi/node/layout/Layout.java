package io.hifadhi.node.layout;

import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.table.ReplicatedTable;
import io.hifadhi.node.table.TableEntry;
import io.hifadhi.ring.Member;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The cluster layout, kept in a fully replicated table ({@code layout}) of last-writer-wins entries: one per node
 * for its role ({@code member/ID}, which any node may change), and two per node that only that node writes: its sync
 * ack ({@code ack/ID}) and its routing ack ({@code routes/ID}). Reads are local and cached for a moment: placement asks on every request.
 */
public final class Layout {
    public static final String TABLE = "layout";
    private static final long CACHE_MILLIS = 200;

    private record Cached(long at, ClusterLayout layout) {
    }

    private final ReplicatedTable table;
    private final LongSupplier clock;
    private final int replication;
    private volatile Cached cached;

    /** @param replication copies of each chunk and record: the ring keeps at least this many owners once it had them */
    public Layout(ReplicatedTable table, LongSupplier clock, int replication) {
        this.table = table;
        this.clock = clock;
        this.replication = replication;
    }

    /**
     * Why taking owner {@code id} out of the ring is refused, if it is: the ring never shrinks to fewer owners than
     * copies (each would then hold less than --replication asks, for good), so a leave or removal waits until a
     * node has been added.
     */
    public java.util.Optional<String> refusal(String id) {
        List<Member> owners = current().owners();
        boolean owner = owners.stream().anyMatch(m -> m.id().equals(id));
        if (owner && owners.size() <= replication) {
            return java.util.Optional.of("taking " + id + " out of the ring would leave " + (owners.size() - 1)
                    + " nodes to hold " + replication + " copies of everything (--replication " + replication
                    + "); add a node first, then retry");
        }
        return java.util.Optional.empty();
    }

    public ClusterLayout current() {
        Cached c = cached;
        long now = clock.getAsLong();
        if (c == null || now - c.at() > CACHE_MILLIS) {
            Map<String, byte[]> values = new HashMap<>();
            Map<String, VersionStamp> stamps = new HashMap<>();
            for (TableEntry e : table.live()) {
                values.put(e.key(), e.value());
                stamps.put(e.key(), e.version());
            }
            c = new Cached(now, ClusterLayout.of(values, stamps));
            cached = c;
        }
        return c.layout();
    }

    /**
     * Puts {@code self} into the layout as an owner, unless it is one: a new node, or one that was removed while it
     * was away (it comes back as a new member; what it still holds is reconciled by anti-entropy, never served before
     * it confirmed the ring). Its ack names the ring it found, which it trivially holds all its data for.
     *
     * @return whether the layout changed
     */
    public boolean join(LayoutMember self) throws IOException {
        ClusterLayout now = fresh();
        LayoutMember known = now.members().get(self.id());
        if (known != null && known.role() == LayoutRole.MEMBER) {
            return false;
        }
        List<Member> found = now.owners();
        // Both entries are stored here before either is sent: a quorum that is not reached yet only delays their spread.
        IOException first = null;
        try {
            write(ClusterLayout.ACK_PREFIX + self.id(), ClusterLayout.Ack.encode(found));
        } catch (IOException e) {
            first = e;
        }
        try {
            write(ClusterLayout.MEMBER_PREFIX + self.id(), self.withRole(LayoutRole.MEMBER).encode());
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
        return true;
    }

    /** Marks {@code id} as leaving: out of the ring; it keeps serving and hands over what it holds. */
    public void leave(String id) throws IOException {
        setRole(id, LayoutRole.LEAVING);
    }

    /** Marks {@code id} as removed for good; its share is re-replicated from the copies that remain. */
    public void remove(String id) throws IOException {
        setRole(id, LayoutRole.REMOVED);
    }

    /** Records that node {@code id} (this node) holds all it owns under {@code ring}. */
    public void ack(String id, List<Member> ring) throws IOException {
        write(ClusterLayout.ACK_PREFIX + id, ClusterLayout.Ack.encode(ring));
    }

    /** Records that node {@code id} (this node) places every write it has in flight by {@code ring}. */
    public void routes(String id, List<Member> ring) throws IOException {
        write(ClusterLayout.ROUTES_PREFIX + id, ClusterLayout.Ack.encode(ring));
    }

    private void setRole(String id, LayoutRole role) throws IOException {
        LayoutMember m = fresh().members().get(id);
        if (m == null) {
            throw new IllegalArgumentException("no node named '" + id + "' in the cluster layout");
        }
        if (m.role() == LayoutRole.MEMBER && role != LayoutRole.MEMBER) {
            java.util.Optional<String> refused = refusal(id);
            if (refused.isPresent()) {
                throw new IllegalStateException(refused.get());
            }
        }
        if (m.role() != role) {
            write(ClusterLayout.MEMBER_PREFIX + id, m.withRole(role).encode());
        }
    }

    /**
     * Pulls the layout from one random reachable peer; returns whether one answered. The layout is tiny and every node must agree on it quickly,
     * so it spreads this way every tick, not only with the data path's anti-entropy rounds (which can be long while
     * data moves).
     */
    public boolean gossip() {
        try {
            return table.pullFromRandomPeer();
        } finally {
            cached = null;
        }
    }

    /** Pulls the layout from every reachable peer; returns how many answered. */
    public int pullFromReachablePeers() {
        try {
            return table.pullFromReachablePeers();
        } finally {
            cached = null;
        }
    }

    /** Whether the layout (as this node knows it) lists no node but {@code id}: then it has nobody to ask. */
    public boolean alone(String id) {
        return current().members().keySet().stream().allMatch(id::equals);
    }

    private ClusterLayout fresh() {
        cached = null;
        return current();
    }

    private void write(String key, byte[] value) throws IOException {
        try {
            table.put(key, value);
        } finally {
            cached = null;
        }
    }
}
