package io.hifadhi.node.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The instance name: configured, else the one persisted in the data directory, else a new one persisted there. */
public final class InstanceIdentity {
    public static final String FILE = "instance-name";

    private InstanceIdentity() {
    }

    public static String resolve(String configured, DataDirectory dir, SecureRandom random) throws NodeStartException {
        if (configured != null) {
            return configured;
        }
        Path file = dir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                String name = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!NodeConfig.NAME.matcher(name).matches()) {
                    throw new NodeStartException(file + " holds an invalid instance name; fix or delete it, or pass --name");
                }
                return name;
            }
            byte[] b = new byte[4];
            random.nextBytes(b);
            String name = "node-" + HexFormat.of().formatHex(b);
            dir.writeAtomically(FILE, name + "\n", true);
            return name;
        } catch (IOException e) {
            throw new NodeStartException("cannot read or write " + file + ": " + e, e);
        }
    }
}
