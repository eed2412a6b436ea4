package io.hifadhi.node.s3;

import io.hifadhi.node.testing.Digests;
import io.hifadhi.node.testing.NativeClient;
import io.hifadhi.node.testing.NodeProcess;
import io.hifadhi.node.testing.SeededStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 200 MiB multipart upload with the AWS SDK (default settings: aws-chunked bodies with a CRC32
 * trailer) into a node in its own JVM capped at a 128 MiB heap. Parts are generated from seeds as
 * they are sent and the download is hashed as it arrives, so neither side holds the object; the
 * node would fail with OutOfMemoryError if it buffered it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class S3LargeMultipartTest {
    static final String KEY = "s3-large-test-shard-key-0123";
    static final long SIZE = 200L << 20;
    /** Not a divisor of SIZE: 22 parts of 9 MiB and a last part of 2 MiB. */
    static final long PART = 9L << 20;
    static final long SEED = 6_000;

    @TempDir
    Path tmp;

    static long partLength(int number) {
        return Math.min(PART, SIZE - (number - 1) * PART);
    }

    static int partCount() {
        return (int) ((SIZE + PART - 1) / PART);
    }

    /** The whole object: the parts' seeded streams one after another. */
    static InputStream wholeObject() {
        List<InputStream> parts = new ArrayList<>();
        for (int n = 1; n <= partCount(); n++) {
            parts.add(new SeededStream(SEED + n, partLength(n)));
        }
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    @Test
    void twoHundredMebibytesInTwentyThreePartsThroughA128MebibyteHeap() throws Exception {
        Path log = tmp.resolve("node.log");
        try (NodeProcess node = NodeProcess.start(tmp.resolve("data"), KEY, "-Xmx128m", log,
                "--access-key", S3TestSupport.ACCESS_KEY, "--secret-key", S3TestSupport.SECRET_KEY);
             S3Client s3 = S3TestSupport.client(node.port())) {
            NativeClient nativeClient = new NativeClient(node.port(), KEY);
            HeapSampler heap = new HeapSampler(nativeClient);
            heap.start();

            s3.createBucket(b -> b.bucket("large"));
            String id = s3.createMultipartUpload(b -> b.bucket("large").key("movie.bin")).uploadId();
            MessageDigest md5OfMd5s = MessageDigest.getInstance("MD5");
            List<CompletedPart> completed = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int n = 1; n <= partCount(); n++) {
                int number = n;
                long seed = SEED + n;
                long length = partLength(n);
                String etag = s3.uploadPart(b -> b.bucket("large").key("movie.bin").uploadId(id).partNumber(number),
                        RequestBody.fromContentProvider(() -> new SeededStream(seed, length), length, "application/octet-stream")).eTag();
                String md5 = Digests.seededMd5(seed, length);
                assertEquals("\"" + md5 + "\"", etag, "part " + n);
                md5OfMd5s.update(HexFormat.of().parseHex(md5));
                completed.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
            }
            String etag = s3.completeMultipartUpload(b -> b.bucket("large").key("movie.bin").uploadId(id)
                    .multipartUpload(m -> m.parts(completed))).eTag();
            long t1 = System.nanoTime();
            assertEquals(23, partCount());
            assertEquals("\"" + HexFormat.of().formatHex(md5OfMd5s.digest()) + "-23\"", etag);

            HeadObjectResponse head = s3.headObject(b -> b.bucket("large").key("movie.bin"));
            assertEquals(SIZE, head.contentLength());
            assertEquals(etag, head.eTag());

            String expectedSha;
            try (InputStream expected = wholeObject()) {
                expectedSha = Digests.sha256(expected);
            }
            long t2 = System.nanoTime();
            long[] length = new long[1];
            try (ResponseInputStream<GetObjectResponse> got = s3.getObject(b -> b.bucket("large").key("movie.bin"))) {
                assertEquals(etag, got.response().eTag());
                assertEquals(expectedSha, Digests.hex("SHA-256", got, length));
            }
            long t3 = System.nanoTime();
            assertEquals(SIZE, length[0]);

            // A range across the boundary of parts 1 and 2.
            byte[] across = s3.getObjectAsBytes(b -> b.bucket("large").key("movie.bin")
                    .range("bytes=" + (PART - 10) + "-" + (PART + 9))).asByteArray();
            byte[] expectedAcross = new byte[20];
            System.arraycopy(SeededStream.slice(SEED + 1, PART - 10, 10), 0, expectedAcross, 0, 10);
            System.arraycopy(SeededStream.slice(SEED + 2, 0, 10), 0, expectedAcross, 10, 10);
            assertArrayEquals(expectedAcross, across);
            assertTrue(s3.listMultipartUploads(b -> b.bucket("large")).uploads().isEmpty());

            heap.stop();
            String metrics = nativeClient.getText("/metrics").body();
            long heapMax = metric(metrics, "jvm_memory_heap_max_bytes");
            assertTrue(heapMax > 0 && heapMax <= 128L << 20, "heap max " + heapMax);
            assertTrue(heap.samples() > 0, "the heap was sampled during the transfer");
            assertTrue(node.process().isAlive());
            System.out.printf("S3 multipart 200 MiB (23 parts, SDK defaults) into -Xmx128m: upload %.1f s, download %.1f s, "
                            + "peak sampled heap used %d MiB over %d samples%n",
                    (t1 - t0) / 1e9, (t3 - t2) / 1e9, heap.peak() >> 20, heap.samples());
        }
        String out = Files.readString(log);
        assertFalse(out.contains("OutOfMemoryError"), out);
    }

    static long metric(String body, String series) {
        return Arrays.stream(body.split("\n")).filter(l -> l.startsWith(series + " "))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(series.length() + 1))).findFirst().orElse(-1);
    }

    /** Polls the node's heap-used gauge while the transfer runs, keeping the largest value seen. */
    static final class HeapSampler {
        private final NativeClient client;
        private final AtomicLong peak = new AtomicLong();
        private final AtomicLong samples = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        HeapSampler(NativeClient client) {
            this.client = client;
        }

        void start() {
            thread = new Thread(() -> {
                for (int i = 0; i < 3000 && running.get(); i++) {
                    try {
                        long used = metric(client.getText("/metrics").body(), "jvm_memory_heap_used_bytes");
                        if (used > 0) {
                            peak.accumulateAndGet(used, Math::max);
                            samples.incrementAndGet();
                        }
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // a missed sample; the next one counts
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }

        long peak() {
            return peak.get();
        }

        long samples() {
            return samples.get();
        }
    }
}
