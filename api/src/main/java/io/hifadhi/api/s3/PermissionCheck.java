package io.hifadhi.api.s3;

/**
 * What an S3 request needs of its key's own permissions (root, or read/write per bucket). {@link AccessCheck} asks
 * this first and then the bucket's policy, ACLs and IP grants; a key without any permission on a bucket learns
 * nothing about it (AccessDenied whether it exists or not).
 */
final class PermissionCheck {
    private PermissionCheck() {
    }

    /** Refuses the request unless its key holds what {@code op} needs (and read on a copy's source). */
    static void enforce(Permissions p, S3Operation op, S3Request r) throws S3Exception {
        if (!allows(p, op.need(), r.bucket())) {
            throw refusal(op, op.need(), r.bucket());
        }
        if (op.readsCopySource()) {
            String source = CopyObject.parseSource(r.header("x-amz-copy-source")).bucket();
            if (!p.canRead(source)) {
                throw refusal(op, S3Operation.Need.READ, source);
            }
        }
    }

    /** Whether the key's own permissions cover what {@code need} asks on {@code bucket}. */
    static boolean allows(Permissions p, S3Operation.Need need, String bucket) {
        return switch (need) {
            case NONE -> true;
            case READ -> p.canRead(bucket);
            case WRITE -> p.canWrite(bucket);
            case ROOT -> p.root();
        };
    }

    /** The refusal of a signed request its key's permissions do not cover. */
    static S3Exception refusal(S3Operation op, S3Operation.Need need, String bucket) {
        if (need == S3Operation.Need.ROOT) {
            return new S3Exception(S3Error.AccessDenied, "Access Denied: " + op.name() + " needs a root"
                    + " access key (a node's bootstrap key).");
        }
        return new S3Exception(S3Error.AccessDenied, "Access Denied: this access key has no "
                + (need == S3Operation.Need.READ ? "read" : "write") + " permission on bucket '" + clip(bucket)
                + "'. An operator can grant it with 'hifadhi key'.");
    }

    static String clip(String s) {
        String c = s.length() > 64 ? s.substring(0, 64) : s;
        return c.replaceAll("\\p{Cntrl}", "?");
    }
}
