package io.hifadhi.membership;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A member in its own JVM, for the multi-process tests. Usage:
 * {@code MembershipProcessMain <id> <port> <join|-> <replication,writeQuorum,readQuorum,chunkSize>}, secret in
 * env SHARD_KEY. Stdout is a line protocol for the test (READY, REFUSED, EVENT); logs go to stderr. Stdin takes
 * commands: {@code used <n>}, {@code state <UP|JOINING|LEAVING>}, {@code leave}.
 */
public final class MembershipProcessMain {

    private MembershipProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        String id = args[0];
        int port = Integer.parseInt(args[1]);
        List<com.google.common.net.HostAndPort> join = "-".equals(args[2]) ? List.of()
                : MembershipConfig.parseJoin(args[2]);
        String[] s = args[3].split(",");
        ClusterSettings settings = new ClusterSettings(Integer.parseInt(s[0]), Integer.parseInt(s[1]),
                Integer.parseInt(s[2]), Integer.parseInt(s[3]));
        String key = System.getenv("SHARD_KEY");
        if (key == null || key.isEmpty()) {
            out.println("REFUSED 2 CONFIG SHARD_KEY is not set");
            System.exit(2);
        }
        Membership m = new Membership(TestNodes.config(id, port, join, key.getBytes(StandardCharsets.UTF_8),
                settings));
        m.addListener(e -> {
            Member x = e.member();
            out.println("EVENT " + e.type() + " " + x.id() + " " + (x.isReachable() ? "R" : "U") + " used="
                    + x.metadata().usedBytes() + " state=" + x.state() + " inc=" + x.incarnation() + " size="
                    + e.view().members().size());
        });
        try {
            m.start();
        } catch (MembershipRefusedException e) {
            // What the node's main() does: the reason in the log and in the exit status.
            org.slf4j.LoggerFactory.getLogger(MembershipProcessMain.class).error("Cannot join the cluster: {}",
                    e.getMessage());
            out.println("REFUSED " + e.exitStatus() + " " + e.reason() + " " + e.getMessage());
            System.exit(e.exitStatus());
        }
        out.println("READY " + m.view().local().incarnation());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] cmd = line.trim().split(" ");
            switch (cmd[0]) {
                case "used" -> m.updateLocal(x -> x.withUsedBytes(Long.parseLong(cmd[1])));
                case "state" -> m.updateLocal(x -> x.withState(MemberState.valueOf(cmd[1])));
                case "leave" -> {
                    m.leave();
                    out.println("LEFT");
                    System.exit(0);
                }
                default -> out.println("UNKNOWN " + line);
            }
        }
        m.close();
        System.exit(0);
    }
}
