package io.hifadhi.node;

import io.hifadhi.node.cli.KeyCommand;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.config.NodeOptions;
import io.hifadhi.node.config.NodeStartException;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;

/**
 * {@code java -jar hifadhi.jar [flags]}: starts a node and keeps running until the process is stopped.
 * {@code java -jar hifadhi.jar key ...}: manages S3 access keys through a running node, then exits.
 * {@code java -jar hifadhi.jar ls|put|get|rm|share|grant|cluster ...}: a client of a running cluster, then exits.
 */
public final class Main {
    static final int OK = 0;
    static final int START_FAILED = 1;
    static final int USAGE = 2;

    private Main() {
    }

    /** SIGTERM must end the process within 5 s (membership/README.md); leave and close normally take under 3 s. */
    static final long STOP_DEADLINE_MILLIS = 4_500;
    /** What a JVM ended by SIGTERM exits with (128 + 15). */
    private static final int SIGTERM_STATUS = 143;

    public static void main(String[] args) {
        if (isKeyCommand(args) || isClientCommand(args)) {
            System.exit(run(args, System.getenv(), System.out, System.err, new Node[1]));
        }
        Node[] started = new Node[1];
        int code = run(args, System.getenv(), System.out, System.err, started);
        if (code != OK) {
            System.exit(code);
        }
        if (started[0] != null) {
            Node node = started[0];
            // SIGTERM (or Ctrl-C): say goodbye to the cluster before going, so peers don't suspect a crash.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopWithin(node, STOP_DEADLINE_MILLIS), "hifadhi-shutdown"));
            // After `hifadhi node leave` has handed every record and chunk over, the process has nothing left to do.
            node.onDeparted(() -> new Thread(() -> {
                node.leaveAndClose();
                System.exit(OK);
            }, "hifadhi-departed").start());
        }
        // Undertow's non-daemon threads keep the JVM alive.
    }

    /**
     * A stop must end the process within seconds whatever state the cluster is in (service managers escalate to
     * SIGKILL anyway, and an operator waiting on a hung stop is worse). Every acknowledged write is already on disk,
     * so cutting a slow goodbye short loses nothing: peers then see a crash instead of a departure.
     */
    static void stopWithin(Node node, long deadlineMillis) {
        Thread stopper = new Thread(node::leaveAndClose, "hifadhi-stop");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(deadlineMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopper.isAlive()) {
            System.err.println("hifadhi: the node did not stop within " + deadlineMillis + " ms; exiting without a "
                    + "complete goodbye (acknowledged data is on disk)");
            Runtime.getRuntime().halt(SIGTERM_STATUS);
        }
    }

    /** Parses, validates and starts; returns an exit code. {@code started[0]} receives the running node. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, Node[] started) {
        if (isKeyCommand(args)) {
            return KeyCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), env, out, err);
        }
        if (isClientCommand(args)) {
            return io.hifadhi.node.cli.ClientCommand.run(args, env, out, err);
        }
        NodeOptions options = new NodeOptions();
        CommandLine cli = new CommandLine(options);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        // Listed in --help; run only as the first word (above), so node flags never mix with it.
        cli.addSubcommand(KeyCommand.NAME, KeyCommand.commandLine(env, out, err));
        NodeConfig config;
        try {
            if (cli.parseArgs(args).hasSubcommand()) {
                err.println("hifadhi: 'key' must come first: java -jar hifadhi.jar key create|list|show|update|delete ...");
                return USAGE;
            }
            if (cli.isUsageHelpRequested()) {
                cli.usage(out);
                return OK;
            }
            if (cli.isVersionHelpRequested()) {
                cli.printVersionHelp(out);
                return OK;
            }
            config = options.toConfig(env);
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            err.println("hifadhi: " + e.getMessage());
            err.println("Try 'java -jar hifadhi.jar --help' for the list of flags.");
            return USAGE;
        }
        Node node = new Node(config, out);
        try {
            node.start();
        } catch (NodeStartException e) {
            err.println("hifadhi: " + e.getMessage());
            return e.exitStatus();
        } catch (RuntimeException | Error e) {
            // Half a node must not keep serving: Undertow's threads would keep the JVM alive.
            node.close();
            err.println("hifadhi: the node failed to start: " + e);
            e.printStackTrace(err);
            return START_FAILED;
        }
        started[0] = node;
        return OK;
    }

    /** ls, put, get, rm, cp, mv, info, mkdir, rmdir, locate, share, grant, cache, cluster, node: a client of a running cluster, as the first word. */
    private static boolean isClientCommand(String[] args) {
        return args.length > 0 && io.hifadhi.node.cli.ClientCommand.NAMES.contains(args[0]);
    }

    private static boolean isKeyCommand(String[] args) {
        return args.length > 0 && args[0].equals(KeyCommand.NAME);
    }
}
