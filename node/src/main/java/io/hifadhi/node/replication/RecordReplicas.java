package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.replication.Messages.RecordPut;
import io.hifadhi.node.storage.ObjectRecord;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** How this node reaches another node's copy of the object records: the record put and get messages. */
final class RecordReplicas implements Table.Replicas<ObjectRecord> {
    private final Replication c;

    RecordReplicas(Replication c) {
        this.c = c;
    }

    /** A stand-in's copy ({@code hintFor} set) is stored with a hint, a request to this node's own handler included. */
    @Override
    public CompletableFuture<Ack> put(ClusterView v, String target, ObjectRecord record, Supplier<byte[]> encoded, String hintFor) {
        return c.request(v, target, Messages.RECORD_PUT, new RecordPut(encoded.get(), hintFor), Ack.class, Replication.RECORD_TIMEOUT);
    }

    @Override
    public CompletableFuture<ObjectRecord> get(ClusterView v, String target, byte[] key) {
        // The inverse of io.hifadhi.node.storage.RecordStore#keyOf: the bucket ends at the first NUL byte, which no bucket name holds.
        int end = 0;
        while (key[end] != 0) {
            end++;
        }
        return c.getRecord(v, target, new String(key, 0, end, StandardCharsets.UTF_8),
                new String(Arrays.copyOfRange(key, end + 1, key.length), StandardCharsets.UTF_8));
    }
}
