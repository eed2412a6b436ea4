package io.hifadhi.node.replication;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MerkleTreeTest {
    private record Entry(long position, byte[] key, byte[] summary) {
    }

    private static List<Entry> entries(int n, long seed) {
        Random random = new Random(seed);
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Entry(random.nextLong(), ("key-" + i).getBytes(StandardCharsets.UTF_8),
                    ("1700000000000-0-node-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static MerkleTree tree(List<Entry> entries) {
        MerkleTree t = new MerkleTree();
        entries.forEach(e -> t.add(e.position(), e.key(), e.summary()));
        return t;
    }

    @Test
    void theSameEntriesInAnyOrderGiveTheSameDigestsAtEveryLevel() {
        List<Entry> a = entries(5_000, 1);
        List<Entry> b = new ArrayList<>(a);
        Collections.shuffle(b, new Random(2));
        MerkleTree ta = tree(a);
        MerkleTree tb = tree(b);
        for (int level = 0; level <= MerkleTree.DEPTH; level++) {
            for (int i = 0; i < MerkleTree.width(level); i++) {
                assertEquals(ta.digest(level, i), tb.digest(level, i), "level " + level + " node " + i);
            }
        }
        assertEquals(5_000, ta.digest(0, 0).count());
        assertEquals(MerkleTree.Digest.EMPTY, new MerkleTree().digest(0, 0));
    }

    @Test
    void descendingFromTheRootFindsExactlyTheLeavesThatDiffer() {
        List<Entry> a = entries(2_000, 3);
        List<Entry> b = new ArrayList<>(a);
        Entry changed = b.get(17);
        b.set(17, new Entry(changed.position(), changed.key(), "1700000000001-0-node-x".getBytes(StandardCharsets.UTF_8)));
        Entry missing = b.remove(1_500);
        MerkleTree ta = tree(a);
        MerkleTree tb = tree(b);
        assertNotEquals(ta.digest(0, 0), tb.digest(0, 0));

        List<Integer> nodes = List.of(0);
        for (int level = 0; level < MerkleTree.DEPTH; level++) {
            List<Integer> next = new ArrayList<>();
            for (int node : nodes) {
                if (!ta.digest(level, node).equals(tb.digest(level, node))) {
                    for (int child : MerkleTree.children(level, node)) {
                        next.add(child);
                    }
                }
            }
            nodes = next;
        }
        List<Integer> differing = new ArrayList<>();
        for (int leaf : nodes) {
            if (!ta.digest(MerkleTree.DEPTH, leaf).equals(tb.digest(MerkleTree.DEPTH, leaf))) {
                differing.add(leaf);
            }
        }
        List<Integer> expected = new ArrayList<>(List.of(MerkleTree.leafOf(changed.position()), MerkleTree.leafOf(missing.position())));
        Collections.sort(expected);
        Collections.sort(differing);
        assertEquals(expected.stream().distinct().toList(), differing);
    }

    @Test
    void leavesSliceTheRingByTheTopBitsOfAPosition() {
        assertEquals(0, MerkleTree.leafOf(0L));
        assertEquals(MerkleTree.LEAVES - 1, MerkleTree.leafOf(-1L));
        assertEquals(MerkleTree.LEAVES / 2, MerkleTree.leafOf(Long.MIN_VALUE));
        assertEquals(1, MerkleTree.width(0));
        assertEquals(MerkleTree.LEAVES, MerkleTree.width(MerkleTree.DEPTH));
        assertEquals(MerkleTree.LEAVES, MerkleTree.span(0));
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.children(MerkleTree.DEPTH, 0));
        assertThrows(IllegalArgumentException.class, () -> new MerkleTree().digest(1, MerkleTree.FANOUT));
    }
}
