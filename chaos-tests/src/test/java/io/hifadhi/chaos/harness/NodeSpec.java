package io.hifadhi.chaos.harness;

import java.util.List;

/**
 * How every node of a test cluster is started. {@code join}: nodes after the first are started
 * with {@code --join} pointing at the first node's cluster port.
 */
public record NodeSpec(int replication, int writeQuorum, int readQuorum, boolean join,
                       List<String> extraArgs, List<String> jvmArgs) {
    public NodeSpec {
        extraArgs = List.copyOf(extraArgs);
        jvmArgs = List.copyOf(jvmArgs);
    }

    /** Small heap, serial GC and C1 only: several nodes share two cores with the test JVM. */
    public static final List<String> LEAN_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    public static NodeSpec singleNode(List<String> extraArgs) {
        return new NodeSpec(1, 1, 1, false, extraArgs, LEAN_JVM);
    }
}
