package io.hifadhi.chaos.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * Finds the node fat jar: the {@code hifadhi.jar} system property (set by the build to
 * ../node/target/hifadhi.jar), else that path relative to the working directory or its parent.
 */
public final class JarLocator {
    public static final String PROPERTY = "hifadhi.jar";

    private JarLocator() {
    }

    public static Path locate() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getProperty(PROPERTY);
        Path cwd = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        if (configured != null && !configured.isBlank()) {
            candidates.add(cwd.resolve(configured).normalize());
        } else {
            candidates.add(cwd.resolve("../node/target/hifadhi.jar").normalize());
            candidates.add(cwd.resolve("node/target/hifadhi.jar").normalize());
        }
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                checkRunnable(p);
                return p;
            }
        }
        throw new IllegalStateException("node jar not found at " + candidates + "; build it with "
                + "'mvn -B -pl node -am package -DskipTests' or pass -D" + PROPERTY + "=/path/to/hifadhi.jar");
    }

    private static void checkRunnable(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.getManifest() == null || file.getManifest().getMainAttributes().getValue("Main-Class") == null) {
                throw new IllegalStateException(jar + " has no Main-Class: it is not the node's fat jar");
            }
        } catch (IOException e) {
            throw new IllegalStateException(jar + " is not a readable jar: " + e.getMessage(), e);
        }
    }
}
