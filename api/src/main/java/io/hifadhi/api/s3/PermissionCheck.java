package io.hifadhi.api.s3;

/**
 * Decides what an S3 request needs of its key and refuses it, before any handler runs, when the
 * key lacks it: nothing is read, written or staged for a refused request, and a key without any
 * permission on a bucket learns nothing about it (AccessDenied whether it exists or not).
 */
final class PermissionCheck {
    enum Need { NONE, READ, WRITE, ROOT }

    private PermissionCheck() {
    }

    /** What the request needs on its own bucket (a copy's source is checked separately). */
    static Need need(S3Request r) {
        String m = r.method();
        if (r.bucket() == null) {
            // ListBuckets: open to every key, it shows only the buckets the key has a permission on.
            return Need.NONE;
        }
        if (r.key() == null) {
            return switch (m) {
                case "GET" -> r.has("uploads") ? Need.WRITE : Need.READ;
                case "HEAD" -> Need.READ;
                case "POST" -> Need.WRITE; // DeleteObjects
                default -> Need.ROOT;      // CreateBucket, DeleteBucket, Put/DeleteBucketCors
            };
        }
        return switch (m) {
            case "GET" -> r.has("uploadId") ? Need.WRITE : Need.READ; // ListParts belongs to the upload
            case "HEAD" -> Need.READ;
            default -> Need.WRITE;
        };
    }

    static void enforce(Permissions p, S3Request r) throws S3Exception {
        if (p.root()) {
            return;
        }
        switch (need(r)) {
            case NONE -> {
            }
            case READ -> require(p.canRead(r.bucket()), "read", r.bucket());
            case WRITE -> require(p.canWrite(r.bucket()), "write", r.bucket());
            case ROOT -> throw new S3Exception(S3Error.AccessDenied, "Access Denied: creating or deleting a bucket and"
                    + " changing its CORS rules needs a root access key (a node's bootstrap key).");
        }
        String copySource = r.header("x-amz-copy-source");
        if (copySource != null && r.key() != null && r.method().equals("PUT")) {
            require(p.canRead(CopyObject.parseSource(copySource).bucket()), "read", CopyObject.parseSource(copySource).bucket());
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
