package io.hifadhi.node.config;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Properties;
import java.util.Set;

/**
 * Resolves the node's secrets. A configured value (flag or environment) wins; otherwise the value
 * stored in {@code credentials.properties} in the data directory; otherwise a new random value is
 * generated, stored there (mode 0600) and printed to the console exactly once. Secrets never go to
 * the log.
 */
public final class CredentialsBootstrap {
    public static final String FILE = "credentials.properties";
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private CredentialsBootstrap() {
    }

    public static Credentials resolve(NodeConfig config, DataDirectory dir, SecureRandom random, PrintStream console)
            throws NodeStartException {
        Path file = dir.resolve(FILE);
        Properties stored = new Properties();
        try {
            if (Files.exists(file)) {
                tightenPermissions(file);
                stored.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new NodeStartException("cannot read " + file + ": " + e, e);
        }
        boolean newShardKey = false;
        boolean newAccessKey = false;
        String shardKey = config.shardKey();
        if (shardKey == null) {
            shardKey = stored.getProperty("shard-key");
            if (shardKey == null) {
                shardKey = random(random, ALNUM, 43);
                stored.setProperty("shard-key", shardKey);
                newShardKey = true;
            }
        }
        String accessKey = config.accessKey();
        String secretKey = config.secretKey();
        if (accessKey == null) {
            accessKey = stored.getProperty("access-key");
            secretKey = stored.getProperty("secret-key");
            if (accessKey == null || secretKey == null) {
                accessKey = "HFD" + random(random, UPPER_ALNUM, 17);
                secretKey = random(random, ALNUM, 40);
                stored.setProperty("access-key", accessKey);
                stored.setProperty("secret-key", secretKey);
                newAccessKey = true;
            }
        }
        if (newShardKey || newAccessKey) {
            StringBuilder content = new StringBuilder("# Hifadhi node credentials, generated on first start. Keep this file private.\n");
            for (String k : new String[]{"shard-key", "access-key", "secret-key"}) {
                if (stored.getProperty(k) != null) {
                    content.append(k).append('=').append(stored.getProperty(k)).append('\n');
                }
            }
            try {
                dir.writeAtomically(FILE, content.toString(), true);
            } catch (IOException e) {
                throw new NodeStartException("cannot write " + file + ": " + e, e);
            }
            console.println();
            console.println("  Hifadhi generated credentials for this node (shown once; stored in " + file + ", mode 0600):");
            if (newShardKey) {
                console.println("    SHARD-KEY          " + shardKey);
            }
            if (newAccessKey) {
                console.println("    access key         " + accessKey);
                console.println("    secret key         " + secretKey);
            }
            console.println();
        } else if (config.shardKey() == null || config.accessKey() == null) {
            console.println("Hifadhi credentials are in " + file + " (not printed again).");
        }
        return new Credentials(shardKey, accessKey, secretKey);
    }

    private static void tightenPermissions(Path file) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!perms.equals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))) {
                Files.setPosixFilePermissions(file, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to tighten
        }
    }

    private static String random(SecureRandom random, String alphabet, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
