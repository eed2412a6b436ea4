package io.hifadhi.api.s3;

import io.hifadhi.api.store.StoreUnavailableException;

import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Whether an S3 request may proceed, decided before any handler runs (nothing is read, written or staged for a
 * refused request), on every node from what every node holds: the key table, the bucket table (ACL, Public Access
 * Block, policy), the grants table and the object's record (its IP grants, which include a public-read object ACL,
 * and its other object ACL grants).
 *
 * <p>The order is IAM's: an explicit Deny of the bucket policy refuses (a root key keeps managing the policy itself,
 * so a policy cannot lock the owner out); then a root key may do anything; then any Allow (the key's own permissions,
 * the bucket policy, the bucket ACL, the statements the object's IP grants and ACL are) lets the request through;
 * else it is refused. The bucket policy, the IP grants and object ACLs are statements of one evaluator
 * ({@link BucketPolicy}); the object's, read from storage, are evaluated only when nothing before them allowed. With the
 * Public Access Block's RestrictPublicBuckets a public policy's Allow opens nothing to anonymous requests. Only root keys may do what needs root (bucket creation and configuration); ACLs and policies
 * open the read and write operations only.
 */
final class AccessCheck {
    private final S3Services services;
    private final PermissionLookup permissions;
    private final Supplier<GrantPolicy> grants;
    private final BucketPolicies policies;

    AccessCheck(S3Services services, PermissionLookup permissions, Supplier<GrantPolicy> grants, BucketPolicies policies) {
        this.services = services;
        this.permissions = permissions;
        this.grants = grants;
        this.policies = policies;
    }

    void enforce(S3Operation op, S3Request r) throws IOException, S3Exception {
        enforce(op, r, r.accessKey() == null ? Permissions.NONE : permissions.of(r.accessKey()));
    }

    /**
     * As {@link #enforce(S3Operation, S3Request)}, with the permissions the request's own read of its key gave.
     *
     * @return the request's bucket as read for the decision; null for a service request or a bucket that does not exist
     */
    BucketCatalog.Bucket enforce(S3Operation op, S3Request r, Permissions p) throws IOException, S3Exception {
        if (op.scope() == S3Operation.Scope.SERVICE) {
            if (r.accessKey() == null) {
                throw anonymousRefusal(op, null);
            }
            return null;
        }
        BucketCatalog.Bucket bucket = decide(op, op.need(), r.bucket(), r.key(), r, p);
        if (op.readsCopySource()) {
            CopyObject.Source source = CopyObject.parseSource(r.header("x-amz-copy-source"));
            decide(S3Operation.GetObject, S3Operation.Need.READ, source.bucket(), source.key(), r, p);
        }
        return bucket;
    }

    /** Refuses what may not be done; returns the bucket it read (null: no such bucket). */
    private BucketCatalog.Bucket decide(S3Operation op, S3Operation.Need need, String bucket, String key, S3Request r,
            Permissions p) throws IOException, S3Exception {
        BucketCatalog.Bucket b = services.buckets().get(bucket).orElse(null);
        BucketPolicy policy = b == null ? null : policies.policyOf(b);
        // The request in a policy's terms (address, time, headers) is built only for a policy or for the object's
        // grants to read: a root key's request to a bucket without a policy needs neither.
        BucketPolicy.Request request = policy == null ? null : policies.request(op, bucket, key, r);
        BucketPolicy.Decision said = policy == null ? new BucketPolicy.Decision(BucketPolicy.Effect.NONE, null)
                : policy.evaluate(request);
        if (said.effect() == BucketPolicy.Effect.DENY && !(p.root() && BucketPolicies.managesPolicy(op))) {
            throw new S3Exception(S3Error.AccessDenied, "Access Denied: the policy of bucket '" + PermissionCheck.clip(bucket)
                    + "' denies " + BucketPolicies.action(op) + " to this request"
                    + (said.sid() == null || said.sid().isEmpty() ? "" : " (statement '" + PermissionCheck.clip(said.sid()) + "')")
                    + ".");
        }
        if (p.root()) {
            return b;
        }
        if (need == S3Operation.Need.ROOT) {
            throw r.accessKey() == null ? anonymousRefusal(op, bucket) : PermissionCheck.refusal(op, need, bucket);
        }
        if (PermissionCheck.allows(p, need, bucket)) {
            return b;
        }
        PublicAccessBlock block = b == null ? PublicAccessBlock.NONE : PublicAccessBlock.of(b.publicAccessBlock());
        if (said.effect() == BucketPolicy.Effect.ALLOW
                && !(block.restrictPublicBuckets() && r.accessKey() == null && policy.isPublic())) {
            return b;
        }
        if (b != null && aclAllows(op, b, r.accessKey(), block.ignorePublicAcls())) {
            return b;
        }
        if (key != null && GrantPolicy.OBJECT_ACTIONS.contains(BucketPolicies.action(op)) && grantAllows(
                request != null ? request : policies.request(op, bucket, key, r), bucket, key, block.ignorePublicAcls())) {
            return b;
        }
        throw r.accessKey() == null ? anonymousRefusal(op, bucket) : PermissionCheck.refusal(op, need, bucket);
    }

    private static boolean aclAllows(S3Operation op, BucketCatalog.Bucket b, String accessKey, boolean ignorePublic) {
        AccessControlList.Right right = aclRight(op);
        return right != null && AccessControlList.decode(b.acl()).allows(accessKey, right, ignorePublic);
    }

    /** The statements of the object's IP grants (a public-read object ACL is grants to everyone) and other ACL grants. */
    private boolean grantAllows(BucketPolicy.Request request, String bucket, String key, boolean ignoreEveryone)
            throws IOException {
        GrantPolicy policy = grants.get();
        if (policy == null) {
            return false;
        }
        try {
            return policy.statements(bucket, key, ignoreEveryone).evaluate(request).effect() == BucketPolicy.Effect.ALLOW;
        } catch (StoreUnavailableException e) {
            throw e;
        } catch (IOException e) {
            throw new StoreUnavailableException("The object's grants could not be read: " + e.getMessage());
        }
    }

    /** What a bucket ACL must grant for an operation; null for what ACLs never open. */
    static AccessControlList.Right aclRight(S3Operation op) {
        return switch (op) {
            case ListObjects, ListObjectsV2, HeadBucket, ListMultipartUploads -> AccessControlList.Right.READ;
            case PutObject, CopyObject, DeleteObject, DeleteObjects, PostObject, CreateMultipartUpload, UploadPart,
                    UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload, ListParts -> AccessControlList.Right.WRITE;
            case GetBucketAcl -> AccessControlList.Right.READ_ACP;
            default -> null;
        };
    }

    private static S3Exception anonymousRefusal(S3Operation op, String bucket) {
        return new S3Exception(S3Error.AccessDenied, "Access Denied: the request is not signed, and nothing (ACL, bucket"
                + " policy, IP grant) opens " + op.name() + (bucket == null ? "" : " on '" + PermissionCheck.clip(bucket) + "'")
                + " to anonymous requests. Sign it with AWS Signature Version 4 or 2 (an access key and secret are"
                + " required).", Map.of());
    }
}
