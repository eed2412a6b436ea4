package io.hifadhi.node.replication;

import io.hifadhi.api.nativeapi.ObjectLocator.ChunkLocation;
import io.hifadhi.api.nativeapi.ObjectLocator.ObjectLocation;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An object stored through node 0 of a five-node cluster, and {@code reader}, the node holding the fewest of its
 * chunks: a read through it fetches most of them from other nodes.
 */
record LeastHolderRead(byte[] body, String query, ObjectLocation at, int reader) {
    static LeastHolderRead store(TestCluster cluster, String name, int chunks, int chunkSize, long seed) throws Exception {
        byte[] body = new byte[chunks * chunkSize];
        new Random(seed).nextBytes(body);
        HttpResponse<String> put = cluster.client(0).store(name, body);
        assertEquals(200, put.statusCode(), put.body());
        ObjectLocation at = cluster.node(0).replicatedStore().locate(".native", put.body()).orElseThrow();
        int reader = 0;
        long fewest = Long.MAX_VALUE;
        for (int n = 0; n < 5; n++) {
            String id = TestCluster.name(n);
            long held = at.chunks().stream().filter(c -> c.holders().contains(id)).count();
            if (held < fewest) {
                fewest = held;
                reader = n;
            }
        }
        assertTrue(fewest <= chunks * 3 / 5, "some node holds few of the chunks: " + fewest);
        return new LeastHolderRead(body, put.body(), at, reader);
    }

    /**
     * Flips the byte at {@code offset} in every copy of the chunks the reader lacks but the last holder's, so that a
     * good copy is left for each; the files changed.
     */
    List<Path> flipInAllButOneCopy(TestCluster cluster, int offset) throws IOException {
        List<Path> damaged = new ArrayList<>();
        for (ChunkLocation c : at.chunks()) {
            if (c.holders().contains(TestCluster.name(reader))) {
                continue;
            }
            for (String holder : c.holders().subList(0, c.holders().size() - 1)) {
                Path file = chunkFile(cluster, holder, c.id());
                byte[] bytes = Files.readAllBytes(file);
                bytes[offset] ^= 0x40;
                Files.write(file, bytes);
                damaged.add(file);
            }
        }
        return damaged;
    }

    /** Where {@code holder} keeps chunk {@code id} on disk. */
    static Path chunkFile(TestCluster cluster, String holder, String id) {
        return cluster.node(index(holder)).dataDir().resolve("chunks").resolve(id.substring(0, 2))
                .resolve(id.substring(2, 4)).resolve(id);
    }

    static int index(String id) {
        for (int i = 0; i < 5; i++) {
            if (TestCluster.name(i).equals(id)) {
                return i;
            }
        }
        throw new AssertionError(id);
    }
}
