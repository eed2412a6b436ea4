package io.hifadhi.membership;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.hifadhi.membership.TestNodes.SECRET;
import static io.hifadhi.membership.TestNodes.SETTINGS;
import static io.hifadhi.membership.TestNodes.config;
import static io.hifadhi.membership.TestNodes.freePort;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Five members: this JVM plus four child JVMs, killed, stopped and resumed with real signals. The pause and
 * crash drills run {@code -Dmembership.drills} times (default 2) and print detection times; README figures come
 * from a run with more drills.
 */
class MultiProcessMembershipTest {

    private static final Duration NOTICE = Duration.ofSeconds(3);
    private final List<ChildMember> children = new ArrayList<>();
    private Membership observer;

    @AfterEach
    void tearDown() {
        children.forEach(ChildMember::close);
        if (observer != null) {
            observer.close();
        }
    }

    @Test
    void fiveMembersInSeparateProcesses() throws Exception {
        int drills = Integer.getInteger("membership.drills", 2);
        int po = freePort();
        String join = "127.0.0.1:" + po;
        EventLog events = new EventLog();
        observer = new Membership(config("o", po, List.of(), SECRET, SETTINGS));
        observer.addListener(events);
        observer.start();

        Map<String, ChildMember> byId = new LinkedHashMap<>();
        for (String id : List.of("c1", "c2", "c3", "c4")) {
            ChildMember c = ChildMember.launch(id, freePort(), join, SETTINGS, SECRET);
            children.add(c);
            byId.put(id, c);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                observer.view().reachable().size() == 5);
        for (ChildMember c : byId.values()) {
            assertTrue(c.await(l -> l.startsWith("EVENT JOINED") && l.endsWith("size=5"), 0,
                    Duration.ofSeconds(30)).isPresent(), c.id + " never saw all five: " + c.text());
        }

        // Metadata from a child reaches this JVM and the other children within 1 s, and ours reaches them.
        long t = System.nanoTime();
        byId.get("c1").send("used 777");
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5)).until(() ->
                observer.view().member("c1").orElseThrow().metadata().usedBytes() == 777);
        for (String id : List.of("c2", "c3", "c4")) {
            var seen = byId.get(id).await(l -> l.startsWith("EVENT UPDATED c1 R used=777"), t, Duration.ofSeconds(2));
            assertTrue(seen.isPresent(), id + " did not see c1's update");
            assertTrue(seen.get().nanos() - t < TimeUnit.SECONDS.toNanos(1), id + " saw c1's update late");
        }
        t = System.nanoTime();
        observer.updateLocal(m -> m.withUsedBytes(4242).withState(MemberState.UP));
        for (ChildMember c : byId.values()) {
            var seen = c.await(l -> l.startsWith("EVENT UPDATED o R used=4242 state=UP"), t, Duration.ofSeconds(2));
            assertTrue(seen.isPresent() && seen.get().nanos() - t < TimeUnit.SECONDS.toNanos(1),
                    c.id + " did not see our update within 1 s");
        }

        List<Long> pauseDetect = new ArrayList<>();
        List<Long> resumeDetect = new ArrayList<>();
        List<Long> crashDetect = new ArrayList<>();
        List<Long> rejoin = new ArrayList<>();
        for (int i = 0; i < drills; i++) {
            // Pause (SIGSTOP): Atomix's SWIM never notices; our detector must, within 3 s, and see it come back.
            ChildMember paused = byId.get("c2");
            long t0 = System.nanoTime();
            paused.signal("STOP");
            pauseDetect.add(awaitEvent(events, MembershipEvent.Type.UNREACHABLE, "c2", t0));
            assertTrue(byId.get("c3").await(l -> l.startsWith("EVENT UNREACHABLE c2"), t0, NOTICE.plusSeconds(1))
                    .isPresent(), "c3 did not notice the paused c2");
            long t1 = System.nanoTime();
            paused.signal("CONT");
            resumeDetect.add(awaitEvent(events, MembershipEvent.Type.REACHABLE, "c2", t1));
            assertTrue(byId.get("c3").await(l -> l.startsWith("EVENT REACHABLE c2"), t1, NOTICE.plusSeconds(1))
                    .isPresent(), "c3 did not notice c2 resuming");
            // The paused member must not blame the others for its own silence.
            Thread.sleep(500);
            assertTrue(paused.await(l -> l.startsWith("EVENT UNREACHABLE"), t0, Duration.ZERO).isEmpty(),
                    "c2 declared others unreachable after its own pause: " + paused.text());

            // Crash (SIGKILL) and restart under the same id and port.
            ChildMember victim = byId.get("c3");
            String oldInc = observer.view().member("c3").orElseThrow().incarnation();
            long t2 = System.nanoTime();
            victim.signal("KILL");
            crashDetect.add(awaitEvent(events, MembershipEvent.Type.UNREACHABLE, "c3", t2));
            assertTrue(victim.process.waitFor(5, TimeUnit.SECONDS));
            assertTrue(observer.view().member("c3").isPresent(), "a crashed member stays listed (unreachable)");
            long t3 = System.nanoTime();
            ChildMember again = ChildMember.launch("c3", victim.port, join, SETTINGS, SECRET);
            children.add(again);
            byId.put("c3", again);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
                    observer.view().member("c3").map(m -> m.isReachable() && !m.incarnation().equals(oldInc))
                            .orElse(false));
            rejoin.add((System.nanoTime() - t3) / 1_000_000);
            assertTrue(again.await(l -> l.startsWith("EVENT JOINED") && l.endsWith("size=5"), 0,
                    Duration.ofSeconds(15)).isPresent(), "restarted c3 does not see the cluster: " + again.text());
        }

        // A member with another secret is refused: non-zero exit, the reason in its output, listed nowhere.
        ChildMember wrong = ChildMember.launch("w", freePort(), join, SETTINGS,
                "not-the-cluster-secret".getBytes(StandardCharsets.UTF_8));
        children.add(wrong);
        assertTrue(wrong.process.waitFor(60, TimeUnit.SECONDS), "refused member did not exit");
        assertEquals(10, wrong.process.exitValue());
        String refusal = String.join("\n", wrong.text());
        assertTrue(refusal.contains("REFUSED 10 SECRET_MISMATCH") && refusal.contains("SHARD_KEY"), refusal);
        assertFalse(events.any("w") || observer.view().member("w").isPresent());

        // Graceful leave of c4: LEFT here, gone from the view, process exits 0.
        long t4 = System.nanoTime();
        byId.get("c4").send("leave");
        awaitEvent(events, MembershipEvent.Type.LEFT, "c4", t4);
        assertTrue(byId.get("c4").process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, byId.get("c4").process.exitValue());
        assertTrue(observer.view().member("c4").isEmpty());
        for (String id : List.of("c1", "c2", "c3")) {
            assertFalse(byId.get(id).text().stream().anyMatch(l -> l.contains(" w ")), id + " listed w");
            assertTrue(byId.get(id).await(l -> l.startsWith("EVENT LEFT c4"), t4, Duration.ofSeconds(3))
                    .isPresent(), id + " did not see c4 leave");
        }

        System.out.println("DETECTION (ms) over " + drills + " drills, 5 members / 5 JVMs:");
        System.out.println("  SIGSTOP -> unreachable : " + stats(pauseDetect));
        System.out.println("  SIGCONT -> reachable   : " + stats(resumeDetect));
        System.out.println("  SIGKILL -> unreachable : " + stats(crashDetect));
        System.out.println("  restart -> reachable   : " + stats(rejoin) + " (includes JVM start)");
    }

    /** Waits for the event (at most 3 s after {@code since}) and returns its delay in ms. */
    private static long awaitEvent(EventLog events, MembershipEvent.Type type, String id, long since)
            throws InterruptedException {
        long deadline = since + NOTICE.toNanos();
        while (System.nanoTime() < deadline) {
            var e = events.first(type, id, since);
            if (e.isPresent()) {
                return (e.get().nanos() - since) / 1_000_000;
            }
            Thread.sleep(5);
        }
        fail(type + " of " + id + " not noticed within " + NOTICE.toMillis() + " ms");
        return -1;
    }

    static String stats(List<Long> ms) {
        List<Long> s = ms.stream().sorted().toList();
        if (s.isEmpty()) {
            return "n/a";
        }
        long median = s.get(s.size() / 2);
        return "n=" + s.size() + " median=" + median + " max=" + s.get(s.size() - 1) + " all=" + ms;
    }
}
