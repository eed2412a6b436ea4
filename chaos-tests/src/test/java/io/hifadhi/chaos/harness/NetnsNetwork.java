package io.hifadhi.chaos.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One simulated host per node: a network namespace each, joined to a bridge in this machine's own
 * namespace by a veth pair, all in one /24. The test JVM sits on the bridge (address .1) and so
 * reaches every node, whatever the partition: clients see both sides, as they would on a real
 * network where only the link between the nodes broke.
 *
 * <p>A partition is an nftables table in each node's namespace that drops every packet to or from
 * the nodes on the other side (drop, not reject: the other side goes silent, as on a cut cable, so
 * timeouts and the failure detector do the work). Healing deletes those tables.
 *
 * <p>Needs root (CAP_NET_ADMIN and the right to create namespaces), {@code ip} (iproute2) and
 * {@code nft} (nftables); {@link #unavailableReason()} says what is missing. Names carry the test
 * JVM's pid, so runs on one machine do not collide, and leftovers of a JVM that died are removed
 * by the next run.
 */
public final class NetnsNetwork implements HostNetwork, AutoCloseable {
    private static final String TABLE = "hifadhi_chaos";
    private static final Pattern OURS = Pattern.compile("hf(\\d+)(?:n\\d+|br)");

    private final String prefix;
    private final String subnet;
    private final int hosts;
    private volatile Path log;
    private final Thread cleaner;
    private boolean closed;

    private NetnsNetwork(String prefix, String subnet, int hosts) {
        this.prefix = prefix;
        this.subnet = subnet;
        this.hosts = hosts;
        this.cleaner = new Thread(this::teardown, "chaos-netns-cleaner");
        Runtime.getRuntime().addShutdownHook(cleaner);
    }

    /** Empty when namespaces, veth links and nft rules can be made here; else why not, and what to install. */
    public static Optional<String> unavailableReason() {
        for (String tool : List.of("ip", "nft")) {
            if (which(tool).isEmpty()) {
                String debianPackage = tool.equals("ip") ? "iproute2" : "nftables";
                return Optional.of("'" + tool + "' is not installed; it comes with Debian's " + debianPackage + " package: "
                        + "`sudo apt-get install -y --no-install-recommends " + debianPackage + "`, or run ./test as root, which installs it");
            }
        }
        String probe = "hf" + ProcessHandle.current().pid() + "n99";
        Result made = run(List.of("ip", "netns", "add", probe), null);
        if (made.status != 0) {
            return Optional.of("cannot create a network namespace (needs root / CAP_SYS_ADMIN and CAP_NET_ADMIN: run the tests as root, sudo ./test): " + made.output.strip());
        }
        Result rules = run(List.of("ip", "netns", "exec", probe, "nft", "-f", "-"), "table inet " + TABLE + " { }\n");
        run(List.of("ip", "netns", "del", probe), null);
        if (rules.status != 0) {
            return Optional.of("nft cannot load rules in a namespace: " + rules.output.strip());
        }
        return Optional.empty();
    }

    /** Creates {@code hosts} namespaces and the bridge. */
    public static NetnsNetwork create(int hosts) {
        if (hosts < 1 || hosts > 200) {
            throw new IllegalArgumentException("hosts must be 1..200");
        }
        removeLeftovers();
        long pid = ProcessHandle.current().pid();
        // 10.231.x.0/24 with x from the pid: two test JVMs on one machine get different subnets (almost always).
        String subnet = "10.231." + (pid % 250 + 1);
        NetnsNetwork net = new NetnsNetwork("hf" + pid, subnet, hosts);
        try {
            net.build();
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build() {
        note("building " + hosts + " hosts on " + subnet + ".0/24, bridge " + bridge());
        must("ip", "link", "add", bridge(), "type", "bridge");
        must("ip", "addr", "add", subnet + ".1/24", "dev", bridge());
        must("ip", "link", "set", bridge(), "up");
        for (int i = 0; i < hosts; i++) {
            String ns = namespace(i);
            String veth = prefix + "v" + i;
            must("ip", "netns", "add", ns);
            must("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
            must("ip", "link", "set", veth, "master", bridge(), "up");
            must("ip", "-n", ns, "addr", "add", host(i) + "/24", "dev", "eth0");
            must("ip", "-n", ns, "link", "set", "eth0", "up");
            must("ip", "-n", ns, "link", "set", "lo", "up");
        }
    }

    /** From now on, appends every partition and heal to {@code file} with wall-clock times, to line up with the node logs. */
    public void logTo(Path file) {
        this.log = file;
        note("hosts " + subnet + ".10.." + subnet + "." + (9 + hosts) + " on bridge " + bridge() + " (" + clientAddress() + ")");
    }

    @Override
    public String host(int node) {
        return subnet + "." + (10 + node);
    }

    @Override
    public List<String> launchPrefix(int node) {
        return List.of(which("ip").orElse("ip"), "netns", "exec", namespace(node));
    }

    /** The test JVM's own address on the bridge (what the nodes see clients come from). */
    public String clientAddress() {
        return subnet + ".1";
    }

    /**
     * Cuts the network between the given sides: every node drops all packets to and from the nodes of
     * every other side. Nodes named in no side keep talking to everyone. Replaces any earlier partition.
     */
    public synchronized void partition(List<Set<Integer>> sides) {
        Set<Integer> seen = new TreeSet<>();
        for (Set<Integer> side : sides) {
            for (int node : side) {
                namespace(node); // range check
                if (!seen.add(node)) {
                    throw new IllegalArgumentException("node " + node + " is on two sides of " + sides);
                }
            }
        }
        note("partition " + sides);
        for (Set<Integer> side : sides) {
            Set<String> others = new TreeSet<>();
            for (Set<Integer> other : sides) {
                if (other != side) {
                    other.forEach(n -> others.add(host(n)));
                }
            }
            for (int node : side) {
                load(node, others);
            }
        }
    }

    /** Node {@code node} against all the others. */
    public void isolate(int node) {
        Set<Integer> rest = new TreeSet<>();
        for (int i = 0; i < hosts; i++) {
            if (i != node) {
                rest.add(i);
            }
        }
        partition(List.of(Set.of(node), rest));
    }

    /** Removes every rule: all nodes reach each other again. */
    public synchronized void heal() {
        note("heal");
        for (int i = 0; i < hosts; i++) {
            load(i, Set.of());
        }
    }

    /** Loads one node's rule set atomically (one nft transaction); an empty set leaves no table behind. */
    private void load(int node, Collection<String> blocked) {
        // "table; delete table" first makes the script work whether or not the table exists.
        StringBuilder script = new StringBuilder("table inet " + TABLE + " { }\ndelete table inet " + TABLE + "\n");
        if (!blocked.isEmpty()) {
            String set = blocked.stream().sorted().collect(Collectors.joining(", ", "{ ", " }"));
            script.append("table inet ").append(TABLE).append(" {\n")
                    .append("  chain in { type filter hook input priority 0; policy accept; ip saddr ").append(set).append(" drop; }\n")
                    .append("  chain out { type filter hook output priority 0; policy accept; ip daddr ").append(set).append(" drop; }\n")
                    .append("}\n");
        }
        Result r = run(List.of("ip", "netns", "exec", namespace(node), "nft", "-f", "-"), script.toString());
        if (r.status != 0) {
            throw new IllegalStateException("nft in " + namespace(node) + " failed (" + r.status + "): " + r.output + "\nscript:\n" + script);
        }
    }

    /** The rules now loaded in a node's namespace (for reports and for tests of this class). */
    public String rules(int node) {
        Result r = run(List.of("ip", "netns", "exec", namespace(node), "nft", "list", "ruleset"), null);
        return r.output;
    }

    String namespace(int node) {
        if (node < 0 || node >= hosts) {
            throw new IllegalArgumentException("no host " + node);
        }
        return prefix + "n" + node;
    }

    private String bridge() {
        return prefix + "br";
    }

    @Override
    public synchronized void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(cleaner);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs teardown, which is idempotent.
        }
    }

    /** Deleting a namespace removes its veth pair; processes still inside keep it alive until they exit. */
    private synchronized void teardown() {
        if (closed) {
            return;
        }
        closed = true;
        note("teardown");
        for (int i = 0; i < hosts; i++) {
            run(List.of("ip", "netns", "del", prefix + "n" + i), null);
        }
        run(List.of("ip", "link", "del", bridge()), null);
    }

    /** Namespaces and bridges named after a test JVM that no longer runs (killed before its cleanup). */
    private static void removeLeftovers() {
        for (String ns : run(List.of("ip", "netns", "list"), null).output.lines().map(l -> l.split("\\s+")[0]).toList()) {
            if (leftover(ns)) {
                run(List.of("ip", "netns", "del", ns), null);
            }
        }
        for (String line : run(List.of("ip", "-o", "link", "show", "type", "bridge"), null).output.lines().toList()) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1 && leftover(parts[1])) {
                run(List.of("ip", "link", "del", parts[1]), null);
            }
        }
    }

    private static boolean leftover(String name) {
        Matcher m = OURS.matcher(name);
        return m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).map(p -> !p.isAlive()).orElse(true);
    }

    private void must(String... command) {
        Result r = run(List.of(command), null);
        if (r.status != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.status + "): " + r.output.strip());
        }
    }

    private void note(String what) {
        Path log = this.log;
        if (log == null) {
            return;
        }
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, Instant.now() + " " + what + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + log, e);
        }
    }

    private record Result(int status, String output) {
    }

    private static Result run(List<String> command, String stdin) {
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, which(command.get(0)).orElse(command.get(0)));
        Path output = null;
        try {
            // Output to a file, not a pipe: a command that hangs must not hang the drill past the timeout.
            output = Files.createTempFile("hifadhi-netns", ".out");
            Process p = new ProcessBuilder(resolved).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            boolean done = p.waitFor(30, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            String out = Files.readString(output);
            return done ? new Result(p.exitValue(), out) : new Result(-1, out + " (timed out after 30 s)");
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException e) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** ip and nft live in /usr/sbin, which a non-login PATH may lack. */
    private static Optional<String> which(String tool) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return Optional.of(Path.of(dir, tool).toString());
            }
        }
        return Optional.empty();
    }
}
