package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.schema.LocalMerge;
import io.hifadhi.node.schema.LocalMergeTest.Entry;
import io.hifadhi.node.schema.LocalMergeTest.Memory;
import io.hifadhi.node.schema.LocalMergeTest.Schema;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static io.hifadhi.node.schema.LocalMergeTest.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The table engine's get and insert, with this node's copy in memory and the other nodes' answered in memory. */
class TableTest {
    private static final byte[] K = "k".getBytes(StandardCharsets.UTF_8);

    /** Other nodes' copies: what each holds, and every put and get asked of them as "target<-hintFor" or "target?". */
    private static final class Others implements Table.ReadableReplicas<Entry> {
        final Map<String, Entry> held = new HashMap<>();
        final List<String> asked = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<Ack> put(ClusterView v, String target, Entry entry, Supplier<byte[]> encoded,
                                                       String hintFor) {
            asked.add(target + "<-" + (hintFor == null ? "" : hintFor));
            held.put(target, entry);
            return CompletableFuture.completedFuture(new Ack(true, false));
        }

        @Override
        public synchronized CompletableFuture<Entry> get(ClusterView v, String target, byte[] key) {
            asked.add(target + "?");
            return CompletableFuture.completedFuture(held.get(target));
        }
    }

    /** A strategy that reads from b, c and this node ("a"), all three replicas, and needs two answers. */
    private static final class ThreeReplicas implements TableReplication {
        @Override
        public Reads reads(String what, ClusterView v, long position) {
            List<String> all = List.of("b", "c", "a");
            return new Reads(all, all, List.of(new Quorum(all, 2)));
        }

        @Override
        public QuorumWrite.Pending write(String what, ClusterView v, long position, QuorumWrite.Sender sender) {
            throw new UnsupportedOperationException();
        }
    }

    private final Memory own = new Memory();
    private final Others others = new Others();
    private final ClusterView view = Views.heldByA(List.of("a", "b", "c"));

    private Table<Entry> table(TableReplication replication) {
        return new Table<>("t", new LocalMerge<>(new Schema(), own), replication, others,
                new SilentReplicas(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100), System::nanoTime), () -> view,
                new HybridLogicalClock("a", () -> 1_000), Runnable::run);
    }

    /** A full copy, whose other members can only be written to: {@code others}' put alone. */
    private Table<Entry> fullCopy() {
        return Table.fullCopy("t", new LocalMerge<>(new Schema(), own), new FullReplication(2), others::put, () -> view,
                new HybridLogicalClock("a", () -> 1_000), Runnable::run);
    }

    @Test
    void withFullReplicationAGetIsThisNodesOwnReadAndAsksNoOtherNode() throws IOException {
        Entry mine = entry("k", 10, "a", false);
        own.putAll(List.of(mine));
        others.held.put("b", entry("k", 20, "b", false));
        assertSame(mine, fullCopy().get("k", K, 0).orElseThrow());
        assertEquals(List.of(), others.asked);
        assertEquals(Optional.empty(), fullCopy().get("absent", "absent".getBytes(StandardCharsets.UTF_8), 0));
    }

    @Test
    void withFullReplicationAnInsertIsMergedHereAndSentToEveryOtherMember() throws IOException {
        Entry e = entry("k", 10, "a", false);
        fullCopy().insert("the t table", e);
        assertEquals(Optional.of(e), own.get(K));
        assertEquals(List.of("b<-", "c<-"), others.asked);
    }

    @Test
    void aQuorumReadReturnsTheNewestAndRepairsTheReplicasThatAnsweredOlderOrNothing() throws IOException {
        Entry old = entry("k", 10, "a", false);
        Entry newest = entry("k", 20, "b", false);
        own.putAll(List.of(old));
        others.held.put("b", newest);
        assertSame(newest, table(new ThreeReplicas()).get("k", K, 0).orElseThrow());
        // The repair runs once every replica answered (here at once, on this thread): c over the wire, this node in place.
        assertEquals(List.of("b?", "c?", "c<-"), others.asked);
        assertSame(newest, others.held.get("c"));
        assertSame(newest, own.get(K).orElseThrow());
    }
}
