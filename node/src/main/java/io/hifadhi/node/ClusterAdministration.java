package io.hifadhi.node;

import io.hifadhi.api.nativeapi.ClusterAdmin;
import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.layout.ClusterLayout;
import io.hifadhi.node.layout.Layout;
import io.hifadhi.node.layout.LayoutMember;
import io.hifadhi.ring.Member;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The node's side of {@link ClusterAdmin}: the layout, the move of data, and the leave and remove commands. */
final class ClusterAdministration implements ClusterAdmin {
    private final Layout layout;
    private final Supplier<ClusterView> view;
    private final Supplier<Rebalance> transfer;
    private final Leave leave;
    private final Supplier<List<HotObject>> hot;

    interface Leave {
        void run() throws IOException;
    }

    ClusterAdministration(Layout layout, Supplier<ClusterView> view, Supplier<Rebalance> transfer, Leave leave,
                          Supplier<List<HotObject>> hot) {
        this.layout = layout;
        this.view = view;
        this.transfer = transfer;
        this.leave = leave;
        this.hot = hot;
    }

    @Override
    public List<LayoutEntry> layout() {
        ClusterLayout l = layout.current();
        List<Member> newest = l.owners();
        List<LayoutEntry> out = new ArrayList<>();
        for (LayoutMember m : l.members().values()) {
            ClusterLayout.Ack ack = l.acks().get(m.id());
            out.add(new LayoutEntry(m.id(), m.role().name(), m.zone(), m.capacity(), ack != null && ack.ring().equals(newest)));
        }
        out.sort(java.util.Comparator.comparing(LayoutEntry::id));
        return out;
    }

    @Override
    public List<HotObject> hotObjects() {
        return hot.get();
    }

    @Override
    public Rebalance rebalance() {
        return transfer.get();
    }

    @Override
    public void leave() throws IOException {
        leave.run();
    }

    @Override
    public void remove(String id) throws IOException {
        if (layout.current().member(id).isEmpty()) {
            throw new IllegalArgumentException("no node named '" + id + "' in the cluster layout");
        }
        ClusterView v = view.get();
        if (v != null && v.isReachable(id)) {
            throw new IllegalStateException(id + " is reachable: removing it would throw away good copies; run `hifadhi node leave`"
                    + " against it instead, so it hands its data over first");
        }
        layout.remove(id);
    }
}
