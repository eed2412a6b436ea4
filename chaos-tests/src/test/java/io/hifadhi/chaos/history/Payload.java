package io.hifadhi.chaos.history;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Object bodies that identify the write that produced them: an ASCII header line naming the key,
 * the write id and the total size, then filler bytes derived deterministically from (key, writeId).
 * Any read's bytes can therefore be traced to exactly one write, or shown to come from none.
 */
public final class Payload {
    static final String MAGIC = "HIFADHI-CHAOS/1";
    private static final int MAX_HEADER = 2048;

    private Payload() {
    }

    public static byte[] body(String key, long writeId, int size) {
        byte[] header = header(key, writeId, size);
        if (size < header.length) {
            throw new IllegalArgumentException("size " + size + " cannot hold the " + header.length + "-byte header");
        }
        byte[] out = new byte[size];
        System.arraycopy(header, 0, out, 0, header.length);
        fill(out, header.length, seed(key, writeId));
        return out;
    }

    /** The smallest body size for this key and id (header only). */
    public static int minSize(String key, long writeId) {
        // The size field's width depends on the size itself; 10 digits covers any int.
        return header(key, writeId, 1_000_000_000).length;
    }

    /** Which write these bytes came from, if they decode and match that write exactly. */
    public static Observed identify(String expectedKey, byte[] bytes) {
        int nl = -1;
        for (int i = 0; i < Math.min(bytes.length, MAX_HEADER); i++) {
            if (bytes[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            return Observed.garbage("no payload header in " + bytes.length + " bytes");
        }
        String[] fields = new String(bytes, 0, nl, StandardCharsets.US_ASCII).split(" ");
        if (fields.length != 4 || !fields[0].equals(MAGIC) || !fields[1].startsWith("key=")
                || !fields[2].startsWith("write=") || !fields[3].startsWith("size=")) {
            return Observed.garbage("malformed payload header");
        }
        String key = URLDecoder.decode(fields[1].substring(4), StandardCharsets.UTF_8);
        long writeId;
        long size;
        try {
            writeId = Long.parseLong(fields[2].substring(6));
            size = Long.parseLong(fields[3].substring(5));
        } catch (NumberFormatException e) {
            return Observed.garbage("unparseable number in payload header");
        }
        if (!key.equals(expectedKey)) {
            return Observed.garbage("body of key '" + key + "' (write#" + writeId + ") served for key '" + expectedKey + "'");
        }
        if (size != bytes.length) {
            return Observed.garbage("write#" + writeId + " had " + size + " bytes, read returned " + bytes.length);
        }
        byte[] expected = body(key, writeId, (int) size);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != expected[i]) {
                return Observed.garbage("write#" + writeId + " differs at byte " + i);
            }
        }
        return Observed.value(writeId);
    }

    private static byte[] header(String key, long writeId, int size) {
        return (MAGIC + " key=" + URLEncoder.encode(key, StandardCharsets.UTF_8) + " write=" + writeId
                + " size=" + size + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static long seed(String key, long writeId) {
        long h = 1125899906842597L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return h ^ (writeId * 0x9E3779B97F4A7C15L);
    }

    private static void fill(byte[] out, int from, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int i = from;
        while (i + 8 <= out.length) {
            long v = random.nextLong();
            for (int b = 0; b < 8; b++) {
                out[i++] = (byte) (v >>> (8 * b));
            }
        }
        long v = random.nextLong();
        while (i < out.length) {
            out[i++] = (byte) v;
            v >>>= 8;
        }
    }
}
