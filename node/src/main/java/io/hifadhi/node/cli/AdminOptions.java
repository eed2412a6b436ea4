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

/** Where the node's admin API is and how to authenticate to it; shared by every admin subcommand. */
final class AdminOptions {
    static final String DEFAULT_ENDPOINT = "http://127.0.0.1:7111";
    static final String CREDENTIALS_FILE = "credentials.properties";

    @Option(names = "--endpoint", paramLabel = "URL", defaultValue = DEFAULT_ENDPOINT,
            description = "The node's HTTP address (default: ${DEFAULT-VALUE}).")
    String endpoint;

    @Option(names = "--shard-key", paramLabel = "KEY",
            description = "The cluster secret (env SHARD_KEY; prefer the environment: flags show in ps). "
                    + "Default: read from --data-dir's credentials.properties.")
    String shardKey;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./hifadhi-data",
            description = "A node's data directory to read the SHARD-KEY from when neither --shard-key nor SHARD_KEY is set (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    URI endpoint() throws CliException {
        String e = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        try {
            URI uri = URI.create(e);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException ex) {
            throw new CliException("--endpoint must be a URL like " + DEFAULT_ENDPOINT + ", got '" + endpoint + "'", KeyCommand.USAGE);
        }
    }

    /** The SHARD-KEY: the flag, else SHARD_KEY, else the data directory's credentials file. */
    String shardKey(Map<String, String> env) throws CliException {
        if (shardKey != null && !shardKey.isEmpty()) {
            return shardKey;
        }
        String fromEnv = env.get("SHARD_KEY");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        Path file = dataDir.resolve(CREDENTIALS_FILE);
        if (!Files.isRegularFile(file)) {
            throw new CliException("no SHARD-KEY: give --shard-key, set SHARD_KEY, or point --data-dir at the node's data"
                    + " directory (" + file + " does not exist)", KeyCommand.USAGE);
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage(), KeyCommand.FAILED);
        }
        String key = p.getProperty("shard-key");
        if (key == null || key.isEmpty()) {
            throw new CliException(file + " has no shard-key (the node was started with SHARD_KEY set?): give --shard-key or set SHARD_KEY",
                    KeyCommand.USAGE);
        }
        return key;
    }
}
