package io.hifadhi.node.cli;

/**
 * A native file or directory as the command line names it, the way the native API does: {@code INSTANCE@PATH}
 * ({@code node-a@videos/clip.mp4}; a directory ends with '/': {@code node-a@videos/}; {@code node-a@} is an
 * instance's root and {@code @} lists the instances). An argument is native when it has an '@' with no '/' before
 * it: S3 bucket names cannot hold '@', so {@code BUCKET/KEY} (even a key with '@' in it) never reads as native;
 * {@code s3://} forces S3.
 *
 * @param query the name as the node knows it, e.g. {@code node-a@videos/clip.mp4}; empty for the list of instances
 */
record NativeName(String query) {

    static boolean isNative(String argument) {
        if (argument.startsWith("s3://")) {
            return false;
        }
        int at = argument.indexOf('@');
        return at >= 0 && argument.lastIndexOf('/', at) < 0;
    }

    /** The native name in {@code argument}, or null when it names an S3 bucket or object. */
    static NativeName of(String argument) {
        if (!isNative(argument)) {
            return null;
        }
        return new NativeName(argument.equals("@") ? "" : argument);
    }

    /** A name that must be one file: not a directory, not a bare instance. */
    static NativeName file(String argument) throws CliException {
        NativeName n = of(argument);
        if (n == null || n.isDirectory() || n.path().isEmpty()) {
            throw new CliException("'" + argument + "' names no native file: write INSTANCE@PATH, e.g. node-a@docs/report.pdf",
                    ClientCommand.USAGE);
        }
        return n;
    }

    boolean isDirectory() {
        return query.isEmpty() || query.endsWith("/") || query.endsWith("@");
    }

    /** What follows the '@'. */
    String path() {
        return query.isEmpty() ? "" : query.substring(query.indexOf('@') + 1);
    }

    /** The last name in the path: what a copy into a directory is called. */
    String lastName() {
        String p = path().endsWith("/") ? path().substring(0, path().length() - 1) : path();
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** This name as a directory: with its trailing '/' (an instance's root stays {@code INSTANCE@}). */
    NativeName asDirectory() {
        return isDirectory() ? this : new NativeName(query + "/");
    }

    @Override
    public String toString() {
        return query.isEmpty() ? "@" : query;
    }
}
