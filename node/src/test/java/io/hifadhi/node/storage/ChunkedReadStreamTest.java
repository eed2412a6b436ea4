package io.hifadhi.node.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The read path's use of a {@link ChunkSource}: which chunks it asks for ahead, when, and that it hands them back. */
class ChunkedReadStreamTest {
    private static final int CHUNK = 100_000;

    @TempDir
    Path tmp;

    /** A source holding the chunks this node lacks; it records every call. */
    private static final class Peers implements ChunkSource {
        final Map<String, byte[]> held = new LinkedHashMap<>();
        final List<String> calls = new ArrayList<>();
        boolean decline;
        int outstanding;
        int maxOutstanding;

        @Override
        public byte[] fetch(ChunkRef ref) {
            calls.add("fetch " + ref.id());
            return held.get(ref.id());
        }

        @Override
        public Incoming open(ChunkRef ref) {
            calls.add("open " + ref.id());
            return streamed(held.get(ref.id()));
        }

        @Override
        public void servingLocally(ChunkRef ref) {
        }

        @Override
        public Ahead ahead(ChunkRef ref) {
            if (decline) {
                return null;
            }
            calls.add("ahead " + ref.id());
            maxOutstanding = Math.max(maxOutstanding, ++outstanding);
            return new Ahead() {
                @Override
                public Incoming take() {
                    calls.add("take " + ref.id());
                    outstanding--;
                    return streamed(held.get(ref.id()));
                }

                @Override
                public void cancel() {
                    calls.add("cancel " + ref.id());
                    outstanding--;
                }
            };
        }
    }

    /** As a holder's stream arrives: into the reader's buffer, a block of 10,000 bytes at a time. */
    private static ChunkSource.Incoming streamed(byte[] chunk) {
        return new ChunkSource.Incoming() {
            @Override
            public ByteBuffer next(int from, ByteBuffer spare) {
                spare.clear();
                int block = from / 10_000 * 10_000;
                spare.put(chunk, block, Math.min(10_000, chunk.length - block)).flip();
                return spare.position(from - block);
            }

            @Override
            public void close() {
            }
        };
    }

    private record Setup(ChunkStore store, List<ChunkRef> refs, byte[] whole, Peers peers) {
    }

    /** Six chunks; this node's store holds those whose index is in {@code local}, the peers the others. */
    private Setup setup(int... local) throws IOException {
        ChunkStore store = new ChunkStore(tmp.resolve("chunks"), false);
        Peers peers = new Peers();
        List<ChunkRef> refs = new ArrayList<>();
        byte[] whole = new byte[6 * CHUNK];
        new Random(6).nextBytes(whole);
        for (int i = 0; i < 6; i++) {
            byte[] part = Arrays.copyOfRange(whole, i * CHUNK, (i + 1) * CHUNK);
            int index = i;
            if (Arrays.stream(local).anyMatch(l -> l == index)) {
                try (ChunkStore.ChunkWriter w = store.newWriter()) {
                    w.write(part, 0, part.length);
                    refs.add(w.finish());
                }
            } else {
                ChunkRef ref = new ChunkRef(sha256(part), part.length);
                peers.held.put(ref.id(), part);
                refs.add(ref);
            }
        }
        return new Setup(store, refs, whole, peers);
    }

    private static byte[] readAll(ChunkedReadStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> calls(Setup s, String... events) {
        List<String> out = new ArrayList<>();
        for (String e : events) {
            String[] p = e.split(" ");
            out.add(p[0] + " " + s.refs().get(Integer.parseInt(p[1])).id());
        }
        return out;
    }

    @Test
    void chunksThisNodeLacksAreAskedForTwoAheadAndTakenInOrder() throws IOException {
        Setup s = setup(0, 2);
        try (ChunkedReadStream in = new ChunkedReadStream(s.store(), s.refs(), 0, s.whole().length, s.peers())) {
            assertArrayEquals(s.whole(), readAll(in));
        }
        // Reaching a chunk, it first asks for what it lacks of the next two, then takes the chunk: at chunk 0 for 1
        // (2 is here); at 1 for 3; at 2 for 4; at 3 for 5. Nothing is fetched on demand.
        assertEquals(calls(s, "ahead 1", "ahead 3", "take 1", "ahead 4", "ahead 5", "take 3", "take 4", "take 5"),
                s.peers().calls);
        assertEquals(ChunkedReadStream.READ_AHEAD + 1, s.peers().maxOutstanding, "the chunk reached and two ahead");
    }

    @Test
    void aRangeAsksForNothingPastItsEndAndClosingEarlyGivesBackWhatWasAsked() throws IOException {
        Setup s = setup();
        int from = CHUNK + 10;
        int length = CHUNK;  // ends inside chunk 2
        try (ChunkedReadStream in = new ChunkedReadStream(s.store(), s.refs(), from, length, s.peers())) {
            assertArrayEquals(Arrays.copyOfRange(s.whole(), from, from + length), readAll(in));
        }
        assertEquals(calls(s, "ahead 2", "open 1", "take 2"), s.peers().calls);

        s.peers().calls.clear();
        ChunkedReadStream in = new ChunkedReadStream(s.store(), s.refs(), 0, s.whole().length, s.peers());
        assertEquals(CHUNK - 1, in.readNBytes(CHUNK - 1).length);
        in.close();
        assertEquals(calls(s, "ahead 1", "ahead 2", "open 0", "cancel 1", "cancel 2"), s.peers().calls);
        assertEquals(0, s.peers().outstanding);
    }

    @Test
    void aRangeWithinOneChunkFetchesItWholeForTheCache() throws IOException {
        Setup s = setup();
        int from = 2 * CHUNK + 12_345;
        try (ChunkedReadStream in = new ChunkedReadStream(s.store(), s.refs(), from, 50_000, s.peers())) {
            assertArrayEquals(Arrays.copyOfRange(s.whole(), from, from + 50_000), readAll(in));
        }
        assertEquals(calls(s, "fetch 2"), s.peers().calls);
    }

    @Test
    void whenTheSourceDeclinesEachChunkIsFetchedWhenReached() throws IOException {
        Setup s = setup(1);
        s.peers().decline = true;
        try (ChunkedReadStream in = new ChunkedReadStream(s.store(), s.refs(), 0, s.whole().length, s.peers())) {
            assertArrayEquals(s.whole(), readAll(in));
        }
        assertEquals(calls(s, "open 0", "open 2", "open 3", "open 4", "open 5"), s.peers().calls);
    }
}
