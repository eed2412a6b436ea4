package io.hifadhi.api.s3;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one table of S3 operations: what each request selects, what is refused, and the README's copy. */
class S3OperationTest {

    private static S3Operation of(String method, String bucket, String key, boolean copy, String... params) throws S3Exception {
        Map<String, List<String>> q = new java.util.LinkedHashMap<>();
        for (String p : params) {
            q.put(p, List.of(""));
        }
        return S3Operation.of(method, bucket, key, q, copy);
    }

    @Test
    void requestsSelectTheirOperation() throws S3Exception {
        assertEquals(S3Operation.ListBuckets, of("GET", null, null, false));
        assertEquals(S3Operation.ListObjects, of("GET", "b", null, false, "prefix", "max-keys"));
        assertEquals(S3Operation.ListObjectsV2, of("GET", "b", null, false, "list-type", "start-after"));
        assertEquals(S3Operation.ListMultipartUploads, of("GET", "b", null, false, "uploads", "key-marker"));
        assertEquals(S3Operation.CreateBucket, of("PUT", "b", null, false));
        assertEquals(S3Operation.PutBucketCors, of("PUT", "b", null, false, "cors"));
        assertEquals(S3Operation.DeleteObjects, of("POST", "b", null, false, "delete"));
        assertEquals(S3Operation.PutObject, of("PUT", "b", "k", false));
        assertEquals(S3Operation.CopyObject, of("PUT", "b", "k", true));
        assertEquals(S3Operation.UploadPart, of("PUT", "b", "k", false, "partNumber", "uploadId"));
        assertEquals(S3Operation.UploadPartCopy, of("PUT", "b", "k", true, "uploadId", "partNumber"));
        assertEquals(S3Operation.ListParts, of("GET", "b", "k", false, "uploadId", "max-parts"));
        assertEquals(S3Operation.GetObject, of("GET", "b", "k", false, "response-content-type", "x-id", "X-Amz-Date"));
        assertEquals(S3Operation.CompleteMultipartUpload, of("POST", "b", "k", false, "uploadId"));
        assertEquals(S3Operation.AbortMultipartUpload, of("DELETE", "b", "k", false, "uploadId"));
        assertEquals(S3Operation.DeleteObject, of("DELETE", "b", "k", false));
    }

    @Test
    void unsupportedOperationsAndParametersAreNamedIn501() {
        S3Exception website = assertThrows(S3Exception.class, () -> of("PUT", "b", null, false, "website"));
        assertEquals("NotImplemented", website.code());
        assertTrue(website.getMessage().contains("PutBucketWebsite"), website.getMessage());
        S3Exception unknown = assertThrows(S3Exception.class, () -> of("GET", "b", "k", false, "torrent"));
        assertEquals("NotImplemented", unknown.code());
        assertTrue(unknown.getMessage().contains("'torrent'"), unknown.getMessage());
        // a parameter of another operation is refused too, not silently ignored
        assertEquals("NotImplemented", assertThrows(S3Exception.class, () -> of("GET", "b", null, false, "start-after")).code());
        assertEquals("MethodNotAllowed", assertThrows(S3Exception.class, () -> of("PUT", null, null, false)).code());
        assertEquals("MethodNotAllowed", assertThrows(S3Exception.class, () -> of("PATCH", "b", "k", false)).code());
    }

    @Test
    void everyOperationIsReachable() throws S3Exception {
        for (S3Operation op : S3Operation.values()) {
            String bucket = op.scope() == S3Operation.Scope.SERVICE ? null : "b";
            String key = op.scope() == S3Operation.Scope.OBJECT ? "k" : null;
            String[] params = op.markers().stream().limit(1).toArray(String[]::new);
            if (op.supported()) {
                assertEquals(op, of(op.method(), bucket, key, op.readsCopySource(), params), op.name());
            } else {
                S3Exception e = assertThrows(S3Exception.class, () -> of(op.method(), bucket, key, false, params));
                assertTrue(e.getMessage().startsWith(op.name() + " "), op.name() + ": " + e.getMessage());
            }
        }
    }

    /** The README's table is this enum rendered; a change to one without the other fails here. */
    @Test
    void readmeTableMatchesTheEnum() throws IOException {
        StringBuilder t = new StringBuilder("| Operation | Request | Key needs | Supported |\n|---|---|---|---|\n");
        for (S3Operation op : S3Operation.values()) {
            String path = switch (op.scope()) {
                case SERVICE -> "/";
                case BUCKET -> "/bucket";
                case OBJECT -> "/bucket/key";
            };
            String marker = op.markers().isEmpty() ? "" : "?" + String.join(" or ?", new TreeSet<>(op.markers()));
            String copy = op.readsCopySource() ? " + `x-amz-copy-source`" : "";
            String needs = switch (op.need()) {
                case NONE -> "any key";
                case READ -> "read";
                case WRITE -> "write";
                case ROOT -> "root key";
            };
            t.append("| ").append(op.name()).append(" | `").append(op.method()).append(' ').append(path).append(marker)
                    .append('`').append(copy).append(" | ").append(needs).append(" | ")
                    .append(op.supported() ? "yes" : "no (501)").append(" |\n");
        }
        String readme = Files.readString(Path.of("README.md"));
        if (!readme.contains(t)) {
            Path expected = Path.of("target", "s3-operations-table.md");
            Files.writeString(expected, t);
            throw new AssertionError("api/README.md's S3 operation table is out of date; the current one is in " + expected);
        }
    }
}
