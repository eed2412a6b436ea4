package io.hifadhi.api.s3;

import io.hifadhi.api.auth.ClientAddress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy, GetBucketPolicyStatus, and what a request is in a policy's
 * terms (its action, resource and condition keys). The policy is a document of the bucket's table entry, so every
 * node evaluates it locally; each node keeps the parsed form of the document it last saw per bucket.
 */
final class BucketPolicies {
    private final S3Services services;
    private final Supplier<ClientAddress> clients;
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    private record Parsed(String document, BucketPolicy policy) {
    }

    BucketPolicies(S3Services services, Supplier<ClientAddress> clients) {
        this.services = services;
        this.clients = clients;
    }

    void put(S3Request r) throws IOException, S3Exception {
        BucketCatalog.Bucket b = services.requireBucket(r);
        InputStream body = PutObject.smallBody(r);
        byte[] bytes = body.readNBytes(BucketPolicy.MAX_BYTES + 1);
        body.transferTo(java.io.OutputStream.nullOutputStream()); // reach EOF so digests are checked
        if (bytes.length > BucketPolicy.MAX_BYTES) {
            throw new S3Exception(S3Error.MalformedPolicy, "Policies must be at most 20 KiB.");
        }
        String document = new String(bytes, StandardCharsets.UTF_8);
        BucketPolicy policy = BucketPolicy.parse(document, r.bucket());
        if (policy.isPublic() && PublicAccessBlock.of(b.publicAccessBlock()).blockPublicPolicy()) {
            throw new S3Exception(S3Error.AccessDenied, "Access Denied: the Public Access Block of bucket '"
                    + AccessControlList.clip(r.bucket()) + "' (BlockPublicPolicy) refuses a public policy.");
        }
        store(r.bucket(), document);
        S3Responses.empty(r.exchange(), 204);
    }

    void get(S3Request r) throws IOException, S3Exception {
        String doc = services.requireBucket(r).policy();
        if (doc == null) {
            throw noPolicy(r);
        }
        r.exchange().getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/json");
        r.exchange().getResponseSender().send(doc);
    }

    void delete(S3Request r) throws IOException, S3Exception {
        if (services.requireBucket(r).policy() != null) {
            store(r.bucket(), null);
        }
        S3Responses.empty(r.exchange(), 204);
    }

    void status(S3Request r) throws IOException, S3Exception {
        BucketCatalog.Bucket b = services.requireBucket(r);
        BucketPolicy policy = policyOf(b);
        if (policy == null) {
            throw noPolicy(r);
        }
        S3Responses.xml(r.exchange(), 200, XmlWriter.document("PolicyStatus").element("IsPublic", policy.isPublic()));
    }

    /** The bucket's policy, parsed (null: none). A stored document was checked when it was put. */
    BucketPolicy policyOf(BucketCatalog.Bucket b) throws S3Exception {
        if (b.policy() == null) {
            return null;
        }
        Parsed p = parsed.get(b.name());
        if (p == null || !p.document().equals(b.policy())) {
            p = new Parsed(b.policy(), BucketPolicy.parse(b.policy(), b.name()));
            parsed.put(b.name(), p);
        }
        return p.policy();
    }

    /** A request to {@code op} on {@code bucket}/{@code key} in a policy's terms. */
    BucketPolicy.Request request(S3Operation op, String bucket, String key, S3Request r) {
        Map<String, List<String>> keys = BucketPolicy.contextKeys(clients.get().of(r.exchange()), services.clock().instant());
        keys.put("aws:securetransport", List.of(Boolean.toString("https".equals(clients.get().scheme(r.exchange())))));
        header(keys, "aws:referer", r.header("Referer"));
        header(keys, "aws:useragent", r.header("User-Agent"));
        header(keys, "s3:x-amz-acl", r.header("x-amz-acl"));
        header(keys, "aws:userid", r.accessKey());
        if (op == S3Operation.ListObjects || op == S3Operation.ListObjectsV2) {
            keys.put("s3:prefix", List.of(r.param("prefix").orElse("")));
            r.param("delimiter").ifPresent(d -> keys.put("s3:delimiter", List.of(d)));
            r.param("max-keys").ifPresent(m -> keys.put("s3:max-keys", List.of(m)));
        }
        // DeleteObjects names its keys in the body: it is taken as deleting every object of the bucket, so a Deny
        // of any object's deletion refuses it and only an Allow of all objects' deletion opens it.
        String resource = "arn:aws:s3:::" + bucket + (key != null ? "/" + key : op == S3Operation.DeleteObjects ? "/*" : "");
        return new BucketPolicy.Request(r.accessKey(), action(op), resource, keys, key == null && op == S3Operation.DeleteObjects);
    }

    /** The IAM action S3 checks for an operation. */
    static String action(S3Operation op) {
        return "s3:" + switch (op) {
            case ListBuckets -> "ListAllMyBuckets";
            case GetBucketCors -> "GetBucketCORS";
            case PutBucketCors, DeleteBucketCors -> "PutBucketCORS";
            case GetBucketLifecycleConfiguration -> "GetLifecycleConfiguration";
            case PutBucketLifecycleConfiguration, DeleteBucketLifecycle -> "PutLifecycleConfiguration";
            case ListMultipartUploads -> "ListBucketMultipartUploads";
            case ListObjects, ListObjectsV2, HeadBucket -> "ListBucket";
            case DeleteObjects -> "DeleteObject";
            case GetPublicAccessBlock -> "GetBucketPublicAccessBlock";
            case GetBucketEncryption -> "GetEncryptionConfiguration";
            case PutPublicAccessBlock, DeletePublicAccessBlock -> "PutBucketPublicAccessBlock";
            case ListParts -> "ListMultipartUploadParts";
            case PostObject, CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload, CopyObject -> "PutObject";
            case HeadObject -> "GetObject";
            default -> op.name();
        };
    }

    /** Policy management, which a root key keeps even against a Deny, so a policy cannot lock the owner out. */
    static boolean managesPolicy(S3Operation op) {
        return op == S3Operation.GetBucketPolicy || op == S3Operation.PutBucketPolicy || op == S3Operation.DeleteBucketPolicy;
    }

    private static void header(Map<String, List<String>> keys, String key, String value) {
        if (value != null) {
            keys.put(key, List.of(value));
        }
    }

    private void store(String bucket, String document) throws IOException, S3Exception {
        try {
            if (!services.buckets().update(bucket, b -> b.withPolicy(document))) {
                throw new S3Exception(S3Error.NoSuchBucket, "The specified bucket does not exist.", Map.of("BucketName", bucket));
            }
        } catch (UnsupportedOperationException e) {
            throw new S3Exception(S3Error.NotImplemented, "This node's bucket table cannot store a bucket policy.");
        }
    }

    private static S3Exception noPolicy(S3Request r) {
        return new S3Exception(S3Error.NoSuchBucketPolicy, "The bucket policy does not exist.", Map.of("BucketName", r.bucket()));
    }
}
