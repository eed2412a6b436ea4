package io.hifadhi.node.s3;

import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.testing.DebianProgram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.GetBucketAclResponse;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Type;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ACLs, anonymous access, Public Access Block and bucket policies against one real node, with the SDK v2 (and an
 * anonymous SDK client), boto3 (Debian's python3-boto3) and the aws CLI. A second key without any permission of its
 * own stands for "another user".
 */
class S3AccessControlTest {
    private static final String SHARD_KEY = "acl-test-shard-key-0123456789";

    @TempDir
    static Path tmp;
    static Node node;
    static String endpoint;
    static S3Client root;
    static S3Client anonymous;
    static String otherKey;
    static String otherSecret;

    @BeforeAll
    static void startNode() throws Exception {
        node = new Node(NodeConfig.builder(tmp.resolve("data")).name("acl").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey(SHARD_KEY).accessKey(S3TestSupport.ACCESS_KEY)
                .secretKey(S3TestSupport.SECRET_KEY).build(), new PrintStream(new ByteArrayOutputStream()));
        node.start();
        endpoint = "http://127.0.0.1:" + node.httpPort();
        root = S3TestSupport.client(node.httpPort());
        anonymous = S3Client.builder().endpointOverride(S3TestSupport.endpoint(node.httpPort())).forcePathStyle(true)
                .region(Region.US_EAST_1).credentialsProvider(AnonymousCredentialsProvider.create()).build();
        S3TestSupport.KeyPair other = S3TestSupport.createKey(endpoint, SHARD_KEY, "other", "{}");
        otherKey = other.accessKey();
        otherSecret = other.secretKey();
    }

    @AfterAll
    static void stopNode() {
        if (root != null) {
            root.close();
            anonymous.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void cannedAclsWithTheSdk() throws Exception {
        root.createBucket(r -> r.bucket("sdk-acl").acl(BucketCannedACL.PUBLIC_READ));
        GetBucketAclResponse acl = root.getBucketAcl(r -> r.bucket("sdk-acl"));
        assertTrue(acl.grants().stream().anyMatch(g -> g.grantee().type() == Type.GROUP
                && g.grantee().uri().endsWith("/AllUsers") && g.permission() == Permission.READ), acl.toString());
        assertTrue(acl.grants().stream().anyMatch(g -> g.grantee().type() == Type.CANONICAL_USER
                && g.grantee().id().equals(acl.owner().id()) && g.permission() == Permission.FULL_CONTROL), acl.toString());

        byte[] big = new byte[(6 << 20) + 123];
        new Random(18).nextBytes(big);
        // A write with a canned ACL is one record version, body and grants together (PutObjectAcl alone is a second):
        // there is no moment when the object exists without its ACL.
        long before = recordWrites();
        root.putObject(r -> r.bucket("sdk-acl").key("small.txt").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("s"));
        assertEquals(1, recordWrites() - before, "records written by a PUT with x-amz-acl");
        assertEquals("s", anonymous.getObjectAsBytes(r -> r.bucket("sdk-acl").key("small.txt")).asUtf8String());
        before = recordWrites();
        root.putObjectAcl(r -> r.bucket("sdk-acl").key("small.txt").acl(ObjectCannedACL.PRIVATE));
        assertEquals(1, recordWrites() - before, "records written by PutObjectAcl");
        assertEquals(403, status(() -> anonymous.headObject(r -> r.bucket("sdk-acl").key("small.txt"))));
        root.deleteObject(r -> r.bucket("sdk-acl").key("small.txt"));

        // multipart: the ACL asked for at CreateMultipartUpload applies when the upload completes
        String uploadId = root.createMultipartUpload(r -> r.bucket("sdk-acl").key("big.bin").acl(ObjectCannedACL.PUBLIC_READ))
                .uploadId();
        var p1 = root.uploadPart(r -> r.bucket("sdk-acl").key("big.bin").uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(java.util.Arrays.copyOfRange(big, 0, 5 << 20)));
        var p2 = root.uploadPart(r -> r.bucket("sdk-acl").key("big.bin").uploadId(uploadId).partNumber(2),
                RequestBody.fromBytes(java.util.Arrays.copyOfRange(big, 5 << 20, big.length)));
        before = recordWrites();
        root.completeMultipartUpload(r -> r.bucket("sdk-acl").key("big.bin").uploadId(uploadId).multipartUpload(u -> u.parts(
                c -> c.partNumber(1).eTag(p1.eTag()), c -> c.partNumber(2).eTag(p2.eTag()))));
        assertEquals(1, recordWrites() - before, "records written by CompleteMultipartUpload of a public-read upload");
        assertArrayEquals(big, anonymous.getObjectAsBytes(r -> r.bucket("sdk-acl").key("big.bin")).asByteArray());
        assertEquals(206, rawGet("/sdk-acl/big.bin", "bytes=0-9").statusCode());

        // copy: the copy is private unless the copy asks
        root.copyObject(r -> r.sourceBucket("sdk-acl").sourceKey("big.bin").destinationBucket("sdk-acl").destinationKey("copy.bin"));
        assertEquals(403, status(() -> anonymous.headObject(r -> r.bucket("sdk-acl").key("copy.bin"))));
        before = recordWrites();
        root.copyObject(r -> r.sourceBucket("sdk-acl").sourceKey("big.bin").destinationBucket("sdk-acl").destinationKey("copy.bin")
                .acl(ObjectCannedACL.PUBLIC_READ));
        assertEquals(1, recordWrites() - before, "records written by CopyObject with x-amz-acl");
        assertEquals(big.length, anonymous.headObject(r -> r.bucket("sdk-acl").key("copy.bin")).contentLength());
        var objectAcl = root.getObjectAcl(r -> r.bucket("sdk-acl").key("copy.bin"));
        assertTrue(objectAcl.grants().stream().anyMatch(g -> g.grantee().type() == Type.GROUP
                && g.permission() == Permission.READ), objectAcl.toString());
        // the other key has no permission of its own: a public object is public to it too, the bucket listing as well
        try (S3Client other = S3TestSupport.client(node.httpPort(), otherKey, otherSecret, Region.US_EAST_1)) {
            assertEquals(big.length, other.getObjectAsBytes(r -> r.bucket("sdk-acl").key("copy.bin")).asByteArray().length);
            assertEquals(2, other.listObjectsV2(r -> r.bucket("sdk-acl")).keyCount());
            assertEquals(403, status(() -> other.putObject(r -> r.bucket("sdk-acl").key("x"), RequestBody.fromString("x"))));
            assertEquals(403, status(() -> other.putBucketAcl(r -> r.bucket("sdk-acl").acl(BucketCannedACL.PRIVATE))));
        }
        // anonymous requests get nothing else
        assertEquals(403, status(() -> anonymous.listBuckets()));
        assertEquals(403, status(() -> anonymous.deleteObject(r -> r.bucket("sdk-acl").key("copy.bin"))));
        assertEquals(403, status(() -> anonymous.getBucketAcl(r -> r.bucket("sdk-acl"))));
        assertEquals(403, status(() -> anonymous.listObjectsV2(r -> r.bucket("no-such-bucket"))));
        root.putBucketAcl(r -> r.bucket("sdk-acl").acl(BucketCannedACL.PRIVATE));
        assertEquals(403, status(() -> anonymous.listObjectsV2(r -> r.bucket("sdk-acl"))));
        assertEquals(big.length, anonymous.headObject(r -> r.bucket("sdk-acl").key("copy.bin")).contentLength());
    }

    @Test
    void publicAccessBlock() {
        root.createBucket(r -> r.bucket("sdk-pab").acl(BucketCannedACL.PUBLIC_READ));
        root.putObject(r -> r.bucket("sdk-pab").key("open.txt").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("open"));
        assertEquals(404, status(() -> root.getPublicAccessBlock(r -> r.bucket("sdk-pab"))));
        assertEquals("open", anonymous.getObjectAsBytes(r -> r.bucket("sdk-pab").key("open.txt")).asUtf8String());

        // IgnorePublicAcls: the public grants stay, and count for nothing
        root.putPublicAccessBlock(r -> r.bucket("sdk-pab").publicAccessBlockConfiguration(c -> c.ignorePublicAcls(true)));
        var got = root.getPublicAccessBlock(r -> r.bucket("sdk-pab")).publicAccessBlockConfiguration();
        assertEquals(true, got.ignorePublicAcls());
        assertEquals(false, got.blockPublicAcls());
        assertEquals(403, status(() -> anonymous.getObject(r -> r.bucket("sdk-pab").key("open.txt"))));
        assertEquals(403, status(() -> anonymous.listObjects(r -> r.bucket("sdk-pab"))));
        root.putObject(r -> r.bucket("sdk-pab").key("later.txt").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("x"));

        // BlockPublicAcls: a public ACL is refused, a private one still set; nothing was written by the refusals
        root.putPublicAccessBlock(r -> r.bucket("sdk-pab").publicAccessBlockConfiguration(c -> c.blockPublicAcls(true)));
        assertEquals(403, status(() -> root.putObject(r -> r.bucket("sdk-pab").key("refused.txt").acl(ObjectCannedACL.PUBLIC_READ),
                RequestBody.fromString("no"))));
        assertEquals(404, status(() -> root.headObject(r -> r.bucket("sdk-pab").key("refused.txt"))));
        assertEquals(403, status(() -> root.putBucketAcl(r -> r.bucket("sdk-pab").acl(BucketCannedACL.PUBLIC_READ_WRITE))));
        assertEquals(403, status(() -> root.putObjectAcl(r -> r.bucket("sdk-pab").key("open.txt").acl(ObjectCannedACL.PUBLIC_READ))));
        assertEquals(403, status(() -> root.createMultipartUpload(r -> r.bucket("sdk-pab").key("m").acl(ObjectCannedACL.PUBLIC_READ))));
        root.putObject(r -> r.bucket("sdk-pab").key("private.txt").acl(ObjectCannedACL.PRIVATE), RequestBody.fromString("p"));
        // only BlockPublicAcls now: the grants set before count again
        assertEquals("open", anonymous.getObjectAsBytes(r -> r.bucket("sdk-pab").key("open.txt")).asUtf8String());

        root.deletePublicAccessBlock(r -> r.bucket("sdk-pab"));
        assertEquals(404, status(() -> root.getPublicAccessBlock(r -> r.bucket("sdk-pab"))));
        root.putObjectAcl(r -> r.bucket("sdk-pab").key("private.txt").acl(ObjectCannedACL.PUBLIC_READ));
        assertEquals("p", anonymous.getObjectAsBytes(r -> r.bucket("sdk-pab").key("private.txt")).asUtf8String());
        try (S3Client other = S3TestSupport.client(node.httpPort(), otherKey, otherSecret, Region.US_EAST_1)) {
            assertEquals(403, status(() -> other.putPublicAccessBlock(r -> r.bucket("sdk-pab")
                    .publicAccessBlockConfiguration(c -> c.blockPublicAcls(false)))));
        }
    }

    /**
     * A bucket policy opening reads to 127.0.0.2 only, a Deny by s3:prefix, an Allow to one key: anonymous GETs over
     * sockets bound to 127.0.0.2 and 127.0.0.3 (loopback takes any 127.x source) get 200 and 403.
     */
    @Test
    void bucketPolicy() throws Exception {
        root.createBucket(r -> r.bucket("sdk-policy"));
        root.putObject(r -> r.bucket("sdk-policy").key("docs/a.txt"), RequestBody.fromString("policy-read"));
        root.putObject(r -> r.bucket("sdk-policy").key("hidden/b.txt"), RequestBody.fromString("hidden"));
        assertEquals(404, status(() -> root.getBucketPolicy(r -> r.bucket("sdk-policy"))));
        String policy = """
                {"Version":"2012-10-17","Statement":[
                 {"Sid":"ReadFromTwo","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],
                  "Resource":["arn:aws:s3:::sdk-policy","arn:aws:s3:::sdk-policy/*"],
                  "Condition":{"IpAddress":{"aws:SourceIp":["127.0.0.2/32"]}}},
                 {"Sid":"NotHidden","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*",
                  "Resource":"arn:aws:s3:::sdk-policy/hidden/*"},
                 {"Sid":"NoHiddenListing","Effect":"Deny","Principal":"*","Action":"s3:ListBucket",
                  "Resource":"arn:aws:s3:::sdk-policy","Condition":{"StringLike":{"s3:prefix":"hidden*"}}},
                 {"Sid":"OtherWrites","Effect":"Allow","Principal":{"AWS":["%s"]},"Action":"s3:PutObject",
                  "Resource":"arn:aws:s3:::sdk-policy/drop/*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}
                """.formatted(otherKey);
        root.putBucketPolicy(r -> r.bucket("sdk-policy").policy(policy));
        assertEquals(policy, root.getBucketPolicy(r -> r.bucket("sdk-policy")).policy());
        assertEquals(false, root.getBucketPolicyStatus(r -> r.bucket("sdk-policy")).policyStatus().isPublic());

        int port = node.httpPort();
        assertTrue(anonymousGetFrom("127.0.0.2", port, "/sdk-policy/docs/a.txt").startsWith("HTTP/1.1 200"));
        assertTrue(anonymousGetFrom("127.0.0.2", port, "/sdk-policy/docs/a.txt").endsWith("policy-read"));
        assertTrue(anonymousGetFrom("127.0.0.3", port, "/sdk-policy/docs/a.txt").startsWith("HTTP/1.1 403"));
        String denied = anonymousGetFrom("127.0.0.2", port, "/sdk-policy/hidden/b.txt");
        assertTrue(denied.startsWith("HTTP/1.1 403") && denied.contains("NotHidden"), denied);
        assertTrue(anonymousGetFrom("127.0.0.2", port, "/sdk-policy?list-type=2&prefix=docs/").startsWith("HTTP/1.1 200"));
        assertTrue(anonymousGetFrom("127.0.0.2", port, "/sdk-policy?list-type=2&prefix=hidden/").startsWith("HTTP/1.1 403"));
        // the explicit Deny binds root keys too; a root key keeps managing the policy
        assertEquals(403, status(() -> root.getObject(r -> r.bucket("sdk-policy").key("hidden/b.txt"))));
        try (S3Client other = S3TestSupport.client(node.httpPort(), otherKey, otherSecret, Region.US_EAST_1)) {
            other.putObject(r -> r.bucket("sdk-policy").key("drop/from-other.txt"), RequestBody.fromString("dropped"));
            assertEquals(403, status(() -> other.putObject(r -> r.bucket("sdk-policy").key("elsewhere.txt"),
                    RequestBody.fromString("no"))));
            assertEquals(403, status(() -> other.getObject(r -> r.bucket("sdk-policy").key("drop/from-other.txt"))));
            assertEquals(403, status(() -> other.putBucketPolicy(r -> r.bucket("sdk-policy").policy(policy))));
        }

        // malformed and unsupported policies say what is wrong; the stored policy stays
        S3Exception bad = assertThrows(S3Exception.class, () -> root.putBucketPolicy(r -> r.bucket("sdk-policy")
                .policy("{\"Statement\":[{\"Effect\":\"Maybe\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                        + "\"Resource\":\"arn:aws:s3:::sdk-policy/*\"}]}")));
        assertEquals("MalformedPolicy", bad.awsErrorDetails().errorCode());
        assertTrue(bad.awsErrorDetails().errorMessage().contains("Allow or Deny"), bad.getMessage());
        assertEquals("MalformedPolicy", assertThrows(S3Exception.class, () -> root.putBucketPolicy(r -> r.bucket("sdk-policy")
                .policy("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                        + "\"Resource\":\"arn:aws:s3:::another-bucket/*\"}]}"))).awsErrorDetails().errorCode());
        assertEquals(501, status(() -> root.putBucketPolicy(r -> r.bucket("sdk-policy")
                .policy("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                        + "\"Resource\":\"arn:aws:s3:::sdk-policy/*\",\"Condition\":{\"NumericLessThan\":"
                        + "{\"s3:max-keys\":\"10\"}}}]}"))));
        assertEquals(policy, root.getBucketPolicy(r -> r.bucket("sdk-policy")).policy());

        // a public policy: BlockPublicPolicy refuses it, RestrictPublicBuckets stops it from opening anything anonymously
        String open = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::sdk-policy/docs/*\"}]}";
        root.putPublicAccessBlock(r -> r.bucket("sdk-policy").publicAccessBlockConfiguration(c -> c.blockPublicPolicy(true)));
        assertEquals(403, status(() -> root.putBucketPolicy(r -> r.bucket("sdk-policy").policy(open))));
        root.putPublicAccessBlock(r -> r.bucket("sdk-policy").publicAccessBlockConfiguration(c -> c.restrictPublicBuckets(true)));
        root.putBucketPolicy(r -> r.bucket("sdk-policy").policy(open));
        assertEquals(true, root.getBucketPolicyStatus(r -> r.bucket("sdk-policy")).policyStatus().isPublic());
        assertEquals(403, rawGet("/sdk-policy/docs/a.txt", null).statusCode());
        root.deletePublicAccessBlock(r -> r.bucket("sdk-policy"));
        assertEquals("policy-read", rawGet("/sdk-policy/docs/a.txt", null).body());
        root.deleteBucketPolicy(r -> r.bucket("sdk-policy"));
        assertEquals(403, rawGet("/sdk-policy/docs/a.txt", null).statusCode());
        assertEquals("hidden", root.getObjectAsBytes(r -> r.bucket("sdk-policy").key("hidden/b.txt")).asUtf8String());
    }

    /**
     * Object ACLs beyond public-read: authenticated-read (any key of the cluster, not anonymous), and grants to one key
     * by canonical user ID (an AccessControlPolicy body, or x-amz-grant-* headers) for READ and READ_ACP, read back by
     * GetObjectAcl and enforced on GET and HEAD; a new body starts private again; the unsupported is answered plainly.
     */
    @Test
    void objectAclsForKeysAndAuthenticatedUsers() throws Exception {
        root.createBucket(r -> r.bucket("sdk-object-acl"));
        S3TestSupport.KeyPair third = S3TestSupport.createKey(endpoint, SHARD_KEY, "third", "{}");
        try (S3Client other = S3TestSupport.client(node.httpPort(), otherKey, otherSecret, Region.US_EAST_1);
             S3Client stranger = S3TestSupport.client(node.httpPort(), third.accessKey(), third.secretKey(), Region.US_EAST_1)) {
            // authenticated-read: any key of this cluster reads it (the other key has no permission of its own)
            long before = recordWrites();
            root.putObject(r -> r.bucket("sdk-object-acl").key("members.txt").acl(ObjectCannedACL.AUTHENTICATED_READ),
                    RequestBody.fromString("for members"));
            assertEquals(1, recordWrites() - before, "records written by a PUT with x-amz-acl: authenticated-read");
            assertEquals("for members", other.getObjectAsBytes(r -> r.bucket("sdk-object-acl").key("members.txt")).asUtf8String());
            assertEquals(11, stranger.headObject(r -> r.bucket("sdk-object-acl").key("members.txt")).contentLength());
            assertEquals(403, status(() -> anonymous.getObject(r -> r.bucket("sdk-object-acl").key("members.txt"))));
            assertEquals(403, status(() -> anonymous.headObject(r -> r.bucket("sdk-object-acl").key("members.txt"))));
            var members = root.getObjectAcl(r -> r.bucket("sdk-object-acl").key("members.txt"));
            assertTrue(members.grants().stream().anyMatch(g -> g.grantee().type() == Type.GROUP
                    && g.grantee().uri().endsWith("/AuthenticatedUsers") && g.permission() == Permission.READ), members.toString());
            assertEquals(403, status(() -> other.getObjectAcl(r -> r.bucket("sdk-object-acl").key("members.txt"))),
                    "READ does not open the ACL itself");
            assertEquals(403, status(() -> other.putObject(r -> r.bucket("sdk-object-acl").key("members.txt"),
                    RequestBody.fromString("no"))), "nor writing");

            // a grant to one key by its canonical user ID, in an AccessControlPolicy body
            root.putObject(r -> r.bucket("sdk-object-acl").key("one-key.txt"), RequestBody.fromString("for one key"));
            assertEquals(403, status(() -> other.getObject(r -> r.bucket("sdk-object-acl").key("one-key.txt"))));
            String ownerId = root.getObjectAcl(r -> r.bucket("sdk-object-acl").key("one-key.txt")).owner().id();
            String otherId = other.listBuckets().owner().id();
            before = recordWrites();
            root.putObjectAcl(r -> r.bucket("sdk-object-acl").key("one-key.txt").accessControlPolicy(p -> p
                    .owner(o -> o.id(ownerId))
                    .grants(g -> g.grantee(e -> e.type(Type.CANONICAL_USER).id(otherId)).permission(Permission.READ),
                            g -> g.grantee(e -> e.type(Type.CANONICAL_USER).id(otherId)).permission(Permission.READ_ACP))));
            assertEquals(1, recordWrites() - before, "records written by PutObjectAcl");
            var granted = other.getObjectAcl(r -> r.bucket("sdk-object-acl").key("one-key.txt"));
            assertTrue(granted.grants().stream().anyMatch(g -> otherId.equals(g.grantee().id()) && g.permission() == Permission.READ),
                    granted.toString());
            assertTrue(granted.grants().stream().anyMatch(g -> otherId.equals(g.grantee().id())
                    && g.permission() == Permission.READ_ACP), granted.toString());
            assertEquals("for one key", other.getObjectAsBytes(r -> r.bucket("sdk-object-acl").key("one-key.txt")).asUtf8String());
            assertEquals(403, status(() -> stranger.getObject(r -> r.bucket("sdk-object-acl").key("one-key.txt"))));
            assertEquals(403, status(() -> stranger.getObjectAcl(r -> r.bucket("sdk-object-acl").key("one-key.txt"))));
            assertEquals(403, status(() -> anonymous.getObject(r -> r.bucket("sdk-object-acl").key("one-key.txt"))));
            assertEquals(403, status(() -> other.putObjectAcl(r -> r.bucket("sdk-object-acl").key("one-key.txt")
                    .acl(ObjectCannedACL.PUBLIC_READ))), "READ_ACP is not WRITE_ACP");

            // the x-amz-grant-* headers, naming the key by its access key id; the previous grants are replaced
            root.putObjectAcl(r -> r.bucket("sdk-object-acl").key("one-key.txt").grantRead("id=\"" + third.accessKey() + "\""));
            assertEquals("for one key", stranger.getObjectAsBytes(r -> r.bucket("sdk-object-acl").key("one-key.txt")).asUtf8String());
            assertEquals(403, status(() -> other.getObject(r -> r.bucket("sdk-object-acl").key("one-key.txt"))));

            // a new body starts private, as on S3
            root.putObject(r -> r.bucket("sdk-object-acl").key("one-key.txt"), RequestBody.fromString("new body"));
            assertEquals(403, status(() -> stranger.getObject(r -> r.bucket("sdk-object-acl").key("one-key.txt"))));
            assertEquals(1, root.getObjectAcl(r -> r.bucket("sdk-object-acl").key("one-key.txt")).grants().size(),
                    "only the owner's FULL_CONTROL");

            // IgnorePublicAcls: AuthenticatedUsers is a public grant too
            root.putPublicAccessBlock(r -> r.bucket("sdk-object-acl").publicAccessBlockConfiguration(c -> c.ignorePublicAcls(true)));
            assertEquals(403, status(() -> other.getObject(r -> r.bucket("sdk-object-acl").key("members.txt"))));
            root.deletePublicAccessBlock(r -> r.bucket("sdk-object-acl"));
            assertEquals(11, other.headObject(r -> r.bucket("sdk-object-acl").key("members.txt")).contentLength());
        }

        // what is not supported says so
        S3Exception email = assertThrows(S3Exception.class, () -> root.putObjectAcl(r -> r.bucket("sdk-object-acl")
                .key("members.txt").grantRead("emailAddress=\"someone@example.com\"")));
        assertEquals(501, email.statusCode());
        assertTrue(email.awsErrorDetails().errorMessage().contains("e-mail"), email.getMessage());
        S3Exception multipart = assertThrows(S3Exception.class, () -> root.createMultipartUpload(r -> r.bucket("sdk-object-acl")
                .key("big").acl(ObjectCannedACL.AUTHENTICATED_READ)));
        assertEquals(501, multipart.statusCode());
        assertTrue(multipart.awsErrorDetails().errorMessage().contains("PutObjectAcl"), multipart.getMessage());
        HttpResponse<String> malformed = S3TestSupport.signed(HttpClient.newHttpClient(), node.httpPort(), "PUT",
                "/sdk-object-acl/members.txt?acl", "<AccessControlPolicy><Nope/></AccessControlPolicy>".getBytes(), Map.of());
        assertEquals(400, malformed.statusCode(), malformed.body());
        assertTrue(malformed.body().contains("MalformedACLError"), malformed.body());
    }

    private static long recordWrites() throws Exception {
        return S3TestSupport.recordWrites(node.httpPort(), SHARD_KEY);
    }

    /** An unsigned GET over a socket bound to {@code source}: status line, headers and body as text. */
    static String anonymousGetFrom(String source, int port, String path) throws Exception {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.bind(new java.net.InetSocketAddress(source, 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void boto3() throws Exception {
        Path script = tmp.resolve("boto3_acl.py");
        try (InputStream in = S3AccessControlTest.class.getResourceAsStream("/s3/boto3_acl.py")) {
            Files.write(script, in.readAllBytes());
        }
        S3TestSupport.Result r = run(List.of("/usr/bin/python3", script.toString(), endpoint, "boto3", S3TestSupport.ACCESS_KEY,
                S3TestSupport.SECRET_KEY, otherKey, otherSecret), Map.of());
        assertEquals(0, r.exit(), "boto3 (apt-get install python3-boto3):\n" + r.out());
        assertTrue(r.out().trim().endsWith("ALL OK"), r.out());
    }

    /** Each aws invocation costs seconds of Python start-up here: seven of them, the rest through the SDK. */
    @Test
    void awsCli() throws Exception {
        String aws = DebianProgram.AWS_CLI.require().toString();
        Path file = tmp.resolve("cli.txt");
        Files.writeString(file, "from the aws cli");
        root.createBucket(r -> r.bucket("cli-acl"));
        root.putObject(r -> r.bucket("cli-acl").key("dir/private.txt"), RequestBody.fromString("private"));
        aws(aws, true, "s3", "cp", "--acl", "public-read", file.toString(), "s3://cli-acl/dir/public.txt");
        HttpResponse<String> open = rawGet("/cli-acl/dir/public.txt", null);
        assertEquals(200, open.statusCode(), open.body());
        assertEquals("from the aws cli", open.body());
        assertEquals(403, rawGet("/cli-acl/dir/private.txt", null).statusCode());
        aws(aws, true, "s3api", "put-bucket-acl", "--bucket", "cli-acl", "--acl", "public-read");
        String listed = aws(aws, true, "--no-sign-request", "s3", "ls", "s3://cli-acl/dir/");
        assertTrue(listed.contains("public.txt") && listed.contains("private.txt"), listed);
        aws(aws, true, "s3api", "put-object-acl", "--bucket", "cli-acl", "--key", "dir/public.txt", "--acl", "private");
        assertEquals(403, rawGet("/cli-acl/dir/public.txt", null).statusCode());
        // authenticated-read, and a grant to one key with --grant-read, read back with get-object-acl
        aws(aws, true, "s3", "cp", "--acl", "authenticated-read", file.toString(), "s3://cli-acl/dir/members.txt");
        aws(aws, true, "s3api", "put-object-acl", "--bucket", "cli-acl", "--key", "dir/private.txt", "--grant-read",
                "id=" + otherKey);
        String acl = aws(aws, true, "s3api", "get-object-acl", "--bucket", "cli-acl", "--key", "dir/private.txt");
        assertTrue(acl.contains("\"ID\": \"" + otherKey + "\"") && acl.contains("\"Permission\": \"READ\""), acl);
        assertEquals(403, rawGet("/cli-acl/dir/members.txt", null).statusCode());
        try (S3Client other = S3TestSupport.client(node.httpPort(), otherKey, otherSecret, Region.US_EAST_1)) {
            assertEquals("from the aws cli", other.getObjectAsBytes(r -> r.bucket("cli-acl").key("dir/members.txt")).asUtf8String());
            assertEquals("private", other.getObjectAsBytes(r -> r.bucket("cli-acl").key("dir/private.txt")).asUtf8String());
        }
    }

    static HttpResponse<String> rawGet(String path, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + path));
        if (range != null) {
            b.header("Range", range);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static int status(Runnable call) {
        return assertThrows(S3Exception.class, call::run).statusCode();
    }

    private static String aws(String aws, boolean shouldSucceed, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(aws, "--endpoint-url", endpoint));
        cmd.addAll(List.of(args));
        Path config = tmp.resolve("aws-config");
        if (!Files.exists(config)) {
            Files.writeString(config, "[default]\nregion = us-east-1\ns3 =\n    signature_version = s3v4\n");
        }
        S3TestSupport.Result r = run(cmd, Map.of("AWS_ACCESS_KEY_ID", S3TestSupport.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY",
                S3TestSupport.SECRET_KEY, "AWS_DEFAULT_REGION", "us-east-1", "AWS_CONFIG_FILE", config.toString(),
                "AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("no-credentials").toString(),
                "AWS_EC2_METADATA_DISABLED", "true", "AWS_PAGER", ""));
        if ((r.exit() == 0) != shouldSucceed) {
            fail(String.join(" ", cmd) + " exited " + r.exit() + ":\n" + r.out());
        }
        return r.out();
    }

    static S3TestSupport.Result run(List<String> cmd, Map<String, String> env) throws Exception {
        return S3TestSupport.run(tmp, cmd, env);
    }
}
