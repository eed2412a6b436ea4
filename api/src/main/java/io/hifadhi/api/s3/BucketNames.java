package io.hifadhi.api.s3;

/** S3's general-purpose bucket naming rules (the ones AWS enforces for new buckets). */
public final class BucketNames {
    /** Path-style requests for these would collide with /api/v1/ and /metrics. */
    static final java.util.Set<String> RESERVED = java.util.Set.of("api", "metrics");

    private BucketNames() {
    }

    /** Null when valid, else why not (for the InvalidBucketName message). */
    public static String problemWith(String name) {
        if (name.length() < 3 || name.length() > 63) {
            return "Bucket names must be between 3 and 63 characters long.";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
            if (!ok) {
                return "Bucket names may contain only lower-case letters, digits, '.' and '-'.";
            }
        }
        if (!alnum(name.charAt(0)) || !alnum(name.charAt(name.length() - 1))) {
            return "Bucket names must begin and end with a letter or digit.";
        }
        if (name.contains("..")) {
            return "Bucket names must not contain two adjacent periods.";
        }
        if (name.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            return "Bucket names must not be formatted as an IP address.";
        }
        if (name.startsWith("xn--") || name.startsWith("sthree-") || name.startsWith("amzn-s3-demo-")) {
            return "Bucket names must not start with a reserved prefix (xn--, sthree-, amzn-s3-demo-).";
        }
        if (name.endsWith("-s3alias") || name.endsWith("--ol-s3") || name.endsWith(".mrap") || name.endsWith("--x-s3")
                || name.endsWith("--table-s3")) {
            return "Bucket names must not end with a reserved suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).";
        }
        if (RESERVED.contains(name)) {
            return "The bucket name '" + name + "' is reserved by this server (its path serves the native API or metrics).";
        }
        return null;
    }

    public static boolean isValid(String name) {
        return problemWith(name) == null;
    }

    private static boolean alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
}
