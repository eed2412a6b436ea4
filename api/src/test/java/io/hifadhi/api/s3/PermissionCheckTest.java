package io.hifadhi.api.s3;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which S3 operation needs which permission, and the permission model itself (pure logic). */
class PermissionCheckTest {

    private static S3Request request(String method, String bucket, String key, String query, Map<String, String> headers) {
        HttpServerExchange exchange = new HttpServerExchange(null);
        headers.forEach((k, v) -> exchange.getRequestHeaders().put(new HttpString(k), v));
        Map<String, List<String>> q = query == null ? Map.of() : Map.of(query, List.of(""));
        return new S3Request(exchange, method, bucket, key, q, null, "test");
    }

    private static S3Request request(String method, String bucket, String key, String query) {
        return request(method, bucket, key, query, Map.of());
    }

    private static S3Operation.Need need(S3Request r) throws S3Exception {
        return S3Operation.of(r.method(), r.bucket(), r.key(), r.query(), r.header("x-amz-copy-source") != null).need();
    }

    private static void enforce(Permissions p, S3Request r) throws S3Exception {
        PermissionCheck.enforce(p, S3Operation.of(r.method(), r.bucket(), r.key(), r.query(),
                r.header("x-amz-copy-source") != null), r);
    }

    @Test
    void eachOperationNeedsWhatTheDocumentationSays() throws S3Exception {
        assertEquals(S3Operation.Need.NONE, need(request("GET", null, null, null)));
        assertEquals(S3Operation.Need.READ, need(request("GET", "b", null, null)));
        assertEquals(S3Operation.Need.READ, need(request("GET", "b", null, "list-type")));
        assertEquals(S3Operation.Need.READ, need(request("GET", "b", null, "location")));
        assertEquals(S3Operation.Need.READ, need(request("GET", "b", null, "cors")));
        assertEquals(S3Operation.Need.READ, need(request("HEAD", "b", null, null)));
        assertEquals(S3Operation.Need.WRITE, need(request("GET", "b", null, "uploads")));
        assertEquals(S3Operation.Need.WRITE, need(request("POST", "b", null, "delete")));
        assertEquals(S3Operation.Need.ROOT, need(request("PUT", "b", null, null)));
        assertEquals(S3Operation.Need.ROOT, need(request("PUT", "b", null, "cors")));
        assertEquals(S3Operation.Need.ROOT, need(request("DELETE", "b", null, null)));
        assertEquals(S3Operation.Need.ROOT, need(request("DELETE", "b", null, "cors")));
        assertEquals(S3Operation.Need.READ, need(request("GET", "b", "k", null)));
        assertEquals(S3Operation.Need.READ, need(request("HEAD", "b", "k", null)));
        assertEquals(S3Operation.Need.WRITE, need(request("GET", "b", "k", "uploadId")));
        assertEquals(S3Operation.Need.WRITE, need(request("PUT", "b", "k", null)));
        assertEquals(S3Operation.Need.WRITE, need(request("DELETE", "b", "k", null)));
        assertEquals(S3Operation.Need.WRITE, need(request("POST", "b", "k", "uploads")));
    }

    @Test
    void enforcementFollowsTheGrants() {
        Permissions p = Permissions.of(Map.of("photos", Permission.READ, "backups", Permission.READWRITE, "drop", Permission.WRITE));
        assertDoesNotThrow(() -> enforce(p, request("GET", "photos", "k", null)));
        assertDenied(p, request("PUT", "photos", "k", null));
        assertDenied(p, request("GET", "drop", "k", null));
        assertDoesNotThrow(() -> enforce(p, request("PUT", "drop", "k", null)));
        assertDenied(p, request("GET", "other", "k", null));
        assertDenied(p, request("PUT", "backups", null, null));
        assertDoesNotThrow(() -> enforce(p, request("GET", null, null, null)));
        // a copy needs write on the destination and read on the source
        assertDoesNotThrow(() -> enforce(p, request("PUT", "backups", "k", null, Map.of("x-amz-copy-source", "/photos/a%20b"))));
        assertDenied(p, request("PUT", "backups", "k", null, Map.of("x-amz-copy-source", "drop/x")));
        assertDenied(p, request("PUT", "backups", "k", "uploadId", Map.of("x-amz-copy-source", "other/x")));
        // root may do anything, NONE nothing
        assertDoesNotThrow(() -> enforce(Permissions.ROOT, request("DELETE", "anything", null, null)));
        assertDenied(Permissions.NONE, request("HEAD", "photos", null, null));
    }

    @Test
    void permissionsParseStrictly() {
        assertEquals(Optional.of(Permission.READWRITE), Permission.parse(" ReadWrite "));
        assertEquals(Optional.of(Permission.READ), Permission.parse("read"));
        assertEquals(Optional.empty(), Permission.parse("admin"));
        assertEquals(Optional.empty(), Permission.parse("read-write"));
        assertTrue(Permission.WRITE.allowsWrite());
        assertFalse(Permission.WRITE.allowsRead());
        Permissions p = Permissions.of(Map.of("photos", Permission.READ));
        assertTrue(p.canSee("photos"));
        assertFalse(p.canSee("backups"));
        assertTrue(Permissions.ROOT.canSee("backups"));
    }

    private static void assertDenied(Permissions p, S3Request r) {
        S3Exception e = assertThrows(S3Exception.class, () -> enforce(p, r));
        assertEquals("AccessDenied", e.code());
        assertEquals(403, e.status());
    }
}
