package io.hifadhi.node.keys;

import com.fasterxml.jackson.databind.JsonNode;
import io.hifadhi.node.Node;
import io.hifadhi.node.config.NodeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.hifadhi.node.keys.KeyAdmin.call;
import static io.hifadhi.node.keys.KeyAdmin.fails;
import static io.hifadhi.node.keys.KeyAdmin.failsWithStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real node, its admin API over HTTP and the AWS SDK: a key made with read on one bucket and
 * readwrite on another can do exactly that, and a refused request changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AccessKeyAdminTest {
    static final String KEY = "key-admin-test-shard-key-0123456789";
    static final String ROOT_ACCESS = "AKIDKEYADMINROOT01";
    static final String ROOT_SECRET = "key-admin-test-root-secret-0123456789";

    @TempDir
    static Path tmp;
    Node node;
    int port;
    S3Client root;

    @BeforeAll
    void start() throws Exception {
        node = new Node(NodeConfig.builder(tmp.resolve("data")).name("keys").bindAddress("127.0.0.1").httpPort(0)
                .clusterPort(0).shardKey(KEY).accessKey(ROOT_ACCESS).secretKey(ROOT_SECRET).build(),
                new PrintStream(new ByteArrayOutputStream()));
        node.start();
        port = node.httpPort();
        root = KeyAdmin.s3(port, ROOT_ACCESS, ROOT_SECRET);
        for (String b : List.of("photos", "backups", "private-c")) {
            root.createBucket(r -> r.bucket(b));
        }
        root.putObject(r -> r.bucket("photos").key("cat.jpg"), RequestBody.fromString("meow"));
        root.putObject(r -> r.bucket("private-c").key("secret.txt"), RequestBody.fromString("classified"));
    }

    @AfterAll
    void stop() {
        if (root != null) {
            root.close();
        }
        node.close();
    }

    private JsonNode create(String body) throws Exception {
        KeyAdmin.Reply r = call(port, KEY, "POST", "/api/v1/keys", body);
        assertEquals(201, r.status(), r.body());
        return r.json();
    }

    private String content(String bucket, String key) {
        return root.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asUtf8String();
    }

    @Test
    void aKeyCanDoWhatItsPermissionsGrantAndNothingElse() throws Exception {
        JsonNode made = create("{\"name\": \"backup-job\", \"buckets\": {\"photos\": \"read\", \"backups\": \"readwrite\"}}");
        String id = made.get("access_key").asText();
        String secret = made.get("secret_key").asText();
        assertTrue(id.matches("HFD[A-Z0-9]{17}"), id);
        assertTrue(secret.matches("[A-Za-z0-9]{40}"), "a secret shaped like the bootstrap ones");
        assertEquals("backup-job", made.get("name").asText());
        assertFalse(made.get("root").asBoolean());

        try (S3Client limited = KeyAdmin.s3(port, id, secret)) {
            // read on photos
            assertEquals("meow", limited.getObjectAsBytes(r -> r.bucket("photos").key("cat.jpg")).asUtf8String());
            limited.headObject(r -> r.bucket("photos").key("cat.jpg"));
            limited.headBucket(r -> r.bucket("photos"));
            assertEquals(List.of("cat.jpg"), limited.listObjectsV2(r -> r.bucket("photos")).contents().stream().map(S3Object::key).toList());
            limited.getBucketLocation(r -> r.bucket("photos"));
            // ... but no write: 403, and the object is unchanged, nothing new appears
            fails("AccessDenied", 403, () -> limited.putObject(r -> r.bucket("photos").key("cat.jpg"), RequestBody.fromString("woof")));
            fails("AccessDenied", 403, () -> limited.putObject(r -> r.bucket("photos").key("new.txt"), RequestBody.fromString("x")));
            fails("AccessDenied", 403, () -> limited.deleteObject(r -> r.bucket("photos").key("cat.jpg")));
            fails("AccessDenied", 403, () -> limited.deleteObjects(r -> r.bucket("photos").delete(d -> d.objects(o -> o.key("cat.jpg")))));
            fails("AccessDenied", 403, () -> limited.createMultipartUpload(r -> r.bucket("photos").key("big.bin")));
            fails("AccessDenied", 403, () -> limited.copyObject(r -> r.sourceBucket("backups").sourceKey("nothing")
                    .destinationBucket("photos").destinationKey("copied")));
            assertEquals("meow", content("photos", "cat.jpg"));
            assertEquals(List.of("cat.jpg"), root.listObjectsV2(r -> r.bucket("photos")).contents().stream().map(S3Object::key).toList());

            // readwrite on backups: put, read, copy in from a readable bucket, multipart, delete
            limited.putObject(r -> r.bucket("backups").key("db.dump"), RequestBody.fromString("rows"));
            assertEquals("rows", limited.getObjectAsBytes(r -> r.bucket("backups").key("db.dump")).asUtf8String());
            assertEquals("rows", content("backups", "db.dump"));
            limited.copyObject(r -> r.sourceBucket("photos").sourceKey("cat.jpg").destinationBucket("backups").destinationKey("cat-copy.jpg"));
            assertEquals("meow", content("backups", "cat-copy.jpg"));
            String upload = limited.createMultipartUpload(r -> r.bucket("backups").key("parts.bin")).uploadId();
            String etag = limited.uploadPart(r -> r.bucket("backups").key("parts.bin").uploadId(upload).partNumber(1),
                    RequestBody.fromString("only part")).eTag();
            limited.completeMultipartUpload(r -> r.bucket("backups").key("parts.bin").uploadId(upload)
                    .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
            assertEquals("only part", content("backups", "parts.bin"));
            limited.deleteObject(r -> r.bucket("backups").key("parts.bin"));
            fails("NoSuchKey", 404, () -> root.getObject(r -> r.bucket("backups").key("parts.bin")));

            // bucket C: nothing at all, and a bucket that does not exist looks the same (no existence leak)
            fails("AccessDenied", 403, () -> limited.getObjectAsBytes(r -> r.bucket("private-c").key("secret.txt")));
            fails("AccessDenied", 403, () -> limited.listObjectsV2(r -> r.bucket("private-c")));
            failsWithStatus(403, () -> limited.headBucket(r -> r.bucket("private-c")));
            failsWithStatus(403, () -> limited.headBucket(r -> r.bucket("no-such-bucket")));
            fails("AccessDenied", 403, () -> limited.putObject(r -> r.bucket("private-c").key("secret.txt"), RequestBody.fromString("pwned")));
            fails("AccessDenied", 403, () -> limited.copyObject(r -> r.sourceBucket("private-c").sourceKey("secret.txt")
                    .destinationBucket("backups").destinationKey("stolen.txt")));
            assertEquals("classified", content("private-c", "secret.txt"));
            fails("NoSuchKey", 404, () -> root.getObject(r -> r.bucket("backups").key("stolen.txt")));

            // ListBuckets shows only the buckets the key has a permission on
            assertEquals(List.of("backups", "photos"), limited.listBuckets().buckets().stream().map(Bucket::name).toList());
            // bucket-level changes are for root keys
            fails("AccessDenied", 403, () -> limited.createBucket(r -> r.bucket("made-by-limited")));
            fails("AccessDenied", 403, () -> limited.deleteBucket(r -> r.bucket("backups")));
            fails("AccessDenied", 403, () -> limited.putBucketCors(r -> r.bucket("backups").corsConfiguration(c -> c.corsRules(
                    rule -> rule.allowedMethods("GET").allowedOrigins("*")))));
            assertEquals(List.of("backups", "photos", "private-c"), root.listBuckets().buckets().stream().map(Bucket::name).toList());
            fails("NoSuchCORSConfiguration", 404, () -> root.getBucketCors(r -> r.bucket("backups")));
        }
    }

    @Test
    void permissionsCanBeChangedAndTheChangeAppliesAtOnce() throws Exception {
        JsonNode made = create("{\"name\": \"rotating\", \"buckets\": {\"photos\": \"read\", \"backups\": \"write\"}}");
        String id = made.get("access_key").asText();
        try (S3Client k = KeyAdmin.s3(port, id, made.get("secret_key").asText())) {
            fails("AccessDenied", 403, () -> k.getObject(r -> r.bucket("backups").key("whatever")));
            k.putObject(r -> r.bucket("backups").key("write-only.txt"), RequestBody.fromString("w"));
            KeyAdmin.Reply changed = call(port, KEY, "PUT", "/api/v1/keys/" + id, "{\"buckets\": {\"photos\": \"readwrite\"}}");
            assertEquals(200, changed.status(), changed.body());
            assertEquals("readwrite", changed.json().get("buckets").get("photos").asText());
            assertEquals("rotating", changed.json().get("name").asText());
            k.putObject(r -> r.bucket("photos").key("by-rotating.txt"), RequestBody.fromString("ok"));
            fails("AccessDenied", 403, () -> k.putObject(r -> r.bucket("backups").key("write-only.txt"), RequestBody.fromString("again")));
            assertEquals(List.of("photos"), k.listBuckets().buckets().stream().map(Bucket::name).toList());
        }
        root.deleteObject(r -> r.bucket("photos").key("by-rotating.txt"));
        root.deleteObject(r -> r.bucket("backups").key("write-only.txt"));
    }

    @Test
    void listingAndShowingNeverRevealSecrets() throws Exception {
        JsonNode made = create("{\"name\": \"listed\", \"buckets\": {\"photos\": \"read\"}}");
        String id = made.get("access_key").asText();
        String secret = made.get("secret_key").asText();
        KeyAdmin.Reply list = call(port, KEY, "GET", "/api/v1/keys", null);
        assertEquals(200, list.status(), list.body());
        assertFalse(list.body().contains(secret) || list.body().contains(ROOT_SECRET) || list.body().contains("secret"), list.body());
        List<String> ids = new ArrayList<>();
        JsonNode rootEntry = null;
        for (JsonNode k : list.json().get("keys")) {
            ids.add(k.get("access_key").asText());
            if (k.get("access_key").asText().equals(ROOT_ACCESS)) {
                rootEntry = k;
            }
        }
        assertTrue(ids.contains(id) && ids.contains(ROOT_ACCESS), ids.toString());
        assertTrue(rootEntry.get("root").asBoolean(), rootEntry.toString());
        assertEquals("bootstrap key of keys", rootEntry.get("name").asText());

        KeyAdmin.Reply one = call(port, KEY, "GET", "/api/v1/keys/" + id, null);
        assertEquals(200, one.status(), one.body());
        assertFalse(one.body().contains(secret), one.body());
        assertEquals("read", one.json().get("buckets").get("photos").asText());
        assertEquals("listed", one.json().get("name").asText());
        assertTrue(one.json().get("created").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), one.body());
    }

    @Test
    void aDeletedKeyStopsWorkingAndRootKeysCannotBeDeleted() throws Exception {
        JsonNode made = create("{\"name\": \"short-lived\", \"buckets\": {\"photos\": \"read\"}}");
        String id = made.get("access_key").asText();
        try (S3Client k = KeyAdmin.s3(port, id, made.get("secret_key").asText())) {
            assertEquals("meow", k.getObjectAsBytes(r -> r.bucket("photos").key("cat.jpg")).asUtf8String());
            assertEquals(204, call(port, KEY, "DELETE", "/api/v1/keys/" + id, null).status());
            fails("InvalidAccessKeyId", 403, () -> k.getObjectAsBytes(r -> r.bucket("photos").key("cat.jpg")));
        }
        assertEquals(404, call(port, KEY, "GET", "/api/v1/keys/" + id, null).status());
        assertEquals(404, call(port, KEY, "DELETE", "/api/v1/keys/" + id, null).status());

        KeyAdmin.Reply refused = call(port, KEY, "DELETE", "/api/v1/keys/" + ROOT_ACCESS, null);
        assertEquals(409, refused.status(), refused.body());
        assertEquals("root_key", refused.json().get("error").asText());
        assertEquals(409, call(port, KEY, "PUT", "/api/v1/keys/" + ROOT_ACCESS, "{\"buckets\": {}}").status());
        assertEquals("meow", content("photos", "cat.jpg"), "the root key still works");
    }

    @Test
    void badRequestsGetClearErrorsAndCreateNothing() throws Exception {
        int before = call(port, KEY, "GET", "/api/v1/keys", null).json().get("keys").size();
        String[][] cases = {
                {"{\"buckets\": {\"photos\": \"read\"}}", "missing_parameter"},
                {"{\"name\": \"x\", \"buckets\": {\"photos\": \"admin\"}}", "invalid_permission"},
                {"{\"name\": \"x\", \"buckets\": {\"Not_A_Bucket\": \"read\"}}", "invalid_bucket"},
                {"{\"name\": \"x\", \"buckets\": [\"photos\"]}", "invalid_buckets"},
                {"{\"name\": \"x\", \"root\": true}", "unknown_field"},
                {"{\"name\": \"\"}", "invalid_name"},
                {"not json", "malformed_json"},
        };
        for (String[] c : cases) {
            KeyAdmin.Reply r = call(port, KEY, "POST", "/api/v1/keys", c[0]);
            assertEquals(400, r.status(), c[0] + " -> " + r.body());
            assertEquals(c[1], r.json().get("error").asText(), r.body());
            assertTrue(r.json().get("hint").asText().contains("readwrite"), r.body());
        }
        assertEquals(before, call(port, KEY, "GET", "/api/v1/keys", null).json().get("keys").size());
        assertEquals(405, call(port, KEY, "DELETE", "/api/v1/keys", null).status());
        assertEquals(405, call(port, KEY, "POST", "/api/v1/keys/HFDANY", "{}").status());
    }

    @Test
    void theAdminApiNeedsTheShardKey() throws Exception {
        for (String[] c : new String[][]{{"GET", "/api/v1/keys"}, {"POST", "/api/v1/keys"}, {"GET", "/api/v1/keys/" + ROOT_ACCESS},
                {"PUT", "/api/v1/keys/" + ROOT_ACCESS}, {"DELETE", "/api/v1/keys/" + ROOT_ACCESS}}) {
            KeyAdmin.Reply none = call(port, null, c[0], c[1], c[0].equals("POST") ? "{\"name\": \"sneaky\"}" : null);
            assertEquals(401, none.status(), c[0] + " " + c[1]);
            KeyAdmin.Reply wrong = call(port, "not-the-key", c[0], c[1], c[0].equals("POST") ? "{\"name\": \"sneaky\"}" : null);
            assertEquals(401, wrong.status(), c[0] + " " + c[1]);
            assertTrue(wrong.body().contains("does not match"), wrong.body());
        }
        KeyAdmin.Reply list = call(port, KEY, "GET", "/api/v1/keys", null);
        assertFalse(list.body().contains("sneaky"), list.body());
    }
}
