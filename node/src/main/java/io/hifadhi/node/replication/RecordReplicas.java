package io.hifadhi.node.replication;

import io.hifadhi.membership.ClusterView;
import io.hifadhi.node.replication.Messages.RecordGet;
import io.hifadhi.node.replication.Messages.RecordPut;
import io.hifadhi.node.storage.ObjectRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * How this node reaches another node's copy of the object records: the record put and get messages. The record table,
 * the hand-over and locate all go through here, so the messages are sent in one place.
 */
final class RecordReplicas implements Table.ReadableReplicas<ObjectRecord> {
    private final Replication c;

    RecordReplicas(Replication c) {
        this.c = c;
    }

    /** A stand-in's copy ({@code hintFor} set) is stored with a hint, a request to this node's own handler included. */
    @Override
    public CompletableFuture<Ack> put(ClusterView v, String target, ObjectRecord record, Supplier<byte[]> encoded, String hintFor) {
        return c.request(v, target, Messages.RECORD_PUT, new RecordPut(encoded.get(), hintFor), Ack.class, Replication.RECORD_TIMEOUT);
    }

    /** This node's own copy is read in place (locate asks every member, this one included). */
    @Override
    public CompletableFuture<ObjectRecord> get(ClusterView v, String target, byte[] key) {
        if (target.equals(c.localId())) {
            try {
                return CompletableFuture.completedFuture(c.replica().records().store().get(key).orElse(null));
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        // The inverse of io.hifadhi.node.storage.RecordStore#keyOf: the bucket ends at the first NUL byte, which no bucket name holds.
        int end = 0;
        while (key[end] != 0) {
            end++;
        }
        RecordGet get = new RecordGet(new String(key, 0, end, StandardCharsets.UTF_8),
                new String(Arrays.copyOfRange(key, end + 1, key.length), StandardCharsets.UTF_8));
        return c.request(v, target, Messages.RECORD_GET, get, Messages.RecordReply.class, Replication.RECORD_TIMEOUT)
                .thenApply(reply -> reply.record() == null ? null : c.codec().decode(reply.record()));
    }
}
