package io.hifadhi.node.testing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TestPortsTest {

    @Test
    void concurrentForksTakePortsFromRangesThatDoNotMeet() {
        TestPorts.Range one = TestPorts.Range.forFork("1");
        TestPorts.Range two = TestPorts.Range.forFork("2");
        assertTrue(one.first() + one.size() <= two.first(), one + " and " + two);
        assertTrue(one.size() >= 250, "room for the clusters of a fork's run: " + one);
        TestPorts.Range whole = TestPorts.Range.forFork(null);
        assertEquals(TestPorts.Range.forFork("${surefire.forkNumber}"), whole, "not forked by surefire: the whole range");
        for (String fork : new String[]{"1", "2", "3", "4", "5"}) {
            TestPorts.Range r = TestPorts.Range.forFork(fork);
            assertTrue(r.first() >= whole.first() && r.first() + r.size() <= whole.first() + whole.size(), fork + ": " + r);
        }
    }

    @Test
    void mavenTellsEachForkItsNumber() throws Exception {
        // Run by Maven (node/pom.xml forks), the fork number must arrive, or the forks share one range again.
        String fork = System.getProperty("hifadhi.test.fork");
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("surefire.test.class.path") != null, "not run by surefire");
        assertTrue(fork != null && fork.matches("[0-9]+"), "hifadhi.test.fork = " + fork);
        int port = TestPorts.next();
        TestPorts.Range mine = TestPorts.Range.forFork(fork);
        assertTrue(port >= mine.first() && port < mine.first() + mine.size(), port + " outside " + mine);
    }
}
