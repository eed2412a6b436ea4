package io.hifadhi.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Invariants over many random member sets (seeded, so a failure reproduces; the seed and iteration are
 * in every message). Most use a small base vnode count to stay fast: the invariants do not depend on it.
 */
class RingPropertiesTest {

    private static final long REF = RingSettings.DEFAULT_REFERENCE_CAPACITY;
    private static final long[] CAPACITIES = {REF / 2, REF, REF, 2 * REF, 3 * REF};

    /** A random member set: 1..maxMembers members, no zones or 1..5 zones, mixed capacities. */
    private static List<Member> randomMembers(Random random, int minMembers, int maxMembers) {
        int count = minMembers + random.nextInt(maxMembers - minMembers + 1);
        int zones = random.nextInt(6);
        Set<String> ids = new HashSet<>();
        List<Member> members = new ArrayList<>();
        while (members.size() < count) {
            String id = "node-" + Integer.toString(random.nextInt(1_000_000), 36);
            if (ids.add(id)) {
                String zone = zones == 0 ? null : "zone-" + random.nextInt(zones);
                members.add(new Member(id, zone, CAPACITIES[random.nextInt(CAPACITIES.length)]));
            }
        }
        return members;
    }

    /** Random keys plus keys on and next to token positions, where off-by-one bugs live. */
    private static long[] probeKeys(Random random, Ring ring, int randomCount) {
        List<Token> tokens = ring.tokens();
        long[] keys = new long[randomCount + 60];
        for (int i = 0; i < randomCount; i++) {
            keys[i] = random.nextLong();
        }
        for (int i = 0; i < 20 && !tokens.isEmpty(); i++) {
            long t = tokens.get(random.nextInt(tokens.size())).position();
            keys[randomCount + 3 * i] = t;
            keys[randomCount + 3 * i + 1] = t + 1;
            keys[randomCount + 3 * i + 2] = t - 1;
        }
        return keys;
    }

    private static Set<String> ids(List<Member> members) {
        return members.stream().map(Member::id).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    @Test
    void sameMembersInAnyOrderGiveTheSameRingAndLists() {
        Random random = new Random(1);
        for (int iter = 0; iter < 200; iter++) {
            List<Member> members = randomMembers(random, 1, 30);
            List<Member> shuffled = new ArrayList<>(members);
            Collections.shuffle(shuffled, random);
            RingSettings settings = RingSettings.withBaseVnodes(1 + random.nextInt(64));
            Ring a = Ring.of(members, settings);
            Ring b = Ring.of(shuffled, settings);
            String ctx = "iteration " + iter;
            assertEquals(a, b, ctx);
            assertEquals(a.hashCode(), b.hashCode(), ctx);
            assertTrue(a.sameTokens(b), ctx);
            for (long key : probeKeys(random, a, 40)) {
                int n = 1 + random.nextInt(5);
                int fallbacks = random.nextInt(4);
                assertEquals(a.preferenceList(key, n, fallbacks), b.preferenceList(key, n, fallbacks), ctx);
            }
        }
    }

    @Test
    void listsHoldNDistinctReplicasWithMaximalZoneSpreadInWalkOrder() {
        Random random = new Random(2);
        for (int iter = 0; iter < 300; iter++) {
            Ring ring = Ring.of(randomMembers(random, 1, 25), RingSettings.withBaseVnodes(1 + random.nextInt(32)));
            for (long key : probeKeys(random, ring, 30)) {
                int n = 1 + random.nextInt(6);
                int fallbacks = random.nextInt(5);
                PreferenceList list = ring.preferenceList(key, n, fallbacks);
                String ctx = "iteration " + iter + " key " + KeyHash.toHex(key) + " n " + n + " " + list;
                int expectedSize = Math.min(n, ring.size());
                assertEquals(expectedSize, list.replicas().size(), ctx);
                assertEquals(expectedSize, new HashSet<>(list.replicas()).size(), "distinct: " + ctx);
                assertEquals(ring.primary(key), list.primary(), ctx);
                assertEquals(Math.min(n, ring.zones().size()), list.distinctZones(), "zone spread: " + ctx);
                assertEquals(Math.min(fallbacks, ring.size() - expectedSize), list.fallbacks().size(), ctx);
                Set<Member> all = new HashSet<>(list.all());
                assertEquals(list.all().size(), all.size(), "fallbacks distinct from replicas: " + ctx);
                assertEquals(referenceList(ring, key, n, fallbacks), list, "matches the reference: " + ctx);
            }
        }
    }

    /**
     * The placement rule written as plainly as possible, from the public token list: the distinct
     * members in clockwise order from the key; pass 1 takes new zones, pass 2 fills up; replicas are
     * reported in walk order; fallbacks are the next members of the walk.
     */
    private static PreferenceList referenceList(Ring ring, long key, int n, int fallbacks) {
        List<Token> tokens = ring.tokens();
        int start = 0;
        while (start < tokens.size() && tokens.get(start).position() < key) {
            start++;
        }
        List<Member> walk = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            Member m = tokens.get((start + i) % tokens.size()).owner();
            if (!walk.contains(m)) {
                walk.add(m);
            }
        }
        int replicas = Math.min(n, walk.size());
        Set<Member> chosen = new HashSet<>();
        Set<String> zones = new HashSet<>();
        int zonesWanted = Math.min(replicas, ring.zones().size());
        for (Member m : walk) {
            if (zones.size() < zonesWanted && zones.add(m.zone())) {
                chosen.add(m);
            }
        }
        for (Member m : walk) {
            if (chosen.size() < replicas) {
                chosen.add(m);
            }
        }
        List<Member> r = walk.stream().filter(chosen::contains).toList();
        List<Member> f = walk.stream().filter(m -> !chosen.contains(m)).limit(fallbacks).toList();
        return new PreferenceList(key, r, f);
    }

    @Test
    void ownershipFollowsCapacityWithTheDefaultVnodeCount() {
        Random random = new Random(3);
        for (int iter = 0; iter < 12; iter++) {
            List<Member> members = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                long capacity = i % 2 == 0 ? REF : 2 * REF;
                members.add(new Member("n" + iter + "-" + random.nextInt(1 << 30), null, capacity));
            }
            Ring ring = Ring.of(members);
            double[] share = ring.ownership(1);
            double totalWeight = 60;
            double heavy = 0;
            double light = 0;
            for (int i = 0; i < share.length; i++) {
                Member m = ring.member(i);
                double weight = RingSettings.DEFAULT.weightOf(m);
                double expected = weight / totalWeight;
                String ctx = "iteration " + iter + " " + m + " owns " + share[i] + " expected " + expected;
                // One member's share has relative stddev ~ 1/sqrt(vnodes) = 2.2% at weight 1.
                assertTrue(Math.abs(share[i] / expected - 1) < 0.15, ctx);
                if (weight == 2) {
                    heavy += share[i];
                } else {
                    light += share[i];
                }
            }
            // 20 members of weight 2 against 20 of weight 1: twice the capacity, about twice the keys.
            double ratio = heavy / light;
            assertTrue(Math.abs(ratio - 2) < 0.1, "iteration " + iter + ": heavy/light " + ratio);
            assertEquals(1.0, java.util.Arrays.stream(share).sum(), 1e-9);
        }
    }

    @Test
    void removingAMemberMovesOnlyItsKeys() {
        Random random = new Random(4);
        for (int iter = 0; iter < 150; iter++) {
            List<Member> members = randomMembers(random, 2, 25);
            RingSettings settings = RingSettings.withBaseVnodes(1 + random.nextInt(48));
            Ring before = Ring.of(members, settings);
            Member gone = members.get(random.nextInt(members.size()));
            Ring after = before.without(gone.id());
            int n = 1 + random.nextInt(4);
            for (long key : probeKeys(random, before, 200)) {
                String ctx = "iteration " + iter + " key " + KeyHash.toHex(key) + " removed " + gone;
                Member oldPrimary = before.primary(key);
                Member newPrimary = after.primary(key);
                assertEquals(oldPrimary.equals(gone), !oldPrimary.equals(newPrimary), "primary: " + ctx);
                PreferenceList oldList = before.preferenceList(key, n);
                PreferenceList newList = after.preferenceList(key, n);
                boolean contained = oldList.replicas().contains(gone);
                assertEquals(contained, !oldList.equals(newList), "n=" + n + " " + oldList + " vs " + newList + " " + ctx);
                if (contained) {
                    Set<String> kept = ids(oldList.replicas());
                    kept.remove(gone.id());
                    assertTrue(ids(newList.replicas()).containsAll(kept), "survivors keep their keys: " + ctx);
                }
            }
        }
    }

    @Test
    void addingAMemberMovesKeysOnlyToIt() {
        Random random = new Random(5);
        for (int iter = 0; iter < 150; iter++) {
            List<Member> members = randomMembers(random, 1, 25);
            RingSettings settings = RingSettings.withBaseVnodes(1 + random.nextInt(48));
            Ring before = Ring.of(members, settings);
            String zone = random.nextBoolean() ? "zone-new" : members.get(0).zone();
            Member joiner = new Member("joiner-" + iter, zone, CAPACITIES[random.nextInt(CAPACITIES.length)]);
            Ring after = before.with(joiner);
            int n = 1 + random.nextInt(4);
            for (long key : probeKeys(random, after, 200)) {
                String ctx = "iteration " + iter + " key " + KeyHash.toHex(key) + " added " + joiner;
                Member oldPrimary = before.primary(key);
                Member newPrimary = after.primary(key);
                if (!oldPrimary.equals(newPrimary)) {
                    assertEquals(joiner, newPrimary, "primary moved to someone else: " + ctx);
                }
                PreferenceList oldList = before.preferenceList(key, n);
                PreferenceList newList = after.preferenceList(key, n);
                boolean joined = newList.replicas().contains(joiner);
                assertEquals(joined, !oldList.equals(newList), "n=" + n + " " + oldList + " vs " + newList + " " + ctx);
                Set<String> gained = ids(newList.replicas());
                gained.removeAll(ids(oldList.replicas()));
                assertTrue(gained.isEmpty() || gained.equals(Set.of(joiner.id())), "only the joiner gains: " + ctx);
                Set<String> lost = ids(oldList.replicas());
                lost.removeAll(ids(newList.replicas()));
                assertTrue(lost.size() <= 1, "one replica displaced at most: " + ctx);
            }
        }
    }

    @Test
    void transferPlanAgreesWithSampledKeyMoves() {
        Random random = new Random(6);
        for (int iter = 0; iter < 150; iter++) {
            List<Member> members = randomMembers(random, 1, 20);
            RingSettings settings = RingSettings.withBaseVnodes(1 + random.nextInt(32));
            Ring before = Ring.of(members, settings);
            Ring after = mutate(random, before, iter);
            int n = 1 + random.nextInt(4);
            TransferPlan plan = TransferPlan.between(before, after, n);
            String ctx0 = "iteration " + iter + " n " + n + " " + before.members() + " -> " + after.members();
            assertRangesDisjointAndOrdered(plan, ctx0);
            long[] keys = after.isEmpty() ? probeKeys(random, before, 1000) : probeKeys(random, after, 1000);
            int moved = 0;
            for (long key : keys) {
                List<Member> oldReplicas = before.isEmpty() ? List.of() : before.preferenceList(key, n).replicas();
                List<Member> newReplicas = after.isEmpty() ? List.of() : after.preferenceList(key, n).replicas();
                boolean changed = !ids(oldReplicas).equals(ids(newReplicas));
                var transfer = plan.transferFor(key);
                String ctx = ctx0 + " key " + KeyHash.toHex(key);
                assertEquals(changed, transfer.isPresent(), ctx);
                if (changed) {
                    moved++;
                    assertEquals(oldReplicas, transfer.get().oldReplicas(), ctx);
                    assertEquals(newReplicas, transfer.get().newReplicas(), ctx);
                }
            }
            // The random keys (the first 1000) estimate the moved share: within 5 binomial sigmas.
            int sampledMoved = 0;
            for (int i = 0; i < 1000; i++) {
                if (plan.transferFor(keys[i]).isPresent()) {
                    sampledMoved++;
                }
            }
            double p = plan.movedFraction();
            double sigma = Math.sqrt(Math.max(p * (1 - p), 1e-4) / 1000);
            assertEquals(p, sampledMoved / 1000.0, 5 * sigma + 1e-3, ctx0);
            assertTrue(moved >= sampledMoved, ctx0);
        }
    }

    /** A random ring change: join, leave, capacity change, several at once, or nothing. */
    private static Ring mutate(Random random, Ring ring, int iter) {
        return switch (random.nextInt(5)) {
            case 0 -> ring.with(new Member("joiner-" + iter, "zone-" + random.nextInt(4), REF));
            case 1 -> ring.without(ring.member(random.nextInt(ring.size())).id());
            case 2 -> {
                Member m = ring.member(random.nextInt(ring.size()));
                yield ring.with(new Member(m.id(), m.zone(), CAPACITIES[random.nextInt(CAPACITIES.length)]));
            }
            case 3 -> ring.without(ring.member(random.nextInt(ring.size())).id())
                    .with(new Member("a-" + iter, null, REF)).with(new Member("b-" + iter, "zone-1", 2 * REF));
            default -> ring;
        };
    }

    private static void assertRangesDisjointAndOrdered(TransferPlan plan, String ctx) {
        List<RangeTransfer> ts = plan.transfers();
        for (int i = 1; i < ts.size(); i++) {
            TokenRange prev = ts.get(i - 1).range();
            TokenRange cur = ts.get(i).range();
            assertTrue(prev.endInclusive() < cur.endInclusive(), "ordered: " + ctx);
            assertTrue(!cur.wraps(), "only the first range may wrap: " + ctx);
            assertTrue(cur.startExclusive() >= prev.endInclusive(), "disjoint: " + ctx);
        }
        if (ts.size() > 1 && ts.get(0).range().wraps()) {
            assertTrue(ts.get(ts.size() - 1).range().endInclusive() <= ts.get(0).range().startExclusive(),
                    "wrapping range disjoint from the last: " + ctx);
        }
        assertTrue(plan.movedFraction() <= 1.0 + 1e-9, ctx);
    }

    @Test
    void joinAndLeavePlansMoveExactlyTheChangedMembersShare() {
        Random random = new Random(7);
        for (int iter = 0; iter < 60; iter++) {
            List<Member> members = randomMembers(random, 2, 20);
            RingSettings settings = RingSettings.withBaseVnodes(1 + random.nextInt(64));
            Ring ring = Ring.of(members, settings);
            int n = 1 + random.nextInt(4);
            String ctx = "iteration " + iter + " n " + n;

            Member joiner = new Member("joiner", random.nextBoolean() ? "zone-x" : members.get(0).zone(), REF);
            Ring grown = ring.with(joiner);
            TransferPlan join = TransferPlan.between(ring, grown, n);
            for (RangeTransfer t : join.transfers()) {
                assertEquals(List.of(joiner), t.targets(), "join: " + ctx + " " + t);
                assertTrue(t.retiring().size() <= 1, "join: " + ctx);
            }
            double joinerShare = grown.ownership(n)[grown.indexOf("joiner")];
            assertEquals(joinerShare, join.movedFraction(), 1e-9, "join moves the joiner's share: " + ctx);
            assertEquals(grown.ownership(1)[grown.indexOf("joiner")], TransferPlan.between(ring, grown, 1)
                    .movedFraction(), 1e-9, ctx);

            Member leaver = members.get(random.nextInt(members.size()));
            Ring shrunk = ring.without(leaver.id());
            TransferPlan leave = TransferPlan.between(ring, shrunk, n);
            for (RangeTransfer t : leave.transfers()) {
                assertEquals(List.of(leaver), t.retiring(), "leave: " + ctx + " " + t);
                assertTrue(t.targets().size() <= 1, "leave: " + ctx);
            }
            assertEquals(ring.ownership(n)[ring.indexOf(leaver.id())], leave.movedFraction(), 1e-9,
                    "leave moves the leaver's share: " + ctx);
            assertEquals(leave.transfers(), leave.transfersFrom(leaver.id()), ctx);
            assertTrue(TransferPlan.between(ring, ring, n).isEmpty(), ctx);
        }
    }

    @Test
    void ownershipSharesSumToTheReplicationFactor() {
        Random random = new Random(8);
        for (int iter = 0; iter < 100; iter++) {
            Ring ring = Ring.of(randomMembers(random, 1, 20), RingSettings.withBaseVnodes(1 + random.nextInt(32)));
            int n = 1 + random.nextInt(5);
            double sum = java.util.Arrays.stream(ring.ownership(n)).sum();
            assertEquals(Math.min(n, ring.size()), sum, 1e-9, "iteration " + iter);
        }
    }

    @Test
    void replicaRangesTileTheRingAndAgreeWithPreferenceLists() {
        Random random = new Random(9);
        for (int iter = 0; iter < 150; iter++) {
            Ring ring = Ring.of(randomMembers(random, 1, 20), RingSettings.withBaseVnodes(1 + random.nextInt(32)));
            int n = 1 + random.nextInt(4);
            List<ReplicaRange> ranges = ring.replicaRanges(n);
            String ctx = "iteration " + iter + " n " + n + " " + ring.members();
            assertEquals(1.0, ranges.stream().mapToDouble(r -> r.range().fraction()).sum(), 1e-9, ctx);
            for (long key : probeKeys(random, ring, 300)) {
                List<ReplicaRange> holding = ranges.stream().filter(r -> r.range().contains(key)).toList();
                assertEquals(1, holding.size(), "exactly one range holds " + KeyHash.toHex(key) + ": " + ctx);
                assertEquals(ring.preferenceList(key, n).replicas(), holding.get(0).replicas(), ctx);
            }
            double[] share = ring.ownership(n);
            for (int i = 0; i < ring.size(); i++) {
                String id = ring.member(i).id();
                List<ReplicaRange> mine = ring.replicaRangesOf(id, n);
                assertTrue(mine.stream().allMatch(r -> r.isReplica(id)), ctx);
                assertEquals(share[i], mine.stream().mapToDouble(r -> r.range().fraction()).sum(), 1e-9, ctx);
            }
        }
    }

    @Test
    void defaultVnodeCountKeepsMaxOverMeanOwnershipWithinTenPercentAtHundredMembers() {
        Random random = new Random(10);
        for (int iter = 0; iter < 8; iter++) {
            List<Member> members = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                members.add(Member.of("n-" + Long.toHexString(random.nextLong()), "zone-" + (i % 3)));
            }
            double[] share = Ring.of(members).ownership(1);
            double max = java.util.Arrays.stream(share).max().orElseThrow();
            assertTrue(max * 100 <= 1.10, "iteration " + iter + ": max/mean " + max * 100);
        }
    }
}
