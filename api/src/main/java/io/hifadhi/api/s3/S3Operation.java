package io.hifadhi.api.s3;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every S3 operation this endpoint knows, named as the S3 API names it: how a request selects it
 * (method, whether it names a bucket and a key, the subresource parameter that marks it, a copy
 * source), what it needs of the signing key, and the query parameters it accepts. This one table
 * decides routing ({@link #of}) and permissions ({@link PermissionCheck}); the README's operation
 * table is checked against it. Operations marked unsupported answer 501 NotImplemented naming
 * themselves, so a client learns which operation is missing, not only which parameter.
 */
public enum S3Operation {
    // ---- service
    ListBuckets(Scope.SERVICE, "GET", Need.NONE, Set.of(), Set.of()),

    // ---- bucket, marked by a subresource
    GetBucketLocation(Scope.BUCKET, "GET", Need.READ, Set.of("location"), Set.of()),
    GetBucketCors(Scope.BUCKET, "GET", Need.READ, Set.of("cors"), Set.of()),
    PutBucketCors(Scope.BUCKET, "PUT", Need.ROOT, Set.of("cors"), Set.of()),
    DeleteBucketCors(Scope.BUCKET, "DELETE", Need.ROOT, Set.of("cors"), Set.of()),
    GetBucketLifecycleConfiguration(Scope.BUCKET, "GET", Need.READ, Set.of("lifecycle"), Set.of()),
    PutBucketLifecycleConfiguration(Scope.BUCKET, "PUT", Need.ROOT, Set.of("lifecycle"), Set.of()),
    DeleteBucketLifecycle(Scope.BUCKET, "DELETE", Need.ROOT, Set.of("lifecycle"), Set.of()),
    GetBucketVersioning(Scope.BUCKET, "GET", Need.READ, Set.of("versioning"), Set.of()),
    ListMultipartUploads(Scope.BUCKET, "GET", Need.WRITE, Set.of("uploads"),
            Set.of("prefix", "delimiter", "key-marker", "upload-id-marker", "max-uploads", "encoding-type")),
    ListObjectsV2(Scope.BUCKET, "GET", Need.READ, Set.of("list-type"),
            Set.of("prefix", "delimiter", "max-keys", "encoding-type", "continuation-token", "start-after", "fetch-owner")),
    DeleteObjects(Scope.BUCKET, "POST", Need.WRITE, Set.of("delete"), Set.of()),
    PutBucketVersioning(Scope.BUCKET, "PUT", Need.ROOT, Set.of("versioning"), Set.of(), false),
    ListObjectVersions(Scope.BUCKET, "GET", Need.READ, Set.of("versions"), Set.of(), false),
    GetBucketAcl(Scope.BUCKET, "GET", Need.READ, Set.of("acl"), Set.of()),
    PutBucketAcl(Scope.BUCKET, "PUT", Need.ROOT, Set.of("acl"), Set.of()),
    GetBucketPolicy(Scope.BUCKET, "GET", Need.ROOT, Set.of("policy"), Set.of()),
    PutBucketPolicy(Scope.BUCKET, "PUT", Need.ROOT, Set.of("policy"), Set.of()),
    DeleteBucketPolicy(Scope.BUCKET, "DELETE", Need.ROOT, Set.of("policy"), Set.of()),
    GetBucketPolicyStatus(Scope.BUCKET, "GET", Need.ROOT, Set.of("policyStatus"), Set.of()),
    GetPublicAccessBlock(Scope.BUCKET, "GET", Need.ROOT, Set.of("publicAccessBlock"), Set.of()),
    PutPublicAccessBlock(Scope.BUCKET, "PUT", Need.ROOT, Set.of("publicAccessBlock"), Set.of()),
    DeletePublicAccessBlock(Scope.BUCKET, "DELETE", Need.ROOT, Set.of("publicAccessBlock"), Set.of()),
    GetBucketTagging(Scope.BUCKET, "GET", Need.READ, Set.of("tagging"), Set.of()),
    PutBucketTagging(Scope.BUCKET, "PUT", Need.ROOT, Set.of("tagging"), Set.of()),
    DeleteBucketTagging(Scope.BUCKET, "DELETE", Need.ROOT, Set.of("tagging"), Set.of()),
    GetBucketEncryption(Scope.BUCKET, "GET", Need.READ, Set.of("encryption"), Set.of()),
    PutBucketEncryption(Scope.BUCKET, "PUT", Need.ROOT, Set.of("encryption"), Set.of(), false),
    DeleteBucketEncryption(Scope.BUCKET, "DELETE", Need.ROOT, Set.of("encryption"), Set.of(), false),
    GetBucketOwnershipControls(Scope.BUCKET, "GET", Need.READ, Set.of("ownershipControls"), Set.of(), false),
    PutBucketOwnershipControls(Scope.BUCKET, "PUT", Need.ROOT, Set.of("ownershipControls"), Set.of(), false),
    GetObjectLockConfiguration(Scope.BUCKET, "GET", Need.READ, Set.of("object-lock"), Set.of(), false),
    PutObjectLockConfiguration(Scope.BUCKET, "PUT", Need.ROOT, Set.of("object-lock"), Set.of(), false),
    GetBucketWebsite(Scope.BUCKET, "GET", Need.READ, Set.of("website"), Set.of(), false),
    PutBucketWebsite(Scope.BUCKET, "PUT", Need.ROOT, Set.of("website"), Set.of(), false),
    DeleteBucketWebsite(Scope.BUCKET, "DELETE", Need.ROOT, Set.of("website"), Set.of(), false),
    GetBucketLogging(Scope.BUCKET, "GET", Need.READ, Set.of("logging"), Set.of(), false),
    PutBucketLogging(Scope.BUCKET, "PUT", Need.ROOT, Set.of("logging"), Set.of(), false),
    GetBucketNotificationConfiguration(Scope.BUCKET, "GET", Need.READ, Set.of("notification"), Set.of(), false),
    PutBucketNotificationConfiguration(Scope.BUCKET, "PUT", Need.ROOT, Set.of("notification"), Set.of(), false),
    GetBucketReplication(Scope.BUCKET, "GET", Need.READ, Set.of("replication"), Set.of(), false),
    PutBucketReplication(Scope.BUCKET, "PUT", Need.ROOT, Set.of("replication"), Set.of(), false),
    DeleteBucketReplication(Scope.BUCKET, "DELETE", Need.ROOT, Set.of("replication"), Set.of(), false),
    GetBucketRequestPayment(Scope.BUCKET, "GET", Need.READ, Set.of("requestPayment"), Set.of(), false),
    GetBucketAccelerateConfiguration(Scope.BUCKET, "GET", Need.READ, Set.of("accelerate"), Set.of(), false),

    // ---- bucket, no subresource
    ListObjects(Scope.BUCKET, "GET", Need.READ, Set.of(), Set.of("prefix", "delimiter", "marker", "max-keys", "encoding-type")),
    HeadBucket(Scope.BUCKET, "HEAD", Need.READ, Set.of(), Set.of()),
    CreateBucket(Scope.BUCKET, "PUT", Need.ROOT, Set.of(), Set.of()),
    DeleteBucket(Scope.BUCKET, "DELETE", Need.ROOT, Set.of(), Set.of()),
    /** A browser form upload: a POST to the bucket that names no subresource. */
    PostObject(Scope.BUCKET, "POST", Need.WRITE, Set.of(), Set.of()),

    // ---- object, marked by a subresource (or a copy source)
    ListParts(Scope.OBJECT, "GET", Need.WRITE, Set.of("uploadId"), Set.of("max-parts", "part-number-marker")),
    UploadPartCopy(Scope.OBJECT, "PUT", Need.WRITE, Set.of("uploadId", "partNumber"), Set.of(), Copy.REQUIRED),
    UploadPart(Scope.OBJECT, "PUT", Need.WRITE, Set.of("uploadId", "partNumber"), Set.of(), Copy.ABSENT),
    AbortMultipartUpload(Scope.OBJECT, "DELETE", Need.WRITE, Set.of("uploadId"), Set.of()),
    CreateMultipartUpload(Scope.OBJECT, "POST", Need.WRITE, Set.of("uploads"), Set.of()),
    CompleteMultipartUpload(Scope.OBJECT, "POST", Need.WRITE, Set.of("uploadId"), Set.of()),
    GetObjectAcl(Scope.OBJECT, "GET", Need.READ, Set.of("acl"), Set.of()),
    PutObjectAcl(Scope.OBJECT, "PUT", Need.WRITE, Set.of("acl"), Set.of()),
    GetObjectTagging(Scope.OBJECT, "GET", Need.READ, Set.of("tagging"), Set.of()),
    PutObjectTagging(Scope.OBJECT, "PUT", Need.WRITE, Set.of("tagging"), Set.of()),
    DeleteObjectTagging(Scope.OBJECT, "DELETE", Need.WRITE, Set.of("tagging"), Set.of()),
    GetObjectAttributes(Scope.OBJECT, "GET", Need.READ, Set.of("attributes"), Set.of()),
    GetObjectRetention(Scope.OBJECT, "GET", Need.READ, Set.of("retention"), Set.of(), false),
    PutObjectRetention(Scope.OBJECT, "PUT", Need.WRITE, Set.of("retention"), Set.of(), false),
    GetObjectLegalHold(Scope.OBJECT, "GET", Need.READ, Set.of("legal-hold"), Set.of(), false),
    PutObjectLegalHold(Scope.OBJECT, "PUT", Need.WRITE, Set.of("legal-hold"), Set.of(), false),
    RestoreObject(Scope.OBJECT, "POST", Need.WRITE, Set.of("restore"), Set.of(), false),
    SelectObjectContent(Scope.OBJECT, "POST", Need.READ, Set.of("select"), Set.of("select-type"), false),

    // ---- object, no subresource
    GetObject(Scope.OBJECT, "GET", Need.READ, Set.of(), io.hifadhi.api.s3.GetObject.PARAMETERS),
    HeadObject(Scope.OBJECT, "HEAD", Need.READ, Set.of(), io.hifadhi.api.s3.GetObject.PARAMETERS),
    CopyObject(Scope.OBJECT, "PUT", Need.WRITE, Set.of(), Set.of(), Copy.REQUIRED),
    PutObject(Scope.OBJECT, "PUT", Need.WRITE, Set.of(), Set.of(), Copy.ABSENT),
    DeleteObject(Scope.OBJECT, "DELETE", Need.WRITE, Set.of(), Set.of());

    /** What a request names. */
    public enum Scope { SERVICE, BUCKET, OBJECT }

    /** What the signing key must hold on the request's bucket (a copy's source is checked apart). */
    public enum Need { NONE, READ, WRITE, ROOT }

    /** Whether the operation is the one selected when x-amz-copy-source is present, absent, or either. */
    public enum Copy { ANY, REQUIRED, ABSENT }

    /** A Signature Version 2 presigned URL's parameters. */
    private static final Set<String> SIGV2_QUERY = Set.of("AWSAccessKeyId", "Expires", "Signature");

    private final Scope scope;
    private final String method;
    private final Need need;
    /** Any of these parameters marks the operation; empty for the default of its scope and method. */
    private final Set<String> markers;
    private final Set<String> accepted;
    private final Copy copy;
    private final boolean supported;

    S3Operation(Scope scope, String method, Need need, Set<String> markers, Set<String> others) {
        this(scope, method, need, markers, others, Copy.ANY, true);
    }

    S3Operation(Scope scope, String method, Need need, Set<String> markers, Set<String> others, boolean supported) {
        this(scope, method, need, markers, others, Copy.ANY, supported);
    }

    S3Operation(Scope scope, String method, Need need, Set<String> markers, Set<String> others, Copy copy) {
        this(scope, method, need, markers, others, copy, true);
    }

    S3Operation(Scope scope, String method, Need need, Set<String> markers, Set<String> others, Copy copy,
                boolean supported) {
        this.scope = scope;
        this.method = method;
        this.need = need;
        this.markers = markers;
        java.util.HashSet<String> all = new java.util.HashSet<>(markers);
        all.addAll(others);
        this.accepted = Set.copyOf(all);
        this.copy = copy;
        this.supported = supported;
    }

    public Scope scope() {
        return scope;
    }

    public String method() {
        return method;
    }

    public Need need() {
        return need;
    }

    /** Query parameters the operation accepts (besides signature parameters and the SDKs' x-id). */
    public Set<String> accepted() {
        return accepted;
    }

    public boolean supported() {
        return supported;
    }

    /** The subresource parameter(s) that select this operation; empty for its scope's default. */
    public Set<String> markers() {
        return markers;
    }

    /** Whether a copy source must be readable too (CopyObject, UploadPartCopy). */
    public boolean readsCopySource() {
        return copy == Copy.REQUIRED;
    }

    /**
     * The operation a request selects: among those of its scope and method, the first whose marker
     * parameter is present, else the one without a marker; a copy source picks the copy variant.
     *
     * @throws S3Exception MethodNotAllowed when no operation has this method here; NotImplemented for an
     *                     unsupported operation or a parameter the operation does not accept
     */
    public static S3Operation of(String method, String bucket, String key, Map<String, List<String>> query,
                                 boolean copySource) throws S3Exception {
        Scope scope = bucket == null ? Scope.SERVICE : key == null ? Scope.BUCKET : Scope.OBJECT;
        S3Operation chosen = null;
        // Without a query (most GETs and PUTs) no subresource is named: only the plain operations are candidates.
        if (!query.isEmpty()) {
            for (S3Operation op : values()) {
                if (op.scope == scope && op.method.equals(method) && op.copyMatches(copySource)
                        && op.markers.stream().anyMatch(query::containsKey)) {
                    chosen = op;
                    break;
                }
            }
        }
        if (chosen == null) {
            for (S3Operation op : values()) {
                if (op.scope == scope && op.method.equals(method) && op.copyMatches(copySource) && op.markers.isEmpty()) {
                    chosen = op;
                    break;
                }
            }
        }
        if (chosen == null) {
            throw new S3Exception(S3Error.MethodNotAllowed, "The specified method (" + clip(method)
                    + ") is not allowed against this resource.");
        }
        if (!chosen.supported) {
            throw new S3Exception(S3Error.NotImplemented, chosen.name() + " is not implemented by this server"
                    + " (see the README's table of S3 operations).");
        }
        chosen.checkParameters(query);
        return chosen;
    }

    private boolean copyMatches(boolean copySource) {
        return copy == Copy.ANY || (copy == Copy.REQUIRED) == copySource;
    }

    /**
     * Refuses query parameters the operation does not accept: an unknown subresource names an
     * operation this endpoint does not know. Signature parameters (V4 and V2) and the SDKs' x-id
     * hint are always accepted.
     */
    void checkParameters(Map<String, List<String>> query) throws S3Exception {
        for (String name : query.keySet()) {
            if (accepted.contains(name) || name.equals("x-id") || name.regionMatches(true, 0, "X-Amz-", 0, 6)
                    || SIGV2_QUERY.contains(name)) {
                continue;
            }
            throw new S3Exception(S3Error.NotImplemented, "A request parameter you provided ('" + clip(name)
                    + "') implies functionality that is not implemented (" + name() + " does not take it).");
        }
    }

    private static String clip(String s) {
        String c = s.length() > 64 ? s.substring(0, 64) : s;
        return c.replaceAll("\\p{Cntrl}", "?");
    }
}
