package io.hifadhi.node.table;

import io.hifadhi.api.s3.BucketCatalog;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The S3 bucket table on a {@link ReplicatedTable} (full placement): every node answers bucket
 * checks locally. Two nodes creating the same name at the same moment for different owners both
 * answer "created" and the later stamp wins everywhere (LWW, as DESIGN.md chose for all records).
 */
public final class ReplicatedBucketCatalog implements BucketCatalog {
    /**
     * The lifecycle configuration was appended after the CORS one without a new format version: a node that does not
     * know it stops reading before it, and an entry written before it ends there (no lifecycle). The ACL, public access
     * block and policy documents follow the same way, in that order.
     */
    private static final byte FORMAT_VERSION = 1;
    private final ReplicatedTable table;
    private final Clock clock;

    public ReplicatedBucketCatalog(ReplicatedTable table, Clock clock) {
        this.table = table;
        this.clock = clock;
    }

    @Override
    public synchronized CreateOutcome create(String name, String owner) throws IOException {
        Optional<Bucket> existing = get(name);
        if (existing.isPresent()) {
            return existing.get().owner().equals(owner) ? CreateOutcome.ALREADY_OWNED : CreateOutcome.OWNED_BY_OTHER;
        }
        table.put(name, encode(new Bucket(name, owner, clock.instant())));
        return CreateOutcome.CREATED;
    }

    @Override
    public Optional<Bucket> get(String name) throws IOException {
        return table.get(name).map(v -> decode(name, v));
    }

    @Override
    public synchronized boolean delete(String name) throws IOException {
        if (get(name).isEmpty()) {
            return false;
        }
        table.delete(name);
        return true;
    }

    @Override
    public boolean setCors(String name, String corsXml) throws IOException {
        return update(name, b -> b.withCors(corsXml));
    }

    @Override
    public boolean setLifecycle(String name, String lifecycleXml) throws IOException {
        return update(name, b -> b.withLifecycle(lifecycleXml));
    }

    @Override
    public boolean setTagging(String name, String taggingXml) throws IOException {
        return update(name, b -> b.withTagging(taggingXml));
    }

    @Override
    public synchronized boolean update(String name, java.util.function.UnaryOperator<Bucket> change) throws IOException {
        Optional<Bucket> b = get(name);
        if (b.isEmpty()) {
            return false;
        }
        table.put(name, encode(change.apply(b.get())));
        return true;
    }

    @Override
    public List<Bucket> list() {
        return table.live().stream().map(e -> decode(e.key(), e.value())).toList();
    }

    static byte[] encode(Bucket b) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeUTF(b.owner());
            out.writeLong(b.created().toEpochMilli());
            writeDocument(out, b.cors());
            writeDocument(out, b.lifecycle());
            // Each document after the one before it: an entry written before it existed ends there.
            writeDocument(out, b.tagging());
            writeDocument(out, b.acl());
            writeDocument(out, b.publicAccessBlock());
            writeDocument(out, b.policy());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeDocument(DataOutputStream out, String doc) throws IOException {
        out.writeBoolean(doc != null);
        if (doc != null) {
            byte[] bytes = doc.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    private static String readDocument(DataInputStream in) throws IOException {
        return in.readBoolean() ? new String(in.readNBytes(in.readInt()), java.nio.charset.StandardCharsets.UTF_8) : null;
    }

    static Bucket decode(String name, byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalStateException("unknown bucket entry format " + version + " for " + name);
            }
            String owner = in.readUTF();
            Instant created = Instant.ofEpochMilli(in.readLong());
            String cors = readDocument(in);
            String lifecycle = in.available() > 0 ? readDocument(in) : null;
            String tagging = in.available() > 0 ? readDocument(in) : null;
            String acl = in.available() > 0 ? readDocument(in) : null;
            String publicAccessBlock = in.available() > 0 ? readDocument(in) : null;
            String policy = in.available() > 0 ? readDocument(in) : null;
            return new Bucket(name, owner, created, cors, lifecycle, tagging, acl, publicAccessBlock, policy);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt bucket entry for " + name, e);
        }
    }
}
