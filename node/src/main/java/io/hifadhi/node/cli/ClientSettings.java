package io.hifadhi.node.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Where the node is and which key to use, for the object commands: each setting from its flag, else
 * the environment, else the config file ({@code ~/.config/hifadhi/config}, properties:
 * {@code endpoint}, {@code access-key}, {@code secret-key}, {@code shard-key}, {@code region}).
 */
final class ClientSettings {
    static final String DEFAULT_ENDPOINT = "http://127.0.0.1:7111";

    @Option(names = "--endpoint", paramLabel = "URL", description = "Any node's HTTP address (env HIFADHI_ENDPOINT; default "
            + DEFAULT_ENDPOINT + ").")
    String endpoint;

    @Option(names = "--access-key", paramLabel = "KEY", description = "S3 access key id (env HIFADHI_ACCESS_KEY).")
    String accessKey;

    @Option(names = "--secret-key", paramLabel = "SECRET", description = "S3 secret key (env HIFADHI_SECRET_KEY; prefer the "
            + "environment or the config file: flags show in ps).")
    String secretKey;

    @Option(names = "--shard-key", paramLabel = "KEY", description = "The cluster secret, for cluster status and grant (env SHARD_KEY).")
    String shardKey;

    @Option(names = "--region", paramLabel = "REGION", description = "The region the nodes were started with (env HIFADHI_REGION; default us-east-1).")
    String region;

    @Option(names = "--config", paramLabel = "FILE", description = "The config file (env HIFADHI_CONFIG; default "
            + "$XDG_CONFIG_HOME/hifadhi/config or ~/.config/hifadhi/config).")
    Path config;

    @Option(names = "--json", description = "Print JSON instead of text (no progress bars).")
    boolean json;

    @Option(names = "--no-progress", description = "No progress bars (they are shown only on a terminal anyway).")
    boolean noProgress;

    /** The settings in force, resolved once per command. */
    record Resolved(URI endpoint, String accessKey, String secretKey, String shardKey, String region) {
        String needAccessKey() throws CliException {
            if (accessKey == null || secretKey == null) {
                throw new CliException("no S3 key pair: give --access-key and --secret-key, set HIFADHI_ACCESS_KEY and "
                        + "HIFADHI_SECRET_KEY, or put access-key= and secret-key= in the config file", ClientCommand.USAGE);
            }
            return accessKey;
        }

        String needShardKey() throws CliException {
            if (shardKey == null) {
                throw new CliException("this command needs the cluster's SHARD-KEY: give --shard-key, set SHARD_KEY, or put "
                        + "shard-key= in the config file", ClientCommand.USAGE);
            }
            return shardKey;
        }
    }

    Resolved resolve(Map<String, String> env) throws CliException {
        Properties file = configFile(env);
        String e = pick(endpoint, env.get("HIFADHI_ENDPOINT"), file.getProperty("endpoint"), DEFAULT_ENDPOINT);
        e = e.endsWith("/") ? e.substring(0, e.length() - 1) : e;
        URI uri;
        try {
            uri = URI.create(e);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || !(uri.getPath() == null || uri.getPath().isEmpty())) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException ex) {
            throw new CliException("the endpoint must be a URL like " + DEFAULT_ENDPOINT + ", got '" + e + "'", ClientCommand.USAGE);
        }
        return new Resolved(uri,
                pick(accessKey, env.get("HIFADHI_ACCESS_KEY"), file.getProperty("access-key"), null),
                pick(secretKey, env.get("HIFADHI_SECRET_KEY"), file.getProperty("secret-key"), null),
                pick(shardKey, env.get("SHARD_KEY"), file.getProperty("shard-key"), null),
                pick(region, env.get("HIFADHI_REGION"), file.getProperty("region"), "us-east-1"));
    }

    private Properties configFile(Map<String, String> env) throws CliException {
        Path path = config;
        boolean named = path != null;
        if (path == null && env.get("HIFADHI_CONFIG") != null) {
            path = Path.of(env.get("HIFADHI_CONFIG"));
            named = true;
        }
        if (path == null) {
            String xdg = env.get("XDG_CONFIG_HOME");
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            path = xdg != null && !xdg.isEmpty() ? Path.of(xdg, "hifadhi", "config") : Path.of(home, ".config", "hifadhi", "config");
        }
        Properties p = new Properties();
        if (!Files.isRegularFile(path)) {
            if (named) {
                throw new CliException("the config file " + path + " does not exist", ClientCommand.USAGE);
            }
            return p;
        }
        try {
            p.load(new StringReader(Files.readString(path, StandardCharsets.UTF_8)));
        } catch (IOException ex) {
            throw new CliException("cannot read the config file " + path + ": " + ex.getMessage(), ClientCommand.LOCAL_FILE);
        }
        return p;
    }

    private static String pick(String flag, String env, String file, String fallback) {
        for (String v : new String[]{flag, env, file}) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return fallback;
    }
}
