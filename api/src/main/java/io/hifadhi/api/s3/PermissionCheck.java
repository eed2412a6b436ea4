package io.hifadhi.api.s3;

/**
 * Decides what an S3 request needs of its key and refuses it, before any handler runs, when the
 * key lacks it: nothing is read, written or staged for a refused request, and a key without any
 * permission on a bucket learns nothing about it (AccessDenied whether it exists or not).
 */
final class PermissionCheck {
    private PermissionCheck() {
    }

    /** Refuses the request unless its key holds what {@code op} needs (and read on a copy's source). */
    static void enforce(Permissions p, S3Operation op, S3Request r) throws S3Exception {
        if (p.root()) {
            return;
        }
        switch (op.need()) {
            case NONE -> {
            }
            case READ -> require(p.canRead(r.bucket()), "read", r.bucket());
            case WRITE -> require(p.canWrite(r.bucket()), "write", r.bucket());
            case ROOT -> throw new S3Exception(S3Error.AccessDenied, "Access Denied: " + op.name() + " needs a root"
                    + " access key (a node's bootstrap key).");
        }
        if (op.readsCopySource()) {
            String source = CopyObject.parseSource(r.header("x-amz-copy-source")).bucket();
            require(p.canRead(source), "read", source);
        }
    }

    private static void require(boolean granted, String what, String bucket) throws S3Exception {
        if (!granted) {
            throw new S3Exception(S3Error.AccessDenied, "Access Denied: this access key has no " + what
                    + " permission on bucket '" + clip(bucket) + "'. An operator can grant it with 'hifadhi key'.");
        }
    }

    private static String clip(String s) {
        String c = s.length() > 64 ? s.substring(0, 64) : s;
        return c.replaceAll("\\p{Cntrl}", "?");
    }
}
