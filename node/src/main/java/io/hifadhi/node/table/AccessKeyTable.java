package io.hifadhi.node.table;

import io.hifadhi.api.nativeapi.KeyRegistry;
import io.hifadhi.api.s3.AccessKey;
import io.hifadhi.api.s3.AccessKeyLookup;
import io.hifadhi.api.s3.Permission;
import io.hifadhi.api.s3.PermissionLookup;
import io.hifadhi.api.s3.Permissions;
import io.hifadhi.api.signature.SecretLookup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * S3 access keys in a fully replicated table, so a key pair made on any node signs requests to every
 * node. Each node adds its bootstrap pair (a root key: may do everything) at start; peers pull it
 * when they see the node. Keys made through the admin API carry a name, a creation time and
 * per-bucket permissions; deleting one removes it from every node the table reaches.
 *
 * <p>Secret keys are sealed (AES-256-GCM) under a key derived from the cluster secret before they
 * enter the table: the table travels between nodes, and internode traffic is authenticated but not
 * encrypted. The access key id and, from format 2 on, the key's metadata (name, creation time, root
 * flag, permissions) are the associated data, so entries cannot be swapped and permissions cannot
 * be changed without the cluster secret.
 *
 * <p>Entry formats: 1 = {@code [1][nonce][sealed secret]} (bootstrap keys of earlier versions: read
 * as root keys); 2 = {@code [2][int metadata length][metadata][nonce][sealed secret]}.
 */
public final class AccessKeyTable implements SecretLookup, PermissionLookup, AccessKeyLookup, KeyRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(AccessKeyTable.class);
    private static final byte FORMAT_V1 = 1;
    private static final byte FORMAT_V2 = 2;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int MAX_METADATA_BYTES = 1 << 20;
    /** The same shapes as the bootstrap pair CredentialsBootstrap generates. */
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static final String BOOTSTRAP_NAME = "bootstrap key";

    /** A key entry opened: its secret and everything else about it. */
    record Entry(String secret, KeyInfo info) {
        @Override
        public String toString() {
            return "Entry[" + info + ", secret hidden]";
        }
    }

    /** An entry as it was in the table, and what it opened to. */
    private record Opened(byte[] sealed, Entry entry) {
    }

    /** More keys than any cluster has; past it the cache starts over (entries of deleted keys go with it). */
    private static final int OPENED_MAX = 10_000;

    private final ReplicatedTable table;
    private final SecretKeySpec sealKey;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /**
     * Entries already opened, by access key id: every signed request looks its key up, and an AES-GCM open is most
     * of a small GET's authentication. An entry is reused only while the table holds the
     * very bytes it was opened from, so a changed or deleted key is seen at once, as without the cache.
     */
    private final ConcurrentHashMap<String, Opened> opened = new ConcurrentHashMap<>();

    public AccessKeyTable(ReplicatedTable table, String clusterSecret) {
        this(table, clusterSecret, Clock.systemUTC());
    }

    public AccessKeyTable(ReplicatedTable table, String clusterSecret, Clock clock) {
        this.table = table;
        this.sealKey = new SecretKeySpec(derive(clusterSecret), "AES");
        this.clock = clock;
    }

    /** Adds a bootstrap (root) key pair unless the table already holds exactly it (so restarts write nothing). */
    public void register(String accessKey, String secretKey) throws IOException {
        register(accessKey, secretKey, BOOTSTRAP_NAME);
    }

    /** @param name what the key is, e.g. "bootstrap key of node-a" */
    public synchronized void register(String accessKey, String secretKey, String name) throws IOException {
        Optional<Entry> current = open(accessKey);
        if (current.isPresent() && current.get().info().root() && MessageDigest.isEqual(
                current.get().secret().getBytes(StandardCharsets.UTF_8), secretKey.getBytes(StandardCharsets.UTF_8))) {
            return;
        }
        table.put(accessKey, seal(secretKey, new KeyInfo(accessKey, name, clock.instant(), true, Map.of())));
    }

    @Override
    public Optional<String> secretKey(String accessKeyId) {
        return open(accessKeyId).map(Entry::secret);
    }

    @Override
    public Permissions of(String accessKeyId) {
        return open(accessKeyId).map(AccessKeyTable::permissions).orElse(Permissions.NONE);
    }

    @Override
    public Optional<AccessKey> key(String accessKeyId) {
        return open(accessKeyId).map(e -> new AccessKey(e.secret(), permissions(e)));
    }

    private static Permissions permissions(Entry e) {
        return e.info().root() ? Permissions.ROOT : Permissions.of(e.info().buckets());
    }

    @Override
    public synchronized CreatedKey create(String name, Map<String, Permission> buckets) throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            String accessKey = "HFD" + random(UPPER_ALNUM, 17);
            if (table.get(accessKey).isPresent()) {
                continue; // 36^17 ids: never in practice, but a collision must not replace a key
            }
            String secret = random(ALNUM, 40);
            KeyInfo info = new KeyInfo(accessKey, name, clock.instant(), false, buckets);
            table.put(accessKey, seal(secret, info));
            return new CreatedKey(info, secret);
        }
        throw new IllegalStateException("could not find an unused access key id");
    }

    @Override
    public List<KeyInfo> list() {
        List<KeyInfo> out = new ArrayList<>();
        for (TableEntry e : table.live()) {
            try {
                out.add(unsealEntry(e.key(), e.value()).info());
            } catch (GeneralSecurityException | RuntimeException ex) {
                LOG.warn("access key {} could not be read from the key table: {}", e.key(), ex.toString());
            }
        }
        return out;
    }

    @Override
    public Optional<KeyInfo> get(String accessKey) {
        return open(accessKey).map(Entry::info);
    }

    @Override
    public synchronized Outcome update(String accessKey, String name, Map<String, Permission> buckets) throws IOException {
        Optional<Entry> current = open(accessKey);
        if (current.isEmpty()) {
            return Outcome.NOT_FOUND;
        }
        KeyInfo was = current.get().info();
        if (was.root()) {
            return Outcome.ROOT_KEY;
        }
        table.put(accessKey, seal(current.get().secret(),
                new KeyInfo(accessKey, name == null ? was.name() : name, was.created(), false, buckets)));
        return Outcome.DONE;
    }

    @Override
    public synchronized Outcome delete(String accessKey) throws IOException {
        if (table.get(accessKey).isEmpty()) {
            return Outcome.NOT_FOUND;
        }
        Optional<Entry> current = open(accessKey);
        // An entry that cannot be opened is no key (it signs nothing); removing it is allowed.
        if (current.isPresent() && current.get().info().root()) {
            return Outcome.ROOT_KEY;
        }
        table.delete(accessKey);
        return Outcome.DONE;
    }

    private Optional<Entry> open(String accessKeyId) {
        if (accessKeyId == null || accessKeyId.isEmpty()) {
            return Optional.empty(); // unsigned requests (IP grants) have no key
        }
        try {
            Optional<byte[]> sealed = table.get(accessKeyId);
            if (sealed.isEmpty()) {
                return Optional.empty();
            }
            Opened known = opened.get(accessKeyId);
            if (known != null && Arrays.equals(known.sealed(), sealed.get())) {
                return Optional.of(known.entry());
            }
            Entry entry = unsealEntry(accessKeyId, sealed.get());
            if (opened.size() >= OPENED_MAX) {
                opened.clear();
            }
            opened.put(accessKeyId, new Opened(sealed.get(), entry));
            return Optional.of(entry);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // A key that cannot be opened is no key: the request gets InvalidAccessKeyId, the log says why.
            LOG.warn("access key {} could not be read from the key table: {}", accessKeyId, e.toString());
            return Optional.empty();
        }
    }

    /** A root entry in the current format (tests check sealing with it). */
    byte[] seal(String accessKey, String secretKey) {
        return seal(secretKey, new KeyInfo(accessKey, BOOTSTRAP_NAME, clock.instant(), true, Map.of()));
    }

    String unseal(String accessKey, byte[] entry) throws GeneralSecurityException {
        return unsealEntry(accessKey, entry).secret();
    }

    byte[] seal(String secretKey, KeyInfo info) {
        byte[] metadata = encodeMetadata(info);
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(info.accessKey(), metadata));
            byte[] sealed = cipher.doFinal(secretKey.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(1 + 4 + metadata.length + NONCE_BYTES + sealed.length)
                    .put(FORMAT_V2).putInt(metadata.length).put(metadata).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
        }
    }

    Entry unsealEntry(String accessKey, byte[] entry) throws GeneralSecurityException {
        if (entry.length < 1) {
            throw new AEADBadTagException("empty key table entry");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        if (entry[0] == FORMAT_V1) {
            if (entry.length < 1 + NONCE_BYTES) {
                throw new AEADBadTagException("truncated key table entry");
            }
            cipher.init(Cipher.DECRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, entry, 1, NONCE_BYTES));
            cipher.updateAAD(accessKey.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(entry, 1 + NONCE_BYTES, entry.length - 1 - NONCE_BYTES);
            // Format 1 held only bootstrap pairs, which are root keys.
            return new Entry(new String(plain, StandardCharsets.UTF_8), new KeyInfo(accessKey, BOOTSTRAP_NAME, null, true, Map.of()));
        }
        if (entry[0] != FORMAT_V2 || entry.length < 5) {
            throw new AEADBadTagException("unknown key table entry format");
        }
        int metaLength = ByteBuffer.wrap(entry, 1, 4).getInt();
        if (metaLength < 0 || metaLength > MAX_METADATA_BYTES || entry.length < 5 + metaLength + NONCE_BYTES) {
            throw new AEADBadTagException("truncated key table entry");
        }
        byte[] metadata = Arrays.copyOfRange(entry, 5, 5 + metaLength);
        int nonceAt = 5 + metaLength;
        cipher.init(Cipher.DECRYPT_MODE, sealKey, new GCMParameterSpec(TAG_BITS, entry, nonceAt, NONCE_BYTES));
        cipher.updateAAD(associatedData(accessKey, metadata));
        byte[] plain = cipher.doFinal(entry, nonceAt + NONCE_BYTES, entry.length - nonceAt - NONCE_BYTES);
        // Only now, authenticated, is the metadata parsed.
        return new Entry(new String(plain, StandardCharsets.UTF_8), decodeMetadata(accessKey, metadata));
    }

    private static byte[] associatedData(String accessKey, byte[] metadata) {
        byte[] id = accessKey.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(id.length + 1 + metadata.length).put(id).put((byte) 0).put(metadata).array();
    }

    static byte[] encodeMetadata(KeyInfo info) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(info.name());
            out.writeLong(info.created() == null ? Long.MIN_VALUE : info.created().toEpochMilli());
            out.writeBoolean(info.root());
            out.writeInt(info.buckets().size());
            for (Map.Entry<String, Permission> e : info.buckets().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue().wireName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static KeyInfo decodeMetadata(String accessKey, byte[] metadata) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(metadata))) {
            String name = in.readUTF();
            long created = in.readLong();
            boolean root = in.readBoolean();
            int n = in.readInt();
            if (n < 0 || n > 100_000) {
                throw new IOException("bad bucket count " + n);
            }
            Map<String, Permission> buckets = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String bucket = in.readUTF();
                String p = in.readUTF();
                // A permission a newer version wrote and this one does not know grants nothing here.
                Permission.parse(p).ifPresent(perm -> buckets.put(bucket, perm));
            }
            return new KeyInfo(accessKey, name, created == Long.MIN_VALUE ? null : Instant.ofEpochMilli(created), root, buckets);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt access key metadata for " + accessKey, e);
        }
    }

    private String random(String alphabet, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static byte[] derive(String clusterSecret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(clusterSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] key = mac.doFinal("hifadhi/access-keys/v1".getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(key, 32);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable in this JVM", e);
        }
    }
}
