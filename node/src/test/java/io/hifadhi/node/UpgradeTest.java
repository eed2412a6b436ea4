package io.hifadhi.node;

import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.s3.S3TestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A data directory written by the jar of f219eb8 (three RocksDB instances: records/, tables/, hints/) is served by
 * this release after its databases moved into the one node database: buckets, objects of several chunks with their
 * metadata, a delete, a pending multipart upload and an access key of limited rights, all as they were.
 *
 * <p>The directory was made with {@code java -jar hifadhi.jar --name=old-format --chunk-size=64KiB ...}, five S3
 * calls from boto3 and {@code hifadhi key create --name=reader --bucket=photos=read}, then a clean stop.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class UpgradeTest {
    static final String SHARD_KEY = "old-format-shard-key-00000000000000";
    static final String ACCESS_KEY = "AKIAOLDFORMAT0000001";
    static final String SECRET_KEY = "old-format-secret-key-0000000000000000";
    static final String BIG_SHA256 = "d2979f63fc353288130be1837d34f088e378e76c5baa67b8a6077c950db3c286";
    static final String UPLOAD_ID = "01a23a53f1a8f7cfb6a51232cd1d";

    @TempDir
    Path tmp;

    @Test
    void aDataDirectoryOfTheThreeDatabaseLayoutIsServedAsItWas() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        Path archive = tmp.resolve("data.tar.gz");
        try (InputStream in = UpgradeTest.class.getResourceAsStream("/upgrade/data-dir-f219eb8.tar.gz")) {
            Files.copy(in, archive);
        }
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", data.toString()).inheritIO().start();
        assertEquals(0, tar.waitFor());
        assertTrue(Files.isDirectory(data.resolve("records")) && Files.isDirectory(data.resolve("tables")));

        NodeConfig config = NodeConfig.builder(data).name("old-format").bindAddress("127.0.0.1").httpPort(0).clusterPort(0)
                .chunkSize(64 * 1024).shardKey(SHARD_KEY).accessKey(ACCESS_KEY).secretKey(SECRET_KEY).build();
        for (int start = 0; start < 2; start++) {
            Node node = new Node(config, new PrintStream(new ByteArrayOutputStream()));
            try {
                node.start();
                for (String legacy : List.of("records", "tables", "hints")) {
                    assertFalse(Files.exists(data.resolve(legacy)), legacy + "/ was not moved into db/");
                }
                assertServedAsBefore(node.httpPort());
            } finally {
                node.close();
            }
        }
    }

    private static void assertServedAsBefore(int port) throws Exception {
        try (S3Client root = S3TestSupport.client(port, ACCESS_KEY, SECRET_KEY, Region.US_EAST_1)) {
            assertEquals(List.of("empty", "photos"), root.listBuckets().buckets().stream().map(Bucket::name).sorted().toList());
            assertEquals(List.of("big.bin", "dir/small.txt"), root.listObjectsV2(r -> r.bucket("photos")).contents().stream()
                    .map(S3Object::key).toList());
            ResponseBytes<GetObjectResponse> big = root.getObjectAsBytes(r -> r.bucket("photos").key("big.bin"));
            assertEquals(200_000, big.asByteArray().length);
            assertEquals(BIG_SHA256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big.asByteArray())));
            assertEquals(Map.of("camera", "x100"), big.response().metadata());
            byte[] middle = root.getObjectAsBytes(r -> r.bucket("photos").key("big.bin").range("bytes=65530-65545")).asByteArray();
            for (int i = 0; i < middle.length; i++) {
                assertEquals((byte) (((65530 + i) * 7 + 3) % 251), middle[i], "byte " + (65530 + i) + " across a chunk edge");
            }
            assertThrows(NoSuchKeyException.class, () -> root.getObject(r -> r.bucket("photos").key("gone.txt")));
            assertEquals(List.of(UPLOAD_ID), root.listMultipartUploads(r -> r.bucket("photos")).uploads().stream()
                    .map(u -> u.uploadId()).toList());
            assertEquals(70_000L, root.listParts(r -> r.bucket("photos").key("pending.bin").uploadId(UPLOAD_ID)).parts().get(0).size());
        }
        // The key made with `hifadhi key create --bucket=photos=read` (its secret is sealed in the access-keys table).
        try (S3Client reader = S3TestSupport.client(port, "HFDXKB9ODWR92FSRD9XB", "Z2p7NB8pfImW9OvJbSjs4QkuQEeOT27dBcVhFK87", Region.US_EAST_1)) {
            assertEquals("small and old\n", reader.getObjectAsBytes(r -> r.bucket("photos").key("dir/small.txt")).asUtf8String());
            S3Exception refused = assertThrows(S3Exception.class, () -> reader.putObject(r -> r.bucket("photos").key("new.txt"),
                    software.amazon.awssdk.core.sync.RequestBody.fromString("no")));
            assertEquals(403, refused.statusCode());
        }
    }
}
