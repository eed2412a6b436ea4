package io.hifadhi.api.multipart;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MultipartReaderTest {
    static final String B = "----hifadhiBoundary7MA4YWxkTrZu0gW";

    static byte[] form(byte[] file, String fileName) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(("preamble to ignore\r\n--" + B + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: video/mp4\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(file);
        out.write(("\r\n--" + B + "\r\n"
                + "Content-Disposition: form-data; name=\"filename\"\r\n\r\n"
                + "clip.mp4\r\n--" + B + "--\r\nepilogue").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Returns at most n bytes per read, to move every boundary across buffer refills. */
    static InputStream trickle(byte[] data, int n) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, n));
            }
        };
    }

    static byte[] readAll(InputStream in, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[chunk];
        int n;
        while ((n = in.read(buf, 0, chunk)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    @Test
    void readsPartsWithBinaryBodiesAtAnyReadSize() throws IOException {
        byte[] file = new byte[300_000];
        new Random(7).nextBytes(file);
        // Plant near-delimiters inside the body: CRLF--, and the boundary missing its last byte.
        byte[] fake = ("\r\n--" + B.substring(0, B.length() - 1) + "X").getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(fake, 0, file, 1000, fake.length);
        System.arraycopy("\r\n--".getBytes(StandardCharsets.ISO_8859_1), 0, file, file.length - 4, 4);
        byte[] body = form(file, "a \\\"b\\\".mp4");
        for (int trickle : new int[]{1, 7, 64, 4096, 1 << 20}) {
            for (int readSize : new int[]{1, 13, 8192}) {
                MultipartReader r = new MultipartReader(trickle(body, trickle), B, 256);
                Part p1 = r.next();
                assertEquals("file", p1.name());
                assertEquals("a \"b\".mp4", p1.fileName());
                assertEquals("video/mp4", p1.contentType());
                assertArrayEquals(file, readAll(p1.body(), readSize), "trickle " + trickle + " read " + readSize);
                Part p2 = r.next();
                assertEquals("filename", p2.name());
                assertNull(p2.fileName());
                assertEquals("clip.mp4", new String(readAll(p2.body(), readSize), StandardCharsets.UTF_8));
                assertNull(r.next());
                assertNull(r.next());
            }
        }
    }

    @Test
    void skipsUnreadParts() throws IOException {
        byte[] body = form(new byte[100_000], "x");
        MultipartReader r = new MultipartReader(new ByteArrayInputStream(body), B);
        assertEquals("file", r.next().name());
        Part p = r.next();
        assertEquals("filename", p.name());
        assertEquals("clip.mp4", new String(p.body().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void emptyPartAndNoPreamble() throws IOException {
        String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"e\"\r\n\r\n\r\n--" + B + "--";
        MultipartReader r = new MultipartReader(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), B);
        Part p = r.next();
        assertEquals(0, p.body().readAllBytes().length);
        assertNull(r.next());
    }

    @Test
    void utf8AndExtendedFileNames() throws IOException {
        String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"видео.mp4\"\r\n\r\nx\r\n--" + B
                + "\r\nContent-Disposition: form-data; name=\"f2\"; filename=\"fallback\"; filename*=UTF-8''%F0%9F%8E%AC.mp4\r\n\r\ny\r\n--" + B + "--\r\n";
        MultipartReader r = new MultipartReader(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), B);
        assertEquals("видео.mp4", r.next().fileName());
        assertEquals("\uD83C\uDFAC.mp4", r.next().fileName());
    }

    @Test
    void truncatedBodyIsAnError() throws IOException {
        byte[] body = form(new byte[5000], "x");
        byte[] cut = java.util.Arrays.copyOf(body, 3000);
        MultipartReader r = new MultipartReader(new ByteArrayInputStream(cut), B);
        assertThrows(MultipartException.class, () -> readAll(r.next().body(), 100));
    }

    @Test
    void missingDispositionOrNameIsAnError() {
        String noDisposition = "--" + B + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + B + "--";
        assertThrows(MultipartException.class,
                () -> new MultipartReader(new ByteArrayInputStream(noDisposition.getBytes(StandardCharsets.UTF_8)), B).next());
        String noName = "--" + B + "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" + B + "--";
        assertThrows(MultipartException.class,
                () -> new MultipartReader(new ByteArrayInputStream(noName.getBytes(StandardCharsets.UTF_8)), B).next());
        assertThrows(MultipartException.class,
                () -> new MultipartReader(new ByteArrayInputStream("no boundary at all".getBytes(StandardCharsets.UTF_8)), B).next());
    }

    @Test
    void overlongHeaderLineIsAnError() {
        String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"" + "x".repeat(20_000) + "\"\r\n\r\nx\r\n--" + B + "--";
        assertThrows(MultipartException.class,
                () -> new MultipartReader(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), B).next());
    }

    @Test
    void boundaryFromContentType() {
        assertEquals("abc", MultipartReader.boundaryOf("multipart/form-data; boundary=abc"));
        assertEquals("a b", MultipartReader.boundaryOf("multipart/form-data; charset=utf-8; boundary=\"a b\""));
        assertNull(MultipartReader.boundaryOf("multipart/form-data"));
        assertNull(MultipartReader.boundaryOf("application/json; boundary=abc"));
        assertNull(MultipartReader.boundaryOf(null));
    }
}
