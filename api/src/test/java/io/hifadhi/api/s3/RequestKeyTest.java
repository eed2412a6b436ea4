package io.hifadhi.api.s3;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One read of the key table per request, and none kept past it. */
class RequestKeyTest {
    private final Map<String, AccessKey> table = new HashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final AccessKeyLookup keys = id -> {
        reads.incrementAndGet();
        return Optional.ofNullable(table.get(id));
    };

    @Test
    void theSignatureAndTheAccessCheckShareOneRead() {
        table.put("AKID", new AccessKey("secret", Permissions.of(Map.of("b", Permission.READ))));
        RequestKey key = new RequestKey(keys);
        assertEquals(Optional.of("secret"), key.secretKey("AKID"));
        assertEquals(Permissions.of(Map.of("b", Permission.READ)), key.permissions("AKID"));
        assertEquals(1, reads.get());
        // Another id (no request asks for two, but it must not get the first one's answers) is read for itself.
        assertEquals(Permissions.NONE, key.permissions("OTHER"));
        assertEquals(Optional.empty(), key.secretKey("OTHER"));
        assertEquals(2, reads.get());
        assertEquals(Optional.of("secret"), key.secretKey("AKID"));
        assertEquals(3, reads.get());
    }

    @Test
    void theNextRequestSeesAChangedOrDeletedKey() {
        table.put("AKID", new AccessKey("secret", Permissions.ROOT));
        RequestKey first = new RequestKey(keys);
        assertEquals(Permissions.ROOT, first.permissions("AKID"));
        table.put("AKID", new AccessKey("rotated", Permissions.NONE));
        RequestKey second = new RequestKey(keys);
        assertEquals(Optional.of("rotated"), second.secretKey("AKID"));
        assertEquals(Permissions.NONE, second.permissions("AKID"));
        table.remove("AKID");
        RequestKey third = new RequestKey(keys);
        assertEquals(Optional.empty(), third.secretKey("AKID"));
        assertEquals(Permissions.NONE, third.permissions("AKID"));
    }

    @Test
    void anUnsignedRequestReadsNothing() {
        assertEquals(Permissions.NONE, new RequestKey(keys).permissions(null));
        assertEquals(0, reads.get());
    }

    @Test
    void twoLookupsComposedAnswerAsOne() {
        AccessKeyLookup composed = AccessKeyLookup.of(id -> id.equals("AKID") ? Optional.of("s") : Optional.empty(),
                id -> Permissions.ROOT);
        assertEquals(Optional.of(new AccessKey("s", Permissions.ROOT)), composed.key("AKID"));
        assertEquals(Optional.empty(), composed.key("NOPE"));
    }
}
