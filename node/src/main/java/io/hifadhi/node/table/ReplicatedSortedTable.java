package io.hifadhi.node.table;

import io.hifadhi.node.storage.SortedTable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * A {@link ReplicatedTable} seen as a sorted byte map, for state that must be the same on every
 * node but is keyed in binary (multipart uploads and their parts). Keys map one byte to one char
 * (ISO-8859-1), which the table stores as UTF-8: lossless, and code-point order is byte order.
 *
 * <p>Scans read the whole table: fine for small, short-lived state, not for objects.
 */
public final class ReplicatedSortedTable implements SortedTable {
    private final ReplicatedTable table;

    public ReplicatedSortedTable(ReplicatedTable table) {
        this.table = table;
    }

    @Override
    public Optional<byte[]> get(byte[] key) throws IOException {
        return table.get(text(key));
    }

    @Override
    public void put(byte[] key, byte[] value) throws IOException {
        table.put(text(key), value);
    }

    @Override
    public void delete(byte[] key) throws IOException {
        table.delete(text(key));
    }

    @Override
    public void scan(byte[] prefix, byte[] from, BiPredicate<byte[], byte[]> visitor) {
        byte[] start = from == null ? prefix : from;
        for (TableEntry e : table.live()) {
            byte[] k = bytes(e.key());
            if (Arrays.compareUnsigned(k, start) < 0) {
                continue;
            }
            if (k.length < prefix.length || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                if (Arrays.compareUnsigned(k, prefix) > 0) {
                    return;
                }
                continue;
            }
            if (!visitor.test(k, e.value())) {
                return;
            }
        }
    }

    /** One change at a time, each on the write quorum; not atomic across them (callers order them safely). */
    @Override
    public void write(Map<byte[], byte[]> changes) throws IOException {
        for (Map.Entry<byte[], byte[]> c : changes.entrySet()) {
            if (c.getValue() == null) {
                delete(c.getKey());
            } else {
                put(c.getKey(), c.getValue());
            }
        }
    }

    @Override
    public void refresh() {
        table.pullFromReachablePeers();
    }

    private static String text(byte[] key) {
        return new String(key, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.ISO_8859_1);
    }
}
