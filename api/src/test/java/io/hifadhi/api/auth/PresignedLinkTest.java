package io.hifadhi.api.auth;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PresignedLinkTest {

    static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void canonicalStringAndPathsAreExactlyAsDocumented() {
        PresignedLink link = new PresignedLink("GET", PresignedLink.pathFor(NativeOperation.RETRIEVE, "node-a@my film.mp4"),
                1700000000L, Cidr.parse("10.0.0.0/8"));
        assertEquals("/api/v1/retrieve/node-a%40my%20film.mp4", link.path());
        assertEquals("HIFADHI-PRESIGN-V1\nGET\n/api/v1/retrieve/node-a%40my%20film.mp4\n1700000000\n10.0.0.0/8", link.canonical());
        assertEquals("/api/v1/stream/a%40%2F%C3%A9~._-", PresignedLink.pathFor(NativeOperation.STREAM, "a@/é~._-"));
        assertEquals("/api/v1/store/a%40b", PresignedLink.pathFor(NativeOperation.STORE, "a@b"));
        assertThrows(IllegalArgumentException.class, () -> PresignedLink.pathFor(NativeOperation.CLUSTER, "a@b"));
        assertThrows(IllegalArgumentException.class, () -> new PresignedLink("DELETE", "/x", 1, null));
        assertEquals("X-Hifadhi-Expires=1700000000&X-Hifadhi-Method=GET&X-Hifadhi-IP=10.0.0.0%2F8&X-Hifadhi-Signature=ab",
                link.queryString("ab"));
    }

    @Test
    void keyIsDerivedFromTheClusterSecretAndSignsHmacSha256() throws Exception {
        String secret = "cluster-secret-0123456789";
        PresignedLink link = new PresignedLink("PUT", "/api/v1/store/a%40b", 42, null);
        byte[] derived = hmac(secret.getBytes(StandardCharsets.UTF_8), "hifadhi/presign/v1");
        String expected = HexFormat.of().formatHex(hmac(derived, link.canonical()));
        PresignKey key = PresignKey.derive(secret);
        assertEquals(expected, key.sign(link));
        assertTrue(key.verify(link, expected));
        assertFalse(key.verify(link, expected.substring(1) + "0"));
        assertFalse(key.verify(new PresignedLink("PUT", "/api/v1/store/a%40b", 43, null), expected));
        assertFalse(PresignKey.derive("another-secret-0123").verify(link, expected));
        // Never the raw secret's HMAC: a link signature must not double as anything else keyed by the secret.
        assertNotEquals(HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), link.canonical())), expected);
        assertFalse(key.toString().contains(secret));
    }

    @Test
    void linkParametersAreCollectedStrictly() {
        Map<String, String> out = new HashMap<>();
        assertNull(PresignedLinkPolicy.linkParameters("x-hifadhi-expires=5&X-Hifadhi-IP=10.0.0.0%2F8&other=1&flag", out));
        assertEquals(Map.of("X-Hifadhi-Expires", "5", "X-Hifadhi-IP", "10.0.0.0/8"), out);
        assertTrue(PresignedLinkPolicy.linkParameters("X-Hifadhi-Expires=5&X-Hifadhi-Expires=6", new HashMap<>()).contains("repeats"));
        assertTrue(PresignedLinkPolicy.linkParameters("X-Hifadhi-Extra=1", new HashMap<>()).contains("unknown"));
        assertTrue(PresignedLinkPolicy.linkParameters("X-Hifadhi-IP=%zz", new HashMap<>()).contains("percent"));
        Map<String, String> none = new HashMap<>();
        assertNull(PresignedLinkPolicy.linkParameters(null, none));
        assertNull(PresignedLinkPolicy.linkParameters("a=%zz", none));
        assertTrue(none.isEmpty());
    }
}
