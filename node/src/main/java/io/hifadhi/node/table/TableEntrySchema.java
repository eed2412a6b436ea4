package io.hifadhi.node.table;

import io.hifadhi.node.clock.VersionStamp;
import io.hifadhi.node.schema.TableSchema;
import io.hifadhi.ring.KeyHash;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The small tables' entries (buckets, access keys, uploads, grants, layout) as a table: key the entry's key (UTF-8),
 * value format version, stamp, tombstone flag, value bytes. The same bytes are on disk and on the wire.
 */
final class TableEntrySchema implements TableSchema<TableEntry> {
    private static final byte FORMAT_VERSION = 1;

    @Override
    public byte[] key(TableEntry entry) {
        return entry.key().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public long position(TableEntry entry) {
        return KeyHash.of(entry.key());
    }

    @Override
    public int formatVersion() {
        return FORMAT_VERSION;
    }

    @Override
    public byte[] encode(TableEntry e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + e.value().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_VERSION);
            out.writeLong(e.version().wallMillis());
            out.writeInt(e.version().counter());
            out.writeUTF(e.version().nodeId());
            out.writeBoolean(e.deleted());
            out.writeInt(e.value().length);
            out.write(e.value());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    @Override
    public TableEntry decode(byte[] key, byte[] value) {
        String name = new String(key, StandardCharsets.UTF_8);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalStateException("unknown table entry format " + version + " for " + name);
            }
            VersionStamp stamp = new VersionStamp(in.readLong(), in.readInt(), in.readUTF());
            boolean deleted = in.readBoolean();
            byte[] bytes = in.readNBytes(in.readInt());
            return new TableEntry(name, bytes, stamp, deleted);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt table entry " + name, e);
        }
    }
}
