package io.hifadhi.api.s3;

import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.auth.GrantStore;
import io.hifadhi.api.auth.ObjectAccess;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * GetBucketAcl, PutBucketAcl, GetObjectAcl, PutObjectAcl, and the ACL a write asks for (x-amz-acl, x-amz-grant-*).
 *
 * <p>A bucket's ACL is a document of its bucket table entry, so every node decides with it locally. An object's ACL
 * is part of the object's record ({@link ObjectAcl}): AllUsers READ (public-read) is a grant to every address
 * (0.0.0.0/0 and ::/0), an IP grant like the native ones, and every other grant (authenticated-read, grants to single
 * keys, READ_ACP, WRITE_ACP, FULL_CONTROL) is kept beside the IP grants in the ACL's stored form. Both replicate with
 * the record and end with it (a new body or a delete starts private, as on S3), and both are enforced as bucket-policy
 * statements of the one evaluator ({@link GrantPolicy}). The owner shown is the bucket's owner.
 */
final class Acls {
    private static final int MAX_BODY = 64 * 1024;

    private final S3Services services;
    private final Supplier<GrantStore> grants;
    private final XmlReader xml = new XmlReader(MAX_BODY, 1000);

    /**
     * An object's ACL as its record keeps it.
     *
     * @param publicRead whether AllUsers may READ: the grants to every address
     * @param others     every other grant of the ACL
     */
    record ObjectAcl(boolean publicRead, AccessControlList others) {
        static final ObjectAcl PRIVATE = new ObjectAcl(false, AccessControlList.PRIVATE);

        static ObjectAcl of(AccessControlList acl) {
            List<AccessControlList.Entry> others = acl.entries().stream().filter(e -> !isPublicRead(e)).toList();
            return new ObjectAcl(others.size() != acl.entries().size(), new AccessControlList(others));
        }

        /** What a record holds: its grants to every address and the other grants (live ones only count). */
        static ObjectAcl of(ObjectAccess access, Instant now) {
            boolean everyone = access.grants().stream().anyMatch(g -> g.toEveryone() && !g.expiredAt(now));
            return new ObjectAcl(everyone, AccessControlList.decode(access.acl()));
        }

        private static boolean isPublicRead(AccessControlList.Entry e) {
            return e.grantee().allUsers() && e.right() == AccessControlList.Right.READ;
        }

        List<Grant> grants() {
            return publicRead ? toEveryone() : List.of();
        }

        /** The stored form of the other grants. */
        String stored() {
            return others.encode();
        }

        AccessControlList whole() {
            List<AccessControlList.Entry> all = new ArrayList<>();
            if (publicRead) {
                all.add(new AccessControlList.Entry(AccessControlList.Grantee.ALL, AccessControlList.Right.READ));
            }
            all.addAll(others.entries());
            return new AccessControlList(all);
        }

        boolean isPrivate() {
            return !publicRead && others.entries().isEmpty();
        }
    }

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
        GrantStore store = grants.get();
        ObjectAcl acl;
        if (store == null) {
            services.store().get(r.bucket(), r.key()).orElseThrow(() -> noSuchKey(r));
            acl = ObjectAcl.PRIVATE;
        } else {
            acl = ObjectAcl.of(store.objectAccess(r.bucket(), r.key()).orElseThrow(() -> noSuchKey(r)), services.clock().instant());
        }
        S3Responses.xml(r.exchange(), 200, acl.whole().toXml(Owner.of(b.owner())));
    }

    void putObject(S3Request r) throws IOException, S3Exception {
        BucketCatalog.Bucket b = services.requireBucket(r);
        AccessControlList acl = fromRequest(r, b);
        PublicAccessBlock.of(b.publicAccessBlock()).refusePublicAcl(r.bucket(), acl.isPublic());
        if (!applyToObject(r.bucket(), r.key(), ObjectAcl.of(acl))) {
            throw noSuchKey(r);
        }
        S3Responses.empty(r.exchange(), 200);
    }

    /**
     * The ACL a new object starts with, as its write (PutObject, CopyObject, PostObject, CreateMultipartUpload) asks
     * for it, checked before any byte is staged; private without one. The write stores it in the same record as the
     * body, so there is no moment at which the object exists without the ACL it was written with.
     */
    ObjectAcl forObjectWrite(S3Request r) throws IOException, S3Exception {
        AccessControlList acl = AccessControlList.fromHeaders(r);
        if (acl == null || acl.entries().isEmpty()) {
            return ObjectAcl.PRIVATE;
        }
        BucketCatalog.Bucket b = services.requireBucket(r);
        PublicAccessBlock.of(b.publicAccessBlock()).refusePublicAcl(r.bucket(), acl.isPublic());
        requireGrantStore();
        return ObjectAcl.of(acl);
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
            throw new S3Exception(S3Error.NotImplemented, "This node keeps no object grants, so objects can only be private.");
        }
        return store;
    }

    /**
     * Sets an existing object's ACL, leaving its narrower IP grants alone, as one new version of its record. Returns
     * false when there is no such object.
     */
    private boolean applyToObject(String bucket, String key, ObjectAcl acl) throws IOException, S3Exception {
        if (acl.isPrivate() && grants.get() == null) {
            return services.store().get(bucket, key).isPresent();
        }
        GrantStore store = requireGrantStore();
        Instant now = services.clock().instant();
        return store.updateObject(bucket, key, current -> {
            List<Grant> out = new ArrayList<>();
            for (Grant g : current.grants()) {
                if (!g.toEveryone() && !g.expiredAt(now)) {
                    out.add(g);
                }
            }
            out.addAll(acl.grants());
            return new ObjectAccess(out, acl.stored());
        }).isPresent();
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
