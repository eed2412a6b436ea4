package io.hifadhi.api.signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.function.Executable;

final class TestSupport {
    static final String AKID = "AKIAIOSFODNN7EXAMPLE";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final Instant DOC_TIME = Instant.parse("2013-05-24T00:00:00Z");
    static final SecretLookup DOC_KEYS = id -> AKID.equals(id) ? Optional.of(SECRET) : Optional.empty();

    private TestSupport() {
    }

    static SigV4Verifier verifierAt(Instant now) {
        return new SigV4Verifier(DOC_KEYS, Clock.fixed(now, ZoneOffset.UTC));
    }

    /** Headers from alternating name, value arguments (a name may repeat). */
    static Map<String, List<String>> headers(String... nameValues) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            map.computeIfAbsent(nameValues[i], k -> new ArrayList<>()).add(nameValues[i + 1]);
        }
        return map;
    }

    static byte[] readAll(InputStream in, int bufferSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[bufferSize];
        int n;
        while ((n = in.read(buf)) != -1) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    static byte[] repeat(char c, int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) c);
        return b;
    }

    static InputStream bytes(byte[] b) {
        return new ByteArrayInputStream(b);
    }

    static S3AuthException expectError(S3ErrorCode code, Executable action) {
        S3AuthException e = assertThrows(S3AuthException.class, action);
        assertEquals(code, e.code(), () -> "message was: " + e.getMessage());
        return e;
    }
}
