package io.hifadhi.node.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A program a test drives, installed by a Debian package. A test that needs one and does not find it
 * fails with the package and the command that installs it, never skips: a run on a machine without
 * the program must not pass as if it had checked what the program checks.
 *
 * @param debianPackage the package that installs the program
 * @param locations     where the program may be, the usual Debian path first
 */
public record DebianProgram(String debianPackage, List<Path> locations) {
    public static final DebianProgram CHROMIUM = new DebianProgram("chromium",
            List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser"), Path.of("/usr/bin/google-chrome")));
    /** Debian's own aws CLI, whatever other aws an earlier PATH entry may hold. */
    public static final DebianProgram AWS_CLI = new DebianProgram("awscli", List.of(Path.of("/usr/bin/aws")));
    public static final DebianProgram RCLONE = new DebianProgram("rclone", List.of(Path.of("/usr/bin/rclone")));
    public static final DebianProgram S3CMD = new DebianProgram("s3cmd", List.of(Path.of("/usr/bin/s3cmd")));
    public static final DebianProgram OPENSSL = new DebianProgram("openssl", List.of(Path.of("/usr/bin/openssl")));

    public DebianProgram {
        if (locations.isEmpty()) {
            throw new IllegalArgumentException("a program needs at least one location");
        }
        locations = List.copyOf(locations);
    }

    /** The first location that holds an executable; fails the test, naming the package, when none does. */
    public Path require() {
        for (Path p : locations) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return fail(missingMessage());
    }

    /** What a person reads when the program is missing: what, from which package, and how to install it. */
    String missingMessage() {
        return locations.get(0) + " is not installed; it comes with Debian's " + debianPackage + " package. Install it with"
                + " `sudo apt-get install -y --no-install-recommends " + debianPackage + "`, or run ./test as root:"
                + " it installs every package the tests drive.";
    }
}
