package io.hifadhi.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code java -jar hifadhi.jar key create|list|show|update|delete}: manages S3 access keys through a
 * running node's admin API ({@code /api/v1/keys}, SHARD-KEY). Root keys are every node's bootstrap
 * key; keys made here may do only what their per-bucket permissions grant.
 */
@Command(name = "key", mixinStandardHelpOptions = true, version = "hifadhi 0.1.0", usageHelpAutoWidth = true,
        description = "Manages S3 access keys through a running node (its /api/v1/keys admin API).",
        subcommands = {KeyCommand.Create.class, KeyCommand.ListKeys.class, KeyCommand.Show.class, KeyCommand.Update.class,
                KeyCommand.Delete.class})
public final class KeyCommand implements Callable<Integer> {
    public static final String NAME = "key";
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    private static final Set<String> PERMISSIONS = Set.of("read", "write", "readwrite");

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    KeyCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /** The picocli command line for {@code key ...}, printing to {@code out} and {@code err}. */
    public static CommandLine commandLine(Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new KeyCommand(env, out, err));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, args) -> {
            err.println("hifadhi key: " + e.getMessage());
            err.println("Try 'java -jar hifadhi.jar key --help'.");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliException c) {
                err.println("hifadhi key: " + c.getMessage());
                return c.exitStatus();
            }
            err.println("hifadhi key: failed: " + e);
            return FAILED;
        });
        return cli;
    }

    /** Runs {@code key <args>}; returns the exit status. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine(env, out, err);
        cli.setCommandName("java -jar hifadhi.jar key");
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        err.println("hifadhi key: name a subcommand: create, list, show, update or delete.");
        CommandLine.usage(this, err);
        return USAGE;
    }

    private AdminClient client(AdminOptions admin) throws CliException {
        return new AdminClient(admin.endpoint(), admin.shardKey(env));
    }

    static String path(String accessKey) {
        return "/api/v1/keys/" + URLEncoder.encode(accessKey, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** "photos=read" flags to a JSON object; refuses what the node would refuse, with a clearer message. */
    static ObjectNode buckets(List<String> specs) throws CliException {
        ObjectNode b = AdminClient.JSON.createObjectNode();
        for (String spec : specs) {
            int eq = spec.lastIndexOf('=');
            String bucket = eq < 0 ? "" : spec.substring(0, eq).trim();
            String perm = eq < 0 ? "" : spec.substring(eq + 1).trim().toLowerCase(java.util.Locale.ROOT);
            if (bucket.isEmpty() || !PERMISSIONS.contains(perm)) {
                throw new CliException("--bucket takes BUCKET=PERMISSION with PERMISSION read, write or readwrite, got '"
                        + spec + "'", USAGE);
            }
            if (b.has(bucket)) {
                throw new CliException("bucket '" + bucket + "' is named twice", USAGE);
            }
            b.put(bucket, perm);
        }
        return b;
    }

    static String describeBuckets(JsonNode key) {
        if (key.path("root").asBoolean(false)) {
            return "(all: root key)";
        }
        List<String> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = key.path("buckets").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            parts.add(e.getKey() + "=" + e.getValue().asText());
        }
        return parts.isEmpty() ? "(none)" : String.join(", ", parts);
    }

    private static String clean(String s) {
        return s == null ? "-" : s.replaceAll("\\p{Cntrl}", "?");
    }

    void printKey(JsonNode key) {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("access key", key.path("access_key").asText());
        rows.put("name", clean(AdminClient.text(key, "name")));
        rows.put("root", key.path("root").asBoolean(false) ? "yes (can do everything)" : "no");
        rows.put("created", clean(AdminClient.text(key, "created")));
        rows.put("buckets", describeBuckets(key));
        rows.forEach((k, v) -> out.printf("  %-11s %s%n", k, v));
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a key; prints its secret (shown only this once).")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        KeyCommand parent;
        @Mixin
        AdminOptions admin;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "What the key is for, e.g. backup-job.")
        String name;

        @Option(names = "--bucket", paramLabel = "BUCKET=PERM", description = "A bucket and read, write or readwrite; repeat for more buckets.")
        List<String> buckets = new ArrayList<>();

        @Override
        public Integer call() throws CliException {
            ObjectNode body = AdminClient.JSON.createObjectNode();
            body.put("name", name);
            body.set("buckets", buckets(buckets));
            JsonNode created = parent.client(admin).send("POST", "/api/v1/keys", body).body();
            parent.out.println("Created access key '" + clean(AdminClient.text(created, "name")) + "':");
            parent.out.printf("  %-11s %s%n", "access key", created.path("access_key").asText());
            parent.out.printf("  %-11s %s%n", "secret key", created.path("secret_key").asText());
            parent.out.printf("  %-11s %s%n", "buckets", describeBuckets(created));
            parent.out.println("The secret key is shown only this once: store it now.");
            return OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the cluster's keys (never their secrets).")
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand
        KeyCommand parent;
        @Mixin
        AdminOptions admin;

        @Override
        public Integer call() throws CliException {
            JsonNode keys = parent.client(admin).send("GET", "/api/v1/keys", null).body().path("keys");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"ACCESS KEY", "NAME", "ROOT", "CREATED", "BUCKETS"});
            for (JsonNode k : keys) {
                rows.add(new String[]{k.path("access_key").asText(), clean(AdminClient.text(k, "name")),
                        k.path("root").asBoolean(false) ? "yes" : "no", clean(AdminClient.text(k, "created")),
                        k.path("root").asBoolean(false) ? "(all)" : describeBuckets(k)});
            }
            int[] width = new int[rows.get(0).length];
            for (String[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    width[i] = Math.max(width[i], row[i].length());
                }
            }
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.length; i++) {
                    line.append(i == row.length - 1 ? row[i] : String.format("%-" + width[i] + "s  ", row[i]));
                }
                parent.out.println(line.toString().stripTrailing());
            }
            parent.out.println(keys.size() + (keys.size() == 1 ? " key" : " keys"));
            return OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one key (never its secret).")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        KeyCommand parent;
        @Mixin
        AdminOptions admin;
        @Parameters(paramLabel = "ACCESS_KEY", description = "The key's access key id.")
        String accessKey;

        @Override
        public Integer call() throws CliException {
            parent.printKey(parent.client(admin).send("GET", path(accessKey), null).body());
            return OK;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Replaces a key's bucket permissions (and optionally its name).")
    static final class Update implements Callable<Integer> {
        @ParentCommand
        KeyCommand parent;
        @Mixin
        AdminOptions admin;
        @Parameters(paramLabel = "ACCESS_KEY", description = "The key's access key id.")
        String accessKey;
        @Option(names = "--name", paramLabel = "NAME", description = "A new name.")
        String name;
        @Option(names = "--bucket", paramLabel = "BUCKET=PERM", description = "A bucket and read, write or readwrite; repeat for more. "
                + "Buckets not named lose their permission.")
        List<String> buckets = new ArrayList<>();

        @Override
        public Integer call() throws CliException {
            ObjectNode body = AdminClient.JSON.createObjectNode();
            if (name != null) {
                body.put("name", name);
            }
            body.set("buckets", buckets(buckets));
            JsonNode key = parent.client(admin).send("PUT", path(accessKey), body).body();
            parent.out.println("Updated access key " + accessKey + ":");
            parent.printKey(key);
            return OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a key on every node; it stops working at once."
            + " Root (bootstrap) keys cannot be deleted.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        KeyCommand parent;
        @Mixin
        AdminOptions admin;
        @Parameters(paramLabel = "ACCESS_KEY", description = "The key's access key id.")
        String accessKey;

        @Override
        public Integer call() throws CliException {
            parent.client(admin).send("DELETE", path(accessKey), null);
            parent.out.println("Deleted access key " + accessKey + ".");
            return OK;
        }
    }
}
