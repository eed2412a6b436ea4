package io.hifadhi.node.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A missing program fails the test with the package and the install command; a present one is found. */
class DebianProgramTest {
    @TempDir
    Path dir;

    @Test
    void missingProgramFailsNamingThePackageAndTheInstallCommand() throws Exception {
        Path notExecutable = Files.writeString(dir.resolve("tool"), "#!/bin/sh\n");
        DebianProgram tool = new DebianProgram("hifadhi-tool", List.of(dir.resolve("absent"), notExecutable));

        AssertionFailedError e = assertThrows(AssertionFailedError.class, tool::require);

        assertEquals(tool.missingMessage(), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("absent") + " is not installed"), e.getMessage());
        assertTrue(e.getMessage().contains("Debian's hifadhi-tool package"), e.getMessage());
        assertTrue(e.getMessage().contains("`sudo apt-get install -y --no-install-recommends hifadhi-tool`"), e.getMessage());
        assertTrue(e.getMessage().contains("./test"), e.getMessage());
    }

    @Test
    void firstExecutableLocationIsTheProgram() throws Exception {
        Path script = Files.writeString(dir.resolve("tool"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        DebianProgram tool = new DebianProgram("hifadhi-tool", List.of(dir.resolve("absent"), script));

        assertEquals(script, tool.require());
    }
}
