package io.hifadhi.api.s3;

import io.hifadhi.api.store.ListPage;
import io.hifadhi.api.store.ObjectInfo;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Delimiter folding and pagination over a sorted key source ordered by UTF-8 bytes, as the store is. */
class ListingTest {

    /** A key space sorted like RocksDB sorts UTF-8 keys. */
    static final class SortedKeys implements Listing.Source {
        final TreeMap<byte[], ObjectInfo> keys = new TreeMap<>(Arrays::compareUnsigned);
        final AtomicInteger calls = new AtomicInteger();

        SortedKeys(String... names) {
            for (String n : names) {
                keys.put(n.getBytes(StandardCharsets.UTF_8), new ObjectInfo("b", n, 1, "e", "t", Map.of(), Instant.EPOCH, "v"));
            }
        }

        @Override
        public ListPage list(String prefix, String startAfter, int maxKeys) {
            calls.incrementAndGet();
            byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
            List<ObjectInfo> out = new ArrayList<>();
            var tail = startAfter == null ? keys : keys.tailMap(startAfter.getBytes(StandardCharsets.UTF_8), false);
            for (var e : tail.entrySet()) {
                byte[] k = e.getKey();
                if (Arrays.compareUnsigned(k, p) < 0) {
                    continue;
                }
                if (k.length < p.length || !Arrays.equals(k, 0, p.length, p, 0, p.length)) {
                    if (Arrays.compareUnsigned(k, p) > 0) {
                        break;
                    }
                    continue;
                }
                if (out.size() == maxKeys) {
                    return new ListPage(out, true);
                }
                out.add(e.getValue());
            }
            return new ListPage(out, false);
        }
    }

    static List<String> keys(Listing.Page p) {
        return p.objects().stream().map(ObjectInfo::key).toList();
    }

    @Test
    void listsInUtf8BinaryOrderWithPrefix() throws Exception {
        SortedKeys src = new SortedKeys("b", "a", "\uFF5E", "\uD83D\uDE00", "ab", "a/b");
        Listing.Page all = Listing.list(src, "", null, null, 1000);
        assertEquals(List.of("a", "a/b", "ab", "b", "\uFF5E", "\uD83D\uDE00"), keys(all)); // U+FF5E < U+1F600 in UTF-8
        assertFalse(all.truncated());
        assertEquals(List.of("a", "a/b", "ab"), keys(Listing.list(src, "a", null, null, 1000)));
    }

    @Test
    void foldsCommonPrefixesOnceAndJumpsPastThem() throws Exception {
        List<String> names = new ArrayList<>(List.of("a.txt", "photos/2024/x.jpg", "photos/2025/y.jpg", "z.txt"));
        for (int i = 0; i < 3000; i++) {
            names.add(String.format("logs/%05d", i));
        }
        SortedKeys src = new SortedKeys(names.toArray(String[]::new));
        Listing.Page page = Listing.list(src, "", "/", null, 1000);
        assertEquals(List.of("a.txt", "z.txt"), keys(page));
        assertEquals(List.of("logs/", "photos/"), page.commonPrefixes());
        assertEquals(4, page.keyCount());
        assertFalse(page.truncated());
        assertTrue(src.calls.get() <= 4, "one call per folded prefix, not per key: " + src.calls.get());

        Listing.Page photos = Listing.list(src, "photos/", "/", null, 1000);
        assertEquals(List.of("photos/2024/", "photos/2025/"), photos.commonPrefixes());
        assertTrue(photos.objects().isEmpty());
    }

    @Test
    void paginatesWithMaxKeysAndResumesAfterTheLastItem() throws Exception {
        SortedKeys src = new SortedKeys("a", "b/1", "b/2", "c", "d/1", "e");
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            Listing.Page p = Listing.list(src, "", "/", after, 2);
            seen.addAll(keys(p));
            seen.addAll(p.commonPrefixes());
            pages++;
            if (!p.truncated()) {
                break;
            }
            assertEquals(2, p.keyCount());
            after = p.last();
            assertTrue(pages < 10);
        }
        assertEquals(List.of("a", "b/", "c", "d/", "e"), seen.stream().sorted().toList());
        assertEquals(3, pages);
    }

    @Test
    void truncatedOnlyWhenSomethingFollows() throws Exception {
        SortedKeys src = new SortedKeys("a", "b");
        Listing.Page exact = Listing.list(src, "", null, null, 2);
        assertFalse(exact.truncated());
        Listing.Page one = Listing.list(src, "", null, null, 1);
        assertTrue(one.truncated());
        assertEquals("a", one.last());
        Listing.Page rest = Listing.list(src, "", null, "a", 1);
        assertEquals(List.of("b"), keys(rest));
        assertFalse(rest.truncated());
        Listing.Page none = Listing.list(new SortedKeys(), "", "/", null, 1000);
        assertTrue(none.objects().isEmpty());
        assertNull(none.last());
    }

    @Test
    void markerInsideThePrefixAndZeroMaxKeys() throws Exception {
        SortedKeys src = new SortedKeys("p/a", "p/b", "p/c", "q");
        assertEquals(List.of("p/b", "p/c"), keys(Listing.list(src, "p/", null, "p/a", 1000)));
        assertEquals(List.of("p/a", "p/b", "p/c"), keys(Listing.list(src, "p/", null, "a", 1000)));
        Listing.Page zero = Listing.list(src, "", null, null, 0);
        assertTrue(zero.objects().isEmpty());
        assertFalse(zero.truncated());
    }

    @Test
    void multiCharacterDelimiter() throws Exception {
        SortedKeys src = new SortedKeys("a--b", "a--c", "a-d");
        Listing.Page p = Listing.list(src, "", "--", null, 1000);
        assertEquals(List.of("a--"), p.commonPrefixes());
        assertEquals(List.of("a-d"), keys(p));
    }
}
