package io.hifadhi.api.s3;

import java.io.IOException;
import java.util.Map;

/**
 * CreateBucket (with the ACL x-amz-acl or x-amz-grant-* ask for), DeleteBucket, HeadBucket, ListBuckets,
 * GetBucketLocation, GetBucketVersioning, GetBucketEncryption.
 */
final class BucketHandlers {
    private static final int MAX_CONFIGURATION_BYTES = 64 * 1024;

    private final S3Services services;
    private final Acls acls;
    private final XmlReader xml = new XmlReader(MAX_CONFIGURATION_BYTES, 100);
    private final KeyLocks quotaLocks = new KeyLocks();

    BucketHandlers(S3Services services, Acls acls) {
        this.services = services;
        this.acls = acls;
    }

    /** @param visible the buckets the caller's key has any permission on (a root key: all) */
    void listBuckets(S3Request r, java.util.function.Predicate<String> visible) throws IOException {
        Owner owner = Owner.of(r.accessKey());
        XmlWriter doc = XmlWriter.document("ListAllMyBucketsResult");
        owner.write(doc, "Owner");
        doc.start("Buckets");
        for (BucketCatalog.Bucket b : services.buckets().list()) {
            if (visible.test(b.name())) {
                doc.start("Bucket").element("Name", b.name()).element("CreationDate", S3Responses.isoTime(b.created())).end();
            }
        }
        doc.end();
        S3Responses.xml(r.exchange(), 200, doc);
    }

    void create(S3Request r) throws IOException, S3Exception {
        String problem = BucketNames.problemWith(r.bucket());
        if (problem != null) {
            throw new S3Exception(S3Error.InvalidBucketName, "The specified bucket is not valid: " + problem,
                    Map.of("BucketName", r.bucket()));
        }
        AccessControlList acl = AccessControlList.fromHeaders(r);
        if (r.header("x-amz-bucket-object-lock-enabled") != null
                && r.header("x-amz-bucket-object-lock-enabled").equalsIgnoreCase("true")) {
            throw new S3Exception(S3Error.NotImplemented, "Object lock is not supported.");
        }
        checkLocation(r);
        BucketCatalog.CreateOutcome outcome;
        synchronized (quotaLocks.of(r.accessKey())) {
            refuseOverQuota(r);
            outcome = services.buckets().create(r.bucket(), r.accessKey());
        }
        switch (outcome) {
            case CREATED -> {
                if (acl != null && !acl.entries().isEmpty()) {
                    acls.setBucket(r.bucket(), acl);
                }
                r.exchange().getResponseHeaders().put(io.undertow.util.Headers.LOCATION, "/" + r.bucket());
                S3Responses.empty(r.exchange(), 200);
            }
            case ALREADY_OWNED -> throw new S3Exception(S3Error.BucketAlreadyOwnedByYou,
                    "Your previous request to create the named bucket succeeded and you already own it.",
                    Map.of("BucketName", r.bucket()));
            case OWNED_BY_OTHER -> throw new S3Exception(S3Error.BucketAlreadyExists,
                    "The requested bucket name is not available. Please select a different name and try again.",
                    Map.of("BucketName", r.bucket()));
        }
    }

    /**
     * A key may own only so many buckets: the table is on every node. Counted and created under the key's
     * lock, so the quota is exact for creates through one node; creates racing through several nodes at
     * once may pass it by a few (each node counts what has reached it).
     */
    private void refuseOverQuota(S3Request r) throws IOException, S3Exception {
        int quota = services.settings().quotas().bucketsPerKey();
        long owned = services.buckets().list().stream().filter(b -> b.owner().equals(r.accessKey())).count();
        if (owned >= quota && services.buckets().get(r.bucket()).isEmpty()) {
            throw new S3Exception(S3Error.TooManyBuckets, "You have attempted to create more buckets than allowed: this key owns "
                    + owned + " buckets and may own " + quota + ". Delete a bucket first, or ask the operator to raise"
                    + " --max-buckets-per-key.", Map.of("BucketName", r.bucket()));
        }
    }

    /** An optional CreateBucketConfiguration may only name this endpoint's region. */
    private void checkLocation(S3Request r) throws IOException, S3Exception {
        byte[] body = PutObject.smallBody(r).readNBytes(MAX_CONFIGURATION_BYTES + 1);
        if (body.length == 0) {
            return;
        }
        if (body.length > MAX_CONFIGURATION_BYTES) {
            throw new S3Exception(S3Error.MalformedXML, "The CreateBucketConfiguration is larger than 64 KiB.");
        }
        XmlElement root = xml.parse(body);
        if (!root.name().equals("CreateBucketConfiguration")) {
            throw new S3Exception(S3Error.MalformedXML, "The body must be a CreateBucketConfiguration document.");
        }
        String location = root.childText("LocationConstraint").orElse("");
        String region = services.settings().region();
        if (!location.isEmpty() && !location.equals(region)) {
            throw new S3Exception(S3Error.InvalidArgument, "The location constraint '" + location
                    + "' is incompatible with this endpoint's region '" + region + "'.",
                    Map.of("ArgumentName", "LocationConstraint"));
        }
    }

    void delete(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        if (!services.store().list(r.bucket(), "", null, 1).objects().isEmpty()) {
            throw new S3Exception(S3Error.BucketNotEmpty, "The bucket you tried to delete is not empty.",
                    Map.of("BucketName", r.bucket()));
        }
        services.buckets().delete(r.bucket());
        S3Responses.empty(r.exchange(), 204);
    }

    void head(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        r.exchange().getResponseHeaders().put(io.undertow.util.HttpString.tryFromString("x-amz-bucket-region"),
                services.settings().region());
        S3Responses.empty(r.exchange(), 200);
    }

    void location(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        String region = services.settings().region();
        // S3 reports the original region, us-east-1, as an empty constraint; clients expect that.
        XmlWriter doc = XmlWriter.document("LocationConstraint");
        S3Responses.xml(r.exchange(), 200, region.equals("us-east-1") ? doc : doc.text(region));
    }

    /** Versioning was never enabled on any bucket here: an empty configuration is the true answer. */
    void versioning(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        S3Responses.xml(r.exchange(), 200, XmlWriter.document("VersioningConfiguration"));
    }

    /**
     * No bucket here has a server-side encryption configuration (PutBucketEncryption is not supported and objects are
     * not encrypted at rest by this store): S3's answer for such a bucket is the true one, and tools that read every
     * bucket setting (Terraform, the aws CLI) take it as "not encrypted" instead of failing on 501.
     */
    void encryption(S3Request r) throws IOException, S3Exception {
        services.requireBucket(r);
        throw new S3Exception(S3Error.ServerSideEncryptionConfigurationNotFoundError, "The server side encryption"
                + " configuration was not found: this store keeps no bucket encryption configuration and does not"
                + " encrypt objects at rest (PutBucketEncryption is not supported).", Map.of("BucketName", r.bucket()));
    }
}
