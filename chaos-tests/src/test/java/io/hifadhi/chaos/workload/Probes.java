package io.hifadhi.chaos.workload;

import io.hifadhi.chaos.client.StoreClient;
import io.hifadhi.chaos.client.StoreException;
import io.hifadhi.chaos.history.History;
import io.hifadhi.chaos.history.Observed;
import io.hifadhi.chaos.history.OpType;
import io.hifadhi.chaos.history.Operation;
import io.hifadhi.chaos.history.Outcome;
import io.hifadhi.chaos.history.Payload;
import io.hifadhi.chaos.history.Phase;

import java.util.Optional;
import java.util.Set;

/** Single operations that build an {@link Operation} without adding it, so the caller chooses its phase. */
public final class Probes {
    private Probes() {
    }

    public static Operation read(History history, int client, int node, Phase phase, StoreClient store, String key) {
        long start = System.nanoTime();
        long wall = System.currentTimeMillis();
        try {
            Optional<byte[]> bytes = store.get(key);
            Observed seen = bytes.map(b -> Payload.identify(key, b)).orElse(Observed.absent());
            return history.endingNow(client, node, phase, OpType.READ, key, 0, start, wall, Outcome.OK, null, seen, null);
        } catch (StoreException e) {
            // Reads change nothing, but a timeout is still told apart from an error answer for the availability figures.
            Outcome outcome = e.kind() == StoreException.Kind.NO_ANSWER ? Outcome.INDETERMINATE : Outcome.FAILED;
            return history.endingNow(client, node, phase, OpType.READ, key, 0, start, wall, outcome, e.getMessage(), null, null);
        }
    }

    /** One write of a fresh, identifiable body of {@code size} bytes. */
    public static Operation write(History history, int client, int node, Phase phase, StoreClient store, String key, int size) {
        long writeId = history.newWriteId();
        byte[] body = Payload.body(key, writeId, Math.max(size, Payload.minSize(key, writeId)));
        long start = System.nanoTime();
        long wall = System.currentTimeMillis();
        try {
            store.put(key, body);
            return history.endingNow(client, node, phase, OpType.WRITE, key, writeId, start, wall, Outcome.OK, null, null, null);
        } catch (StoreException e) {
            return history.endingNow(client, node, phase, OpType.WRITE, key, writeId, start, wall,
                    Workload.mutationOutcome(e), e.getMessage(), null, null);
        }
    }

    public static Operation list(History history, int client, int node, Phase phase, StoreClient store) {
        long start = System.nanoTime();
        long wall = System.currentTimeMillis();
        try {
            Set<String> keys = store.list();
            return history.endingNow(client, node, phase, OpType.LIST, null, 0, start, wall, Outcome.OK, null, null, keys);
        } catch (StoreException e) {
            Outcome outcome = e.kind() == StoreException.Kind.NO_ANSWER ? Outcome.INDETERMINATE : Outcome.FAILED;
            return history.endingNow(client, node, phase, OpType.LIST, null, 0, start, wall, outcome, e.getMessage(), null, null);
        }
    }
}
