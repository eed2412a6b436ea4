package io.hifadhi.api.nativeapi;

import java.util.ArrayList;
import java.util.List;

/**
 * A native directory: {@code <instance>@<path>/}, or the instance's root {@code <instance>@} when
 * the path is empty. Directories are prefixes of file queries; an empty one is kept by a marker
 * record whose key is the directory's {@link #prefix()}.
 *
 * @param path without leading or trailing '/'; empty for the root
 */
record DirectoryName(String instance, String path) {

    /**
     * Parses a dir query ({@code node-a@videos/2024/}, the trailing '/' optional; {@code node-a@} is
     * the root). Throws IllegalArgumentException saying what is wrong. {@code strict} applies the
     * rules for new names ({@link NativeNames#problemWithNewQuery}); otherwise only those every
     * stored name meets, so that directories of older names can still be listed and removed.
     */
    static DirectoryName parse(String dirQuery, boolean strict) {
        String query = dirQuery.endsWith("/") ? dirQuery.substring(0, dirQuery.length() - 1) : dirQuery;
        String instance = NativeNames.instanceOf(query);
        if (instance == null) {
            throw new IllegalArgumentException("The directory has no '@': name it '<instance>@<path>/' (the root is '<instance>@').");
        }
        String path = NativeNames.fileNameOf(query);
        if (path.isEmpty()) {
            String problem = NativeNames.problemWithQuery(instance + "@x");
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            return new DirectoryName(instance, "");
        }
        String problem = strict ? NativeNames.problemWithNewQuery(query) : NativeNames.problemWithQuery(query);
        if (problem != null) {
            throw new IllegalArgumentException(problem.replace("filename", "directory name"));
        }
        return new DirectoryName(instance, path);
    }

    boolean isRoot() {
        return path.isEmpty();
    }

    /** The common prefix of the queries of everything in it, and the key of its marker: {@code <instance>@<path>/}. */
    String prefix() {
        return instance + "@" + (path.isEmpty() ? "" : path + "/");
    }

    /** The query a file with the directory's name would have: {@code <instance>@<path>}. */
    String asFileQuery() {
        return instance + "@" + path;
    }

    /** Every directory from the topmost below the root down to this one. */
    List<DirectoryName> selfAndAncestors() {
        List<DirectoryName> out = new ArrayList<>();
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            out.add(new DirectoryName(instance, path.substring(0, slash)));
        }
        if (!path.isEmpty()) {
            out.add(this);
        }
        return out;
    }
}
