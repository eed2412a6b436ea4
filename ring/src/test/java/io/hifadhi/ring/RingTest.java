package io.hifadhi.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Examples and edge cases; the invariants over random member sets are in RingPropertiesTest. */
class RingTest {

    private static final long REF = RingSettings.DEFAULT_REFERENCE_CAPACITY;
    private static final RingSettings TWO = RingSettings.withBaseVnodes(2);

    private static Ring greek() {
        return Ring.of(List.of(Member.of("gamma"), Member.of("alpha"), Member.of("beta")), TWO);
    }

    @Test
    void goldenRingMatchesAnIndependentSha256Computation() {
        // Expected values computed with Python's hashlib, not with this code: they pin the placement
        // function, which every node of every release must compute identically.
        List<String> expected = List.of(
                "031812208fc2a66e->alpha", "2edd3343d6984ed4->beta", "2f8349b581dcf2b5->alpha",
                "3342ea283adc9f71->gamma", "3ec578455c34596c->gamma", "5f35c22d7815d96b->beta");
        Ring ring = greek();
        assertEquals(expected, ring.tokens().stream().map(Token::toString).toList());
        assertEquals("beta", ring.primary(KeyHash.ofObject("photos", "cat-0.jpg")).id());
        assertEquals("gamma", ring.primary(KeyHash.ofObject("photos", "cat-4.jpg")).id());
        assertEquals("alpha", ring.primary(KeyHash.ofObject("photos", "cat-14.jpg")).id(), "wraps past the last token");
        assertEquals("alpha", ring.primary(KeyHash.ofObject("photos", "cat-154.jpg")).id());
    }

    @Test
    void aKeyBelongsToTheFirstTokenAtOrAfterIt() {
        Ring ring = Ring.of(List.of(Member.of("a"), Member.of("b"), Member.of("c")), RingSettings.withBaseVnodes(16));
        List<Token> tokens = ring.tokens();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            Token next = tokens.get((i + 1) % tokens.size());
            assertEquals(t.owner(), ring.primary(t.position()), "key equal to a token");
            assertEquals(next.owner(), ring.primary(t.position() + 1), "key just after a token");
            assertEquals(t.owner(), ring.primary(t.position() - 1), "key just before a token");
        }
        assertEquals(tokens.get(0).owner(), ring.primary(Long.MAX_VALUE), "wrap-around");
        assertEquals(tokens.get(0).owner(), ring.primary(Long.MIN_VALUE));
    }

    @Test
    void tokensAreSortedAndDerivedFromTheMemberIds() {
        Ring ring = Ring.of(List.of(Member.of("a"), new Member("b", null, 3 * REF)), RingSettings.withBaseVnodes(10));
        assertEquals(10, ring.vnodesOf("a"));
        assertEquals(30, ring.vnodesOf("b"));
        assertEquals(40, ring.tokenCount());
        List<Token> tokens = ring.tokens();
        for (int i = 1; i < tokens.size(); i++) {
            assertTrue(tokens.get(i - 1).position() <= tokens.get(i).position());
        }
        Set<Long> ofB = new HashSet<>();
        for (int v = 0; v < 30; v++) {
            ofB.add(KeyHash.ofToken("b", v));
        }
        assertEquals(ofB, tokens.stream().filter(t -> t.owner().id().equals("b")).map(Token::position)
                .collect(Collectors.toSet()));
    }

    @Test
    void vnodesFollowCapacityWithAFloorOfOneAndACap() {
        RingSettings s = new RingSettings(100, 1000);
        assertEquals(100, s.vnodesOf(new Member("x", null, 1000)));
        assertEquals(200, s.vnodesOf(new Member("x", null, 2000)));
        assertEquals(150, s.vnodesOf(new Member("x", null, 1500)));
        assertEquals(1, s.vnodesOf(new Member("x", null, 1)), "at least one token");
        assertEquals(6400, s.vnodesOf(new Member("x", null, Long.MAX_VALUE)), "weight capped at 64");
        assertEquals(1.0, s.weightOf(new Member("x", null, 1000)));
    }

    @Test
    void emptyRingPlacesNothing() {
        Ring empty = Ring.empty(RingSettings.DEFAULT);
        assertTrue(empty.isEmpty());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> empty.primary(0));
        assertTrue(e.getMessage().contains("no members"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> empty.preferenceList(0, 3));
        assertEquals(0, empty.ownership(1).length);
    }

    @Test
    void singleMemberOwnsEverything() {
        Ring one = Ring.of(List.of(Member.of("solo", "z1")), RingSettings.withBaseVnodes(1));
        assertEquals(1, one.tokenCount());
        PreferenceList list = one.preferenceList(12345L, 3, 5);
        assertEquals(List.of(Member.of("solo", "z1")), list.replicas());
        assertTrue(list.fallbacks().isEmpty());
        assertArrayEquals(new double[] {1.0}, one.ownership(1));
        assertArrayEquals(new double[] {1.0}, one.ownership(3));
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> Ring.of(List.of(Member.of("a"), Member.of("b"), new Member("a", "z", 5))));
        assertTrue(dup.getMessage().contains("duplicate member id 'a'"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Member.of(" "));
        assertThrows(NullPointerException.class, () -> Member.of(null));
        IllegalArgumentException cap = assertThrows(IllegalArgumentException.class, () -> new Member("a", null, 0));
        assertTrue(cap.getMessage().contains("capacity must be positive"), cap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RingSettings(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RingSettings(8, 0));
        Ring ring = greek();
        assertThrows(IllegalArgumentException.class, () -> ring.preferenceList(0, 0));
        assertThrows(IllegalArgumentException.class, () -> ring.preferenceList(0, 2, -1));
        assertThrows(IllegalArgumentException.class, () -> TransferPlan.between(ring, ring, 0));
        List<Member> huge = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            huge.add(new Member("m" + i, null, Long.MAX_VALUE));
        }
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Ring.of(huge, RingSettings.withBaseVnodes(2048)));
        assertTrue(big.getMessage().contains("raise referenceCapacity"), big.getMessage());
    }

    @Test
    void zonesAreNormalised() {
        assertEquals("", new Member("a", null, 1).zone());
        assertEquals("", new Member("a", "  ", 1).zone());
        assertEquals("eu-1", new Member("a", " eu-1 ", 1).zone());
        assertFalse(Member.of("a").hasZone());
        Ring ring = Ring.of(List.of(Member.of("a", "z2"), Member.of("b"), Member.of("c", "z1")), TWO);
        assertEquals(List.of("", "z1", "z2"), ring.zones());
    }

    @Test
    void withAndWithoutProduceTheRingOfTheNewMemberSet() {
        Ring ring = greek();
        Ring grown = ring.with(Member.of("delta"));
        assertEquals(Ring.of(List.of(Member.of("alpha"), Member.of("beta"), Member.of("gamma"), Member.of("delta")), TWO),
                grown);
        assertEquals(ring, grown.without("delta"));
        assertTrue(ring.sameTokens(grown.without("delta")));
        assertSame(ring, ring.without("nobody"));
        Ring bigger = ring.with(new Member("beta", null, 2 * REF));
        assertEquals(4, bigger.vnodesOf("beta"), "with() replaces a member of the same id");
        assertNotEquals(ring, bigger);
    }

    @Test
    void fullWalkNamesEveryMemberOnceAndIndexesMatchTheList() {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            members.add(Member.of("m" + i, "z" + (i % 4)));
        }
        Ring ring = Ring.of(members, RingSettings.withBaseVnodes(8));
        for (long key = -5_000_000_000L; key < 5_000_000_000L; key += 777_777_777L) {
            PreferenceList all = ring.preferenceList(key, 3, Integer.MAX_VALUE);
            assertEquals(50, all.all().size());
            assertEquals(50, new HashSet<>(all.all()).size());
            int[] out = new int[50];
            assertEquals(50, ring.preferenceIndexes(key, 3, Integer.MAX_VALUE, out));
            List<Member> viaIndexes = new ArrayList<>();
            for (int i : out) {
                viaIndexes.add(ring.member(i));
            }
            assertEquals(all.all(), viaIndexes);
            int[] small = new int[5];
            assertEquals(5, ring.preferenceIndexes(key, 3, 2, small));
            assertEquals(all.all().subList(0, 5), List.of(ring.member(small[0]), ring.member(small[1]),
                    ring.member(small[2]), ring.member(small[3]), ring.member(small[4])));
        }
    }

    @Test
    void tokenRangesWrapAndMeasureTheirShare() {
        TokenRange plain = new TokenRange(10, 20);
        assertTrue(plain.contains(11) && plain.contains(20));
        assertFalse(plain.contains(10) || plain.contains(21));
        TokenRange wrap = new TokenRange(Long.MAX_VALUE - 1, Long.MIN_VALUE + 1);
        assertTrue(wrap.wraps());
        assertTrue(wrap.contains(Long.MAX_VALUE) && wrap.contains(Long.MIN_VALUE) && wrap.contains(Long.MIN_VALUE + 1));
        assertFalse(wrap.contains(0));
        assertEquals(3 / 0x1p64, wrap.fraction());
        TokenRange whole = new TokenRange(5, 5);
        assertTrue(whole.isWholeRing() && whole.contains(5) && whole.contains(-3));
        assertEquals(1.0, whole.fraction());
        assertEquals(0.5, new TokenRange(0, Long.MIN_VALUE).fraction());
    }
}
