package io.hifadhi.api.s3;

import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.auth.GrantStore;
import io.hifadhi.api.store.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * GetBucketAcl, PutBucketAcl, GetObjectAcl, PutObjectAcl, and the ACL a write asks for (x-amz-acl, x-amz-grant-*).
 *
 * <p>A bucket's ACL is a document of its bucket table entry, so every node decides with it locally. An object's ACL
 * is the IP grant machinery: public-read is a grant to every address (0.0.0.0/0 and ::/0) in the object's record, so
 * it replicates with the record and ends with it (a new body or a delete starts private, as on S3), and the one grant
 * check serves both. An object ACL can therefore only be private or public-read (public-read-write's WRITE means
 * nothing on an object); anything else answers NotImplemented naming it. The owner shown is the bucket's owner.
 */
final class Acls {
    private static final int MAX_BODY = 64 * 1024;

    private final S3Services services;
    private final Supplier<GrantStore> grants;
    private final XmlReader xml = new XmlReader(MAX_BODY, 1000);

    /** @param grants the node's IP grant store (null from the supplier: object ACLs other than private answer 501) */
    Acls(S3Services services, Supplier<GrantStore> grants) {
        this.services = services;
        this.grants = grants;
    }

    void getBucket(S3Request r) throws IOException, S3Exception {
        BucketCatalog.Bucket b = services.requireBucket(r);
        S3Responses.xml(r.exchange(), 200, AccessControlList.decode(b.acl()).toXml(Owner.of(b.owner())));
    }

    void putBucket(S3Request r) throws IOException, S3Exception {
        BucketCatalog.Bucket b = services.requireBucket(r);
        AccessControlList acl = fromRequest(r, b);
        PublicAccessBlock.of(b.publicAccessBlock()).refusePublicAcl(r.bucket(), acl.isPublic());
        setBucket(r.bucket(), acl);
        S3Responses.empty(r.exchange(), 200);
    }

    /** Stores a bucket's ACL (CreateBucket with x-amz-acl, PutBucketAcl). */
    void setBucket(String bucket, AccessControlList acl) throws IOException, S3Exception {
        String stored = acl.entries().isEmpty() ? null : acl.encode();
        try {
            if (!services.buckets().update(bucket, b -> b.withAcl(stored))) {
                throw new S3Exception(S3Error.NoSuchBucket, "The specified bucket does not exist.", Map.of("BucketName", bucket));
            }
        } catch (UnsupportedOperationException e) {
            throw new S3Exception(S3Error.NotImplemented, "This node's bucket table cannot store an ACL.");
        }
    }

    void getObject(S3Request r) throws IOException, S3Exception {
        BucketCatalog.Bucket b = services.requireBucket(r);
        services.store().get(r.bucket(), r.key()).orElseThrow(() -> noSuchKey(r));
        GrantStore store = grants.get();
        List<Grant> own = store == null ? List.of() : store.objectGrants(r.bucket(), r.key()).orElse(List.of());
        long now = services.clock().millis();
        boolean everyone = own.stream().anyMatch(g -> g.toEveryone() && !g.expiredAt(java.time.Instant.ofEpochMilli(now)));
        AccessControlList acl = everyone ? AccessControlList.canned("public-read") : AccessControlList.PRIVATE;
        S3Responses.xml(r.exchange(), 200, acl.toXml(Owner.of(b.owner())));
    }

    void putObject(S3Request r) throws IOException, S3Exception {
        BucketCatalog.Bucket b = services.requireBucket(r);
        boolean everyone = publicRead(fromRequest(r, b));
        PublicAccessBlock.of(b.publicAccessBlock()).refusePublicAcl(r.bucket(), everyone);
        Optional<StoredObject> object = services.store().get(r.bucket(), r.key());
        if (object.isEmpty() || !applyToObject(r.bucket(), r.key(), everyone)) {
            throw noSuchKey(r);
        }
        S3Responses.empty(r.exchange(), 200);
    }

    /**
     * The grants a new object starts with for the ACL its write (PutObject, CopyObject, PostObject,
     * CreateMultipartUpload) asks for, checked before any byte is staged: those to every address for public-read, none
     * for private or no ACL. The write stores them in the same record as the body, so there is no moment at which the
     * object exists without the ACL it was written with.
     */
    List<Grant> forObjectWrite(S3Request r) throws IOException, S3Exception {
        AccessControlList acl = AccessControlList.fromHeaders(r);
        if (acl == null || !publicRead(acl)) {
            return List.of();
        }
        BucketCatalog.Bucket b = services.requireBucket(r);
        PublicAccessBlock.of(b.publicAccessBlock()).refusePublicAcl(r.bucket(), true);
        requireGrantStore();
        return toEveryone();
    }

    /** The grants of a public-read object: reads without a key from every address, without expiry. */
    static List<Grant> toEveryone() {
        List<Grant> out = new ArrayList<>();
        for (Cidr all : Grant.EVERYWHERE) {
            out.add(new Grant(all, 0));
        }
        return out;
    }

    private GrantStore requireGrantStore() throws S3Exception {
        GrantStore store = grants.get();
        if (store == null) {
            throw new S3Exception(S3Error.NotImplemented, "This node keeps no IP grants, so objects can only be private.");
        }
        return store;
    }

    /**
     * Sets (or clears) an existing object's grants to every address, leaving narrower IP grants alone, as one new
     * version of its record. Returns false when there is no such object.
     */
    private boolean applyToObject(String bucket, String key, boolean everyone) throws IOException, S3Exception {
        if (!everyone && grants.get() == null) {
            return services.store().get(bucket, key).isPresent();
        }
        GrantStore store = requireGrantStore();
        java.time.Instant now = services.clock().instant();
        return store.updateObject(bucket, key, current -> {
            List<Grant> out = new ArrayList<>();
            for (Grant g : current) {
                if (!g.toEveryone() && !g.expiredAt(now)) {
                    out.add(g);
                }
            }
            if (everyone) {
                out.addAll(toEveryone());
            }
            return out;
        }).isPresent();
    }

    /** An object ACL as this store can hold it: public-read (true) or private (false). */
    private static boolean publicRead(AccessControlList acl) throws S3Exception {
        boolean everyone = false;
        for (AccessControlList.Entry e : acl.entries()) {
            if (!e.grantee().allUsers() || (e.right() != AccessControlList.Right.READ && e.right() != AccessControlList.Right.WRITE)) {
                throw new S3Exception(S3Error.NotImplemented, "Object ACLs here are private or public-read; the grant "
                        + acl.describe().iterator().next() + " is not supported on an object (grant it on the bucket,"
                        + " or use a bucket policy).");
            }
            everyone |= e.right() == AccessControlList.Right.READ;
        }
        return everyone;
    }

    /** The ACL in the request's headers or body (an AccessControlPolicy document). */
    private AccessControlList fromRequest(S3Request r, BucketCatalog.Bucket b) throws IOException, S3Exception {
        AccessControlList fromHeaders = AccessControlList.fromHeaders(r);
        InputStream body = PutObject.smallBody(r);
        byte[] bytes = body.readNBytes(MAX_BODY + 1);
        body.transferTo(java.io.OutputStream.nullOutputStream()); // reach EOF so digests are checked
        if (bytes.length > MAX_BODY) {
            throw new S3Exception(S3Error.MalformedACLError, "The AccessControlPolicy is larger than 64 KiB.");
        }
        if (bytes.length == 0) {
            if (fromHeaders == null) {
                throw new S3Exception(S3Error.MalformedACLError, "Send an AccessControlPolicy document, x-amz-acl or"
                        + " x-amz-grant-* headers.");
            }
            return fromHeaders;
        }
        if (fromHeaders != null) {
            throw new S3Exception(S3Error.UnexpectedContent, "This request does not support content together with"
                    + " x-amz-acl or x-amz-grant-* headers.");
        }
        return AccessControlList.fromXml(xml.parse(bytes), Owner.of(b.owner()), b.owner());
    }

    private static S3Exception noSuchKey(S3Request r) {
        return new S3Exception(S3Error.NoSuchKey, "The specified key does not exist.", Map.of("Key", r.key()));
    }
}
