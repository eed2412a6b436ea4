package io.hifadhi.node.keys;

import io.hifadhi.node.storage.NodeDatabase;
import io.hifadhi.api.nativeapi.KeyRegistry;
import io.hifadhi.api.s3.Permission;
import io.hifadhi.api.s3.Permissions;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.table.AccessKeyTable;
import io.hifadhi.node.table.ReplicatedTable;
import io.hifadhi.node.table.TableStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key table's value format: entries written by the previous version still open; sealed metadata cannot be edited. */
class AccessKeyFormatTest {
    private static final String CLUSTER = "format-test-cluster-secret-0123456789";

    @TempDir
    Path dir;

    /** A format-1 entry exactly as the previous version wrote it: [1][nonce][AES-GCM(secret), AAD = key id]. */
    private static byte[] formatOne(String accessKey, String secret) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(CLUSTER.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] key = Arrays.copyOf(mac.doFinal("hifadhi/access-keys/v1".getBytes(StandardCharsets.UTF_8)), 32);
        byte[] nonce = new byte[12];
        nonce[3] = 7;
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(accessKey.getBytes(StandardCharsets.UTF_8));
        byte[] sealed = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(1 + 12 + sealed.length).put((byte) 1).put(nonce).put(sealed).array();
    }

    @Test
    void previousFormatEntriesAreRootKeysAndNewEntriesCannotBeEdited() throws Exception {
        try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"), false)) {
            TableStore store = new TableStore(database);
            HybridLogicalClock clock = new HybridLogicalClock("t", System::currentTimeMillis);
            ReplicatedTable table = new ReplicatedTable("access-keys", store, clock);
            AccessKeyTable keys = new AccessKeyTable(table, CLUSTER);

            table.put("AKIDOLDFORMAT", formatOne("AKIDOLDFORMAT", "old-secret"));
            assertEquals(Optional.of("old-secret"), keys.secretKey("AKIDOLDFORMAT"));
            assertEquals(Permissions.ROOT, keys.of("AKIDOLDFORMAT"));
            assertTrue(keys.get("AKIDOLDFORMAT").orElseThrow().root());
            assertEquals(KeyRegistry.Outcome.ROOT_KEY, keys.delete("AKIDOLDFORMAT"));
            // Registering the same pair again at start writes nothing new (the old entry stays as it was).
            byte[] before = table.get("AKIDOLDFORMAT").orElseThrow();
            keys.register("AKIDOLDFORMAT", "old-secret", "bootstrap key of t");
            assertTrue(Arrays.equals(before, table.get("AKIDOLDFORMAT").orElseThrow()));

            KeyRegistry.CreatedKey made = keys.create("limited", Map.of("photos", Permission.READ));
            String id = made.info().accessKey();
            assertEquals(Optional.of(made.secretKey()), keys.secretKey(id));
            assertEquals(Permissions.of(Map.of("photos", Permission.READ)), keys.of(id));
            // Flip any byte of the sealed metadata (say, to grant itself more): the entry no longer opens at all.
            byte[] entry = table.get(id).orElseThrow();
            assertEquals(2, entry[0], "current format");
            int metaLength = ByteBuffer.wrap(entry, 1, 4).getInt();
            for (int i = 5; i < 5 + metaLength; i++) {
                byte[] edited = entry.clone();
                edited[i] ^= 1;
                table.put(id, edited);
                assertEquals(Optional.empty(), keys.secretKey(id), "edited metadata byte " + i);
                assertEquals(Permissions.NONE, keys.of(id));
            }
            table.put(id, entry);
            assertEquals(Optional.of(made.secretKey()), keys.secretKey(id));
            // The same table opened under another cluster secret holds no usable keys.
            AccessKeyTable other = new AccessKeyTable(table, "another-cluster-secret-000000000");
            assertEquals(Permissions.NONE, other.of(id));
            assertEquals(Optional.empty(), other.secretKey("AKIDOLDFORMAT"));
        }
    }
}
