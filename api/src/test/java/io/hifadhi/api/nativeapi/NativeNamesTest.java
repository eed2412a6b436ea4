package io.hifadhi.api.nativeapi;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeNamesTest {

    @Test
    void newNamesRefuseTraversalEmptySegmentsAndDirectoryNames() {
        for (String ok : List.of("a", "a/b/c.txt", "holiday clip.mp4", "..hidden", "a/.b", "a..b/c", "ü/😀/中文", "a@b")) {
            assertNull(NativeNames.problemWithPath(ok), ok);
        }
        assertTrue(NativeNames.problemWithPath("..").contains("'..' segment"));
        assertTrue(NativeNames.problemWithPath("../etc/passwd").contains("'..' segment at position 0"));
        assertTrue(NativeNames.problemWithPath("a/../b").contains("'..' segment at position 2"));
        assertTrue(NativeNames.problemWithPath("a/./b").contains("'.' segment"));
        assertTrue(NativeNames.problemWithPath("a/b/..").contains("'..' segment"));
        assertTrue(NativeNames.problemWithPath("/etc/passwd").contains("starts with '/'"));
        assertTrue(NativeNames.problemWithPath("a//b").contains("empty segment"));
        assertTrue(NativeNames.problemWithPath("dir/").contains("names a directory"));
        assertTrue(NativeNames.problemWithPath("a\u0000b").contains("control character"));
        assertTrue(NativeNames.problemWithPath("x".repeat(1025)).contains("1024"));
        assertNull(NativeNames.problemWithPath("x".repeat(1024)));
    }

    @Test
    void storedNamesKeepTheOldLenientRulesButNoTrailingSlash() {
        // Names stored before the directory rules stay readable, copyable and deletable.
        assertNull(NativeNames.problemWithQuery("node-a@../../etc/passwd"));
        assertNull(NativeNames.problemWithQuery("node-a@a//b"));
        assertNotNull(NativeNames.problemWithQuery("node-a@dir/"));
        assertNotNull(NativeNames.problemWithNewQuery("node-a@../../etc/passwd"));
        assertNull(NativeNames.problemWithNewQuery("node-a@docs/2026/report.pdf"));
    }

    @Test
    void queriesNeedAnInstanceAsNodesNameThemselves() {
        assertTrue(NativeNames.problemWithQuery("no-at-sign").contains("no '@'"));
        assertTrue(NativeNames.problemWithNewQuery("@x").contains("instance"));
        assertTrue(NativeNames.problemWithNewQuery("../node-a@x").contains("instance"));
        assertTrue(NativeNames.problemWithNewQuery("node a@x").contains("instance"));
        assertEquals("node-a", NativeNames.instanceOf("node-a@b@c"));
        assertEquals("b@c", NativeNames.fileNameOf("node-a@b@c"));
        assertNull(NativeNames.instanceOf("plain"));
    }

    @Test
    void directoryNamesParseToPrefixesAndAncestors() {
        DirectoryName d = DirectoryName.parse("node-a@videos/2024/", true);
        assertEquals(new DirectoryName("node-a", "videos/2024"), d);
        assertEquals(d, DirectoryName.parse("node-a@videos/2024", true));
        assertEquals("node-a@videos/2024/", d.prefix());
        assertEquals("node-a@videos/2024", d.asFileQuery());
        assertEquals(List.of(new DirectoryName("node-a", "videos"), d), d.selfAndAncestors());

        DirectoryName root = DirectoryName.parse("node-a@", true);
        assertTrue(root.isRoot());
        assertEquals("node-a@", root.prefix());
        assertEquals(List.of(), root.selfAndAncestors());

        assertThrows(IllegalArgumentException.class, () -> DirectoryName.parse("node-a@../x", true));
        assertThrows(IllegalArgumentException.class, () -> DirectoryName.parse("node-a@a//", true));
        assertThrows(IllegalArgumentException.class, () -> DirectoryName.parse("videos/", true));
        assertThrows(IllegalArgumentException.class, () -> DirectoryName.parse("bad name@", false));
        // Lenient (listing and removing): directories of names stored before the rules are reachable.
        assertEquals("node-a@../", DirectoryName.parse("node-a@../", false).prefix());
    }
}
