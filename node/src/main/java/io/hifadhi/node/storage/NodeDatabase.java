package io.hifadhi.node.storage;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The node's one RocksDB: a column family per kind of metadata, one write-ahead log, one set of options. Every
 * store that keeps metadata (object records, the chunk inventory, the replicated tables, hints) writes through
 * it with the same write options, so "synced" means the same thing everywhere: with fsync on, a write is in the
 * WAL on disk before it returns, and writes to different families that arrive together share one fsync.
 */
public final class NodeDatabase implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeDatabase.class);

    /** The column families, by what they hold. The names are on disk: never rename one. */
    public enum Family {
        /** Object records, keyed {@code bucket 0x00 key} ({@link RecordStore}). */
        RECORDS("records"),
        /** The chunks this node holds as a replica: SHA-256 → length ({@link RecordStore}). */
        CHUNK_REFS("chunk-refs"),
        /** Every fully replicated table's entries, keyed {@code table 0x00 key}. */
        TABLES("tables"),
        /** Writes accepted for a replica that was down, until delivered. */
        HINTS("hints");

        private final String onDisk;

        Family(String onDisk) {
            this.onDisk = onDisk;
        }

        byte[] onDisk() {
            return onDisk.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return onDisk;
        }
    }

    private final DBOptions options;
    private final ColumnFamilyOptions familyOptions;
    private final org.rocksdb.WriteOptions writeOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final Map<Family, ColumnFamilyHandle> families;

    private NodeDatabase(DBOptions options, ColumnFamilyOptions familyOptions, org.rocksdb.WriteOptions writeOptions,
                         RocksDB db, List<ColumnFamilyHandle> handles, Map<Family, ColumnFamilyHandle> families) {
        this.options = options;
        this.familyOptions = familyOptions;
        this.writeOptions = writeOptions;
        this.db = db;
        this.handles = handles;
        this.families = families;
    }

    /**
     * Opens (or creates) the database in {@code dir}. Families it holds that this release does not know (written
     * by a newer one) are opened and left alone, never dropped.
     *
     * @param sync whether writes are synced to disk before they return ({@code --fsync})
     */
    public static NodeDatabase open(Path dir, boolean sync) throws IOException {
        DBOptions options = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setKeepLogFileNum(2)
                .setParanoidChecks(true);
        ColumnFamilyOptions familyOptions = new ColumnFamilyOptions();
        org.rocksdb.WriteOptions writeOptions = new org.rocksdb.WriteOptions().setSync(sync);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
        for (Family f : Family.values()) {
            descriptors.add(new ColumnFamilyDescriptor(f.onDisk(), familyOptions));
        }
        try {
            List<String> unknown = new ArrayList<>();
            for (byte[] present : presentFamilies(dir)) {
                if (descriptors.stream().noneMatch(d -> java.util.Arrays.equals(d.getName(), present))) {
                    descriptors.add(new ColumnFamilyDescriptor(present, familyOptions));
                    unknown.add(new String(present, StandardCharsets.UTF_8));
                }
            }
            if (!unknown.isEmpty()) {
                LOG.warn("the database in {} has column families this release does not know ({}); they are kept as they are",
                        dir, unknown);
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles);
            Map<Family, ColumnFamilyHandle> families = new EnumMap<>(Family.class);
            for (Family f : Family.values()) {
                families.put(f, handles.get(1 + f.ordinal()));
            }
            return new NodeDatabase(options, familyOptions, writeOptions, db, handles, families);
        } catch (RocksDBException e) {
            writeOptions.close();
            familyOptions.close();
            options.close();
            throw new IOException("cannot open the node database at " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<byte[]> presentFamilies(Path dir) throws RocksDBException {
        if (!Files.exists(dir.resolve("CURRENT"))) {
            return List.of();
        }
        try (Options probe = new Options()) {
            return RocksDB.listColumnFamilies(probe, dir.toString());
        }
    }

    /** The RocksDB itself; every read and write names a {@link #family}. */
    public RocksDB db() {
        return db;
    }

    public ColumnFamilyHandle family(Family family) {
        return families.get(family);
    }

    /** The write options every store uses: synced when the node runs with fsync on. */
    public org.rocksdb.WriteOptions writeOptions() {
        return writeOptions;
    }

    /** The default family: bookkeeping (which legacy databases were moved in, the clock's stamp ceiling). */
    ColumnFamilyHandle bookkeeping() {
        return handles.get(0);
    }

    @Override
    public void close() {
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        writeOptions.close();
        familyOptions.close();
        options.close();
    }
}
