package io.hifadhi.membership;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model of Hifadhi's membership at 3 to 1000 members, for the figures in membership/README.md ("Scale"): how long
 * until every member lists a new one, what a member sends per second at rest, and how long until every member sees
 * a crash. It runs the two mechanisms as they are deployed, in simulated time:
 *
 * <ul>
 *   <li>Atomix SWIM's dissemination as configured in {@code Membership.startAtomix}: every 100 ms a member sends the
 *       updates it learned since its last round to 4 random members and forgets them (infect and die); every
 *       250 ms it probes the next member of its shuffled list, and prober and probed learn each other's state. A
 *       joining member gets the full member list from its seed (SWIM sync).</li>
 *   <li>Our member-list sync: every 2 s each member pulls a random member's list and lists whoever it names.</li>
 *   <li>Our failure detector: every member pings every other every 200 ms, and the real {@link PhiAccrualDetector}
 *       (window 100, min std dev 100 ms, acceptable pause 800 ms, threshold 8) is evaluated every 100 ms.</li>
 * </ul>
 *
 * Message sizes are those of the real encodings ({@link Wire}, {@link MetadataCodec}) plus Atomix's frame header;
 * TCP/IP headers are left out. It prints a table and checks what the README states of it.
 */
class MembershipScaleSimulationTest {
    static final int[] SIZES = {3, 5, 10, 20, 100, 1000};
    static final long GOSSIP_MS = 100;
    static final long PROBE_MS = 250;
    static final int FANOUT = 4;
    static final long PING_MS = 200;
    static final long EVALUATE_MS = 100;
    /** Members re-announce their metadata at least this often at rest (NodeMembership). */
    static final long REFRESH_MS = 30_000;
    /** Each member pulls a random member's list this often (Membership.MEMBER_SYNC_MILLIS). */
    static final long SYNC_MS = Membership.MEMBER_SYNC_MILLIS;

    record Figures(int n, double joinSeenByAllMs, double pingMsgsPerSec, double pingBytesPerSec,
                   double swimMsgsPerSec, double swimBytesPerSec, double reachedPerUpdate, double detectByAllMs) {
    }

    @Test
    void figuresAt3To1000Members() {
        Random random = new Random(42);
        List<Figures> rows = new ArrayList<>();
        for (int n : SIZES) {
            rows.add(figures(n, random));
        }
        System.out.println("[membership-scale] n | new member seen by all (ms, median of 20) | pings msgs/s, bytes/s per member"
                + " | SWIM msgs/s, bytes/s per member | share reached by one update | crash seen by all (ms)");
        for (Figures f : rows) {
            System.out.printf("[membership-scale] %4d | %6.0f | %7.0f %9.0f | %5.1f %7.0f | %.3f | %5.0f%n", f.n(), f.joinSeenByAllMs(),
                    f.pingMsgsPerSec(), f.pingBytesPerSec(), f.swimMsgsPerSec(), f.swimBytesPerSec(), f.reachedPerUpdate(),
                    f.detectByAllMs());
        }
        for (Figures f : rows) {
            // Gossip alone brings an update to nearly everyone (infect and die, fanout 4)...
            assertTrue(f.reachedPerUpdate() > 0.95, f.toString());
            // ...detection is direct, so it does not depend on the cluster size...
            assertTrue(f.detectByAllMs() < 2_000, f.toString());
        }
        // ...up to 20 members a newcomer is listed everywhere within a second...
        for (Figures f : rows.subList(0, 4)) {
            assertTrue(f.joinSeenByAllMs() < 1_000, f.toString());
        }
        // ...and the members gossip missed find it by member-list sync within a few pulls, at any size.
        for (Figures f : rows) {
            assertTrue(f.joinSeenByAllMs() < 10_000, f.toString());
        }
    }

    static Figures figures(int n, Random random) {
        double[] joins = new double[20];
        double reached = 0;
        double gossipMessagesPerUpdate = 0;
        for (int i = 0; i < joins.length; i++) {
            joins[i] = joinSeenByAll(n, random);
            int[] spread = spreadOneUpdate(n, random);
            reached += spread[0] / (double) n;
            gossipMessagesPerUpdate += spread[1];
        }
        Arrays.sort(joins);
        reached /= joins.length;
        gossipMessagesPerUpdate /= joins.length;

        // Pings: n-1 pings out and n-1 pongs back per interval, and as many answered for the others.
        double pingRate = 1000.0 / PING_MS * (n - 1);
        double pingMsgs = 2 * pingRate;
        double pingBytes = pingRate * (PING_BYTES + PONG_BYTES);
        // SWIM: one probe and its answer out, one probe in and its answer back, per probe interval; plus this
        // member's share of gossip at rest (every member re-announces every REFRESH_MS).
        double probeMsgs = 2 * 1000.0 / PROBE_MS;
        double gossipMsgs = gossipMessagesPerUpdate * 1000.0 / REFRESH_MS;
        double swimMsgs = probeMsgs + gossipMsgs;
        double swimBytes = probeMsgs * PROBE_BYTES + gossipMsgs * GOSSIP_BYTES;
        return new Figures(n, joins[joins.length / 2], pingMsgs, pingBytes, swimMsgs, swimBytes, reached,
                detectionByAll(n, random));
    }

    /**
     * Milliseconds from the seed accepting a new member until every member knows it: gossip rounds from the seed
     * onwards, and the newcomer's own probes, which teach each probed member about it.
     */
    static double joinSeenByAll(int n, Random random) {
        // Member 0 is the newcomer, member 1 its seed; the others learn it by gossip or by being probed by it.
        boolean[] knows = new boolean[n];
        boolean[] pending = new boolean[n];
        knows[0] = true;
        knows[1] = true;
        pending[1] = true;
        long[] gossipPhase = phases(n, GOSSIP_MS, random);
        long[] syncPhase = phases(n, SYNC_MS, random);
        long probePhase = random.nextLong(PROBE_MS);
        int[] probeOrder = shuffledOthers(n, 0, random);
        int probed = 0;
        int known = 2;
        for (long t = 0; t < 600_000; t++) {
            if (known == n) {
                return t;
            }
            if (t % PROBE_MS == probePhase && probeOrder.length > 0) {
                int target = probeOrder[probed++ % probeOrder.length];
                if (!knows[target]) {
                    knows[target] = true;
                    pending[target] = true;
                    known++;
                }
            }
            for (int m = 1; m < n; m++) {
                if (!knows[m] && t % SYNC_MS == syncPhase[m] && knows[randomOther(n, m, random)]) {
                    // Member-list sync: the pulled list names the newcomer (listed by us, not forwarded by gossip).
                    knows[m] = true;
                    known++;
                }
                if (pending[m] && t % GOSSIP_MS == gossipPhase[m]) {
                    pending[m] = false;
                    for (int k = 0; k < FANOUT; k++) {
                        int target = randomOther(n, m, random);
                        if (!knows[target]) {
                            knows[target] = true;
                            // Learned this round: forwarded in its own next round (Atomix records, then gossips).
                            pending[target] = true;
                            known++;
                        }
                    }
                }
            }
        }
        return Double.NaN;
    }

    /** One metadata update by gossip alone: {members reached, gossip messages sent}. */
    static int[] spreadOneUpdate(int n, Random random) {
        boolean[] knows = new boolean[n];
        List<Integer> frontier = new ArrayList<>(List.of(0));
        knows[0] = true;
        int reached = 1;
        int messages = 0;
        while (!frontier.isEmpty()) {
            List<Integer> next = new ArrayList<>();
            for (int m : frontier) {
                for (int k = 0; k < FANOUT && n > 1; k++) {
                    int target = randomOther(n, m, random);
                    messages++;
                    if (!knows[target]) {
                        knows[target] = true;
                        reached++;
                        next.add(target);
                    }
                }
            }
            frontier = next;
        }
        return new int[] {reached, messages};
    }

    /** Milliseconds from a crash until the last of the n-1 others declares it unreachable (real detector code). */
    static double detectionByAll(int n, Random random) {
        long slowest = 0;
        int observers = Math.min(n - 1, 200); // beyond a few hundred the maximum no longer moves
        for (int o = 0; o < observers; o++) {
            PhiAccrualDetector d = new PhiAccrualDetector(100, 100, 800, PING_MS);
            long evalPhase = random.nextLong(EVALUATE_MS);
            long t = 0;
            // A minute of answered pings with a few ms of jitter, then silence.
            for (int i = 0; i < 300; i++) {
                t += PING_MS + random.nextInt(6) - 3;
                d.heartbeat(t);
            }
            long crash = t + random.nextLong(PING_MS);
            long check = crash - Math.floorMod(crash - evalPhase, EVALUATE_MS) + EVALUATE_MS;
            while (d.phi(check) <= FailureDetectorSettings.defaults().phiThreshold()) {
                check += EVALUATE_MS;
            }
            slowest = Math.max(slowest, check - crash);
        }
        return slowest;
    }

    // Sizes on the wire: payload from the real encoders plus Atomix's frame (type, varint id, varint length,
    // subject length and subject for a request; status for a reply) and the sender's address once per connection.
    static final int PING_BYTES = Wire.encodeBytes(Map.of("from", "node-12345678")).length + 5 + 2 + Membership.PING.length();
    static final int PONG_BYTES = Wire.encodeBytes(Map.of("id", "node-12345678", "inc", "0123456789abcdef")).length + 5 + 1;
    static final int METADATA_BYTES = MetadataCodec.encode(new MemberMetadata("node-12345678", "10.0.0.12:7111", "10.0.0.12:7113", "default",
            1L << 40, 123_456_789_012L, MemberState.UP, new LoadDigest(12.5, 1_234_567, 7_654_321),
            new ClusterSettings(3, 2, 2, 4 << 20)), "0123456789abcdef").length();
    /** A SWIM probe carries the prober's and the probed member's state; the answer both again (Atomix's serializer
     *  adds ids, address, version and incarnation around the metadata property: counted as 80 bytes a member). */
    static final int PROBE_BYTES = 2 * (METADATA_BYTES + 80) + 7 + 6 + 40;
    static final int GOSSIP_BYTES = METADATA_BYTES + 80 + 40;

    private static long[] phases(int n, long period, Random random) {
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            p[i] = random.nextLong(period);
        }
        return p;
    }

    private static int[] shuffledOthers(int n, int self, Random random) {
        int[] others = new int[n - 1];
        for (int i = 0, j = 0; i < n; i++) {
            if (i != self) {
                others[j++] = i;
            }
        }
        for (int i = others.length - 1; i > 0; i--) {
            int k = random.nextInt(i + 1);
            int tmp = others[i];
            others[i] = others[k];
            others[k] = tmp;
        }
        return others;
    }

    private static int randomOther(int n, int self, Random random) {
        int r = random.nextInt(n - 1);
        return r >= self ? r + 1 : r;
    }
}
