package io.hifadhi.ring;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A consistent-hash ring with virtual nodes: an immutable, thread-safe value that is a pure function of
 * its member set and {@link RingSettings}. Every node that knows the same members computes the same ring.
 *
 * <p>Each member owns {@link RingSettings#vnodesOf(Member)} tokens at positions
 * {@link KeyHash#ofToken(String, int) hash(id + "#" + i)}. A key belongs to the first token at or after
 * its position (clockwise, wrapping). Tokens sit in one sorted {@code long[]} with a parallel array of
 * owner indexes, so a lookup is one binary search (O(log tokens)) plus a short walk, and allocates nothing
 * unless it returns a list.
 *
 * <p>Preference lists prefer distinct zones: a first pass over the clockwise walk takes only members of
 * zones not yet used, until min(n, zones) members are chosen; a second pass fills the remaining places
 * with the next distinct members in walk order. Replicas are reported in walk order. Because the choice
 * depends only on the walk, removing a member changes exactly the lists that contained it, and adding a
 * member changes only lists that now contain it (tested in RingPropertiesTest).
 */
public final class Ring {

    /** Above this many picks a boolean[] beats scanning the picks for duplicates. */
    private static final int LINEAR_SCAN_LIMIT = 32;

    private final RingSettings settings;
    private final List<Member> members;
    private final Map<String, Integer> indexById;
    private final int[] vnodes;
    private final int[] zoneOf;
    private final List<String> zones;
    private final long[] tokens;
    private final int[] owners;
    /**
     * Lookup accelerator: {@code bucketStart[b]} is the first token index whose top {@code bucketBits}
     * bits (sign flipped, so buckets follow signed order) are >= b. A lookup binary-searches only its
     * bucket (~16 tokens, two cache lines) instead of the whole array: 2-3 cache misses instead of ~20
     * at a million tokens, for 0.25 byte per token.
     */
    private final int[] bucketStart;
    private final int bucketShift;

    private Ring(Collection<Member> memberSet, RingSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(memberSet, "members");
        List<Member> sorted = new ArrayList<>(memberSet.size());
        for (Member m : memberSet) {
            sorted.add(Objects.requireNonNull(m, "member"));
        }
        // Sorting by id is what makes the ring independent of the order members were learned in.
        sorted.sort(Comparator.comparing(Member::id));
        Map<String, Integer> byId = new HashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            if (byId.putIfAbsent(sorted.get(i).id(), i) != null) {
                throw new IllegalArgumentException("duplicate member id '" + sorted.get(i).id() + "'");
            }
        }
        this.members = List.copyOf(sorted);
        this.indexById = Map.copyOf(byId);

        TreeSet<String> zoneNames = new TreeSet<>();
        for (Member m : members) {
            zoneNames.add(m.zone());
        }
        this.zones = List.copyOf(zoneNames);
        this.zoneOf = new int[members.size()];
        this.vnodes = new int[members.size()];
        long total = 0;
        for (int i = 0; i < members.size(); i++) {
            zoneOf[i] = zones.indexOf(members.get(i).zone());
            vnodes[i] = settings.vnodesOf(members.get(i));
            total += vnodes[i];
        }
        if (total > RingSettings.MAX_TOKENS) {
            throw new IllegalArgumentException("ring would hold " + total + " tokens, more than "
                    + RingSettings.MAX_TOKENS + "; raise referenceCapacity or lower baseVnodes");
        }
        long[] positions = new long[(int) total];
        int[] owner = new int[(int) total];
        MessageDigest digest = KeyHash.newDigest();
        int k = 0;
        for (int i = 0; i < members.size(); i++) {
            String id = members.get(i).id();
            for (int v = 0; v < vnodes[i]; v++) {
                positions[k] = KeyHash.of(digest, id + "#" + v);
                owner[k] = i;
                k++;
            }
        }
        // Stable sort: equal positions (practically never) stay ordered by owner index, i.e. by id.
        TokenSort.sort(positions, owner);
        this.tokens = positions;
        this.owners = owner;
        int bucketBits = Math.max(1, 31 - Integer.numberOfLeadingZeros(Math.max(1, positions.length / 16)));
        this.bucketShift = 64 - bucketBits;
        this.bucketStart = new int[(1 << bucketBits) + 1];
        int b = 0;
        for (int i = 0; i < positions.length; i++) {
            int bucket = bucketOf(positions[i]);
            while (b <= bucket) {
                bucketStart[b++] = i;
            }
        }
        while (b < bucketStart.length) {
            bucketStart[b++] = positions.length;
        }
    }

    private int bucketOf(long position) {
        return (int) ((position ^ Long.MIN_VALUE) >>> bucketShift);
    }

    public static Ring of(Collection<Member> members) {
        return new Ring(members, RingSettings.DEFAULT);
    }

    public static Ring of(Collection<Member> members, RingSettings settings) {
        return new Ring(members, settings);
    }

    public static Ring empty(RingSettings settings) {
        return new Ring(List.of(), settings);
    }

    /** This ring with {@code member} added (or replaced, if a member with its id exists). */
    public Ring with(Member member) {
        Objects.requireNonNull(member, "member");
        List<Member> next = new ArrayList<>(members.size() + 1);
        for (Member m : members) {
            if (!m.id().equals(member.id())) {
                next.add(m);
            }
        }
        next.add(member);
        return new Ring(next, settings);
    }

    /** This ring without the member {@code id}; the same ring if there is none. */
    public Ring without(String id) {
        Objects.requireNonNull(id, "member id");
        if (!indexById.containsKey(id)) {
            return this;
        }
        List<Member> next = new ArrayList<>(members.size());
        for (Member m : members) {
            if (!m.id().equals(id)) {
                next.add(m);
            }
        }
        return new Ring(next, settings);
    }

    public RingSettings settings() {
        return settings;
    }

    /** Members sorted by id; the index of a member in this list is its member index. */
    public List<Member> members() {
        return members;
    }

    public int size() {
        return members.size();
    }

    public boolean isEmpty() {
        return members.isEmpty();
    }

    public Member member(int memberIndex) {
        return members.get(memberIndex);
    }

    public Optional<Member> member(String id) {
        Integer i = indexById.get(id);
        return i == null ? Optional.empty() : Optional.of(members.get(i));
    }

    /** Member index of {@code id}, or -1. */
    public int indexOf(String id) {
        Integer i = indexById.get(id);
        return i == null ? -1 : i;
    }

    /** Distinct zones, sorted; {@code ""} stands for members without a zone. */
    public List<String> zones() {
        return zones;
    }

    public int tokenCount() {
        return tokens.length;
    }

    public int vnodesOf(String id) {
        Integer i = indexById.get(id);
        return i == null ? 0 : vnodes[i];
    }

    /** All tokens in ring order (allocates one object per token; for inspection, not the hot path). */
    public List<Token> tokens() {
        List<Token> list = new ArrayList<>(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            list.add(new Token(tokens[i], members.get(owners[i])));
        }
        return List.copyOf(list);
    }

    /** Bytes held by the token, owner and lookup-index arrays (the part that grows with members x vnodes). */
    public long tokenArrayBytes() {
        return arrayBytes(8L, tokens.length) + arrayBytes(4L, owners.length) + arrayBytes(4L, bucketStart.length);
    }

    /** The owner of the token at or after {@code keyHash}. Allocation-free. */
    public Member primary(long keyHash) {
        requireMembers();
        return members.get(owners[ceilingIndex(keyHash)]);
    }

    /** Member index of the primary of {@code keyHash}. Allocation-free. */
    public int primaryIndex(long keyHash) {
        requireMembers();
        return owners[ceilingIndex(keyHash)];
    }

    /** The n replicas of a key (fewer if the ring has fewer members), without fallbacks. */
    public PreferenceList preferenceList(long keyHash, int n) {
        return preferenceList(keyHash, n, 0);
    }

    /**
     * The n replicas of a key followed by up to {@code fallbacks} further distinct members in walk
     * order. {@code fallbacks = Integer.MAX_VALUE} yields the whole walk: every member exactly once.
     */
    public PreferenceList preferenceList(long keyHash, int n, int fallbacks) {
        requireMembers();
        if (n < 1) {
            throw new IllegalArgumentException("replication must be at least 1, was " + n);
        }
        if (fallbacks < 0) {
            throw new IllegalArgumentException("fallbacks must not be negative, was " + fallbacks);
        }
        int replicas = Math.min(n, members.size());
        int want = (int) Math.min(members.size(), (long) replicas + fallbacks);
        int[] picked = new int[want];
        select(keyHash, n, want - replicas, picked);
        List<Member> r = new ArrayList<>(replicas);
        List<Member> f = new ArrayList<>(want - replicas);
        for (int i = 0; i < want; i++) {
            (i < replicas ? r : f).add(members.get(picked[i]));
        }
        return new PreferenceList(keyHash, r, f);
    }

    /**
     * Allocation-free form of {@link #preferenceList(long, int, int)} for hot paths: writes member
     * indexes (replicas first, then fallbacks) into {@code out} and returns how many it wrote, which is
     * {@code min(size(), min(n, size()) + fallbacks, out.length)} with replicas taking precedence.
     * Allocates only when more than 32 members are requested.
     */
    public int preferenceIndexes(long keyHash, int n, int fallbacks, int[] out) {
        requireMembers();
        if (n < 1) {
            throw new IllegalArgumentException("replication must be at least 1, was " + n);
        }
        if (fallbacks < 0) {
            throw new IllegalArgumentException("fallbacks must not be negative, was " + fallbacks);
        }
        int replicas = Math.min(Math.min(n, members.size()), out.length);
        int want = (int) Math.min(Math.min(members.size(), (long) replicas + fallbacks), out.length);
        select(keyHash, replicas, want - replicas, out);
        return want;
    }

    /**
     * Exact share of the ring (0..1) for which each member is among the n replicas, indexed like
     * {@link #members()}. With n = 1 this is primary ownership; the shares sum to min(n, size()).
     */
    public double[] ownership(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("replication must be at least 1, was " + n);
        }
        double[] share = new double[members.size()];
        if (tokens.length == 0) {
            return share;
        }
        int replicas = Math.min(n, members.size());
        int[] picked = new int[replicas];
        for (int i = 0; i < tokens.length; i++) {
            double gap = tokens.length == 1 ? 1.0 : TokenRange.fractionOfRing(tokens[i] - tokens[previous(i)]);
            if (replicas == 1) {
                share[owners[i]] += gap;
            } else {
                selectFrom(i, replicas, 0, picked);
                for (int p : picked) {
                    share[p] += gap;
                }
            }
        }
        return share;
    }

    /**
     * The whole ring cut into ranges with one replica list each (for n replicas), in ring order;
     * neighbouring token ranges with the same replicas are merged, and only the first range may wrap.
     */
    public List<ReplicaRange> replicaRanges(int n) {
        return replicaRanges(n, null);
    }

    /** The ranges of {@link #replicaRanges(int)} for which {@code memberId} is a replica. */
    public List<ReplicaRange> replicaRangesOf(String memberId, int n) {
        Objects.requireNonNull(memberId, "member id");
        return indexById.containsKey(memberId) ? replicaRanges(n, memberId) : List.of();
    }

    private List<ReplicaRange> replicaRanges(int n, String onlyFor) {
        if (n < 1) {
            throw new IllegalArgumentException("replication must be at least 1, was " + n);
        }
        List<ReplicaRange> out = new ArrayList<>();
        if (tokens.length == 0) {
            return out;
        }
        int replicas = Math.min(n, members.size());
        int[] pick = new int[replicas];
        int[] open = new int[replicas];
        boolean isOpen = false;
        long openStart = 0;
        long openEnd = 0;
        for (int i = 0; i < tokens.length; i++) {
            long start = tokens[previous(i)];
            long end = tokens[i];
            if (start == end && tokens.length > 1) {
                continue; // a duplicate position owns nothing
            }
            selectFrom(i, replicas, 0, pick);
            if (isOpen && Arrays.equals(pick, open)) {
                openEnd = end;
                continue;
            }
            if (isOpen) {
                addRange(out, openStart, openEnd, open, onlyFor);
            }
            isOpen = true;
            openStart = start;
            openEnd = end;
            System.arraycopy(pick, 0, open, 0, replicas);
        }
        addRange(out, openStart, openEnd, open, onlyFor);
        return List.copyOf(out);
    }

    private void addRange(List<ReplicaRange> out, long start, long end, int[] picks, String onlyFor) {
        List<Member> list = new ArrayList<>(picks.length);
        boolean wanted = onlyFor == null;
        for (int p : picks) {
            list.add(members.get(p));
            wanted |= members.get(p).id().equals(onlyFor);
        }
        if (wanted) {
            out.add(new ReplicaRange(new TokenRange(start, end), list));
        }
    }

    // ---- walk ---------------------------------------------------------------------------------------

    /** Index of the first token at or after {@code keyHash}, wrapping to 0. */
    int ceilingIndex(long keyHash) {
        int bucket = bucketOf(keyHash);
        // Tokens of later buckets are all greater than the key, so if none in its bucket is >= key the
        // answer is the first token after the bucket.
        int lo = bucketStart[bucket];
        int hi = bucketStart[bucket + 1];
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (tokens[mid] < keyHash) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == tokens.length ? 0 : lo;
    }

    long[] tokenPositions() {
        return tokens;
    }

    private int previous(int i) {
        return i == 0 ? tokens.length - 1 : i - 1;
    }

    /** Picks for a key: see {@link #selectFrom}. */
    void select(long keyHash, int n, int fallbacks, int[] out) {
        selectFrom(ceilingIndex(keyHash), n, fallbacks, out);
    }

    /**
     * Writes min(n, size()) replicas in walk order, then {@code fallbacks} further members in walk
     * order, starting the walk at token {@code start}. The caller guarantees the counts fit.
     */
    void selectFrom(int start, int n, int fallbacks, int[] out) {
        int t = tokens.length;
        int replicas = Math.min(n, members.size());
        int want = replicas + fallbacks;
        boolean[] seen = want > LINEAR_SCAN_LIMIT ? new boolean[members.size()] : null;

        // Pass 1: one member per zone until min(n, zones) zones are covered.
        int zonesWanted = Math.min(replicas, zones.size());
        int picked = 0;
        int idx = start;
        for (int step = 0; step < t && picked < zonesWanted; step++) {
            int o = owners[idx];
            if (!zoneTaken(out, picked, zoneOf[o])) {
                out[picked++] = o;
                if (seen != null) {
                    seen[o] = true;
                }
            }
            idx = idx + 1 == t ? 0 : idx + 1;
        }
        if (picked < replicas) {
            // Pass 2: fill with the next distinct members regardless of zone.
            idx = start;
            for (int step = 0; step < t && picked < replicas; step++) {
                int o = owners[idx];
                if (!contains(out, picked, seen, o)) {
                    out[picked++] = o;
                    if (seen != null) {
                        seen[o] = true;
                    }
                }
                idx = idx + 1 == t ? 0 : idx + 1;
            }
            if (zonesWanted > 1) {
                orderByWalk(start, replicas, out);
            }
        }
        // Fallbacks: the members after the replicas, in walk order.
        idx = start;
        for (int step = 0; step < t && picked < want; step++) {
            int o = owners[idx];
            if (!contains(out, picked, seen, o)) {
                out[picked++] = o;
                if (seen != null) {
                    seen[o] = true;
                }
            }
            idx = idx + 1 == t ? 0 : idx + 1;
        }
    }

    /** Reorders out[0..count) into order of first appearance on the walk, in place. */
    private void orderByWalk(int start, int count, int[] out) {
        int t = tokens.length;
        int done = 0;
        int idx = start;
        for (int step = 0; step < t && done < count; step++) {
            int o = owners[idx];
            for (int j = done; j < count; j++) {
                if (out[j] == o) {
                    out[j] = out[done];
                    out[done++] = o;
                    break;
                }
            }
            idx = idx + 1 == t ? 0 : idx + 1;
        }
    }

    private boolean zoneTaken(int[] out, int count, int zone) {
        for (int i = 0; i < count; i++) {
            if (zoneOf[out[i]] == zone) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(int[] out, int count, boolean[] seen, int member) {
        if (seen != null) {
            return seen[member];
        }
        for (int i = 0; i < count; i++) {
            if (out[i] == member) {
                return true;
            }
        }
        return false;
    }

    private void requireMembers() {
        if (members.isEmpty()) {
            throw new IllegalStateException("the ring has no members; no key can be placed");
        }
    }

    private static long arrayBytes(long elementBytes, int length) {
        // 16-byte array header, contents rounded up to 8 bytes (64-bit JVM, compressed oops).
        return 16 + ((elementBytes * length + 7) & ~7L);
    }

    // ---- value semantics: the ring is determined by members and settings -----------------------------

    @Override
    public boolean equals(Object o) {
        return o instanceof Ring other && settings.equals(other.settings) && members.equals(other.members);
    }

    @Override
    public int hashCode() {
        return 31 * settings.hashCode() + members.hashCode();
    }

    @Override
    public String toString() {
        return "Ring[members=" + members.size() + ", zones=" + zones.size() + ", tokens=" + tokens.length
                + ", baseVnodes=" + settings.baseVnodes() + "]";
    }

    /** Exposed for tests that check the arrays are what the members imply. */
    boolean sameTokens(Ring other) {
        if (!Arrays.equals(tokens, other.tokens)) {
            return false;
        }
        for (int i = 0; i < owners.length; i++) {
            if (!members.get(owners[i]).equals(other.members.get(other.owners[i]))) {
                return false;
            }
        }
        return true;
    }
}
